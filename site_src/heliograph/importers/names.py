"""Our ids for another page's names: component ids and incident folders, unique and readable."""

from __future__ import annotations

import re
from collections.abc import Iterable

from heliograph.content.config import RESERVED_IDS
from heliograph.content.frontmatter import slugify

ID_WORDS_MAX = 40  # an id is typed in front matter: short, yet still the component's name


class Names:
    """Hands out ids that are unique among themselves (and apart from `taken`)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken) | set(RESERVED_IDS)

    def new(self, name: str, empty: str = "component", before: str = "") -> str:
        """An id from `name`; on a clash, `before` (a group's id) goes first, then a number."""
        base = slugify(name, ID_WORDS_MAX, empty)
        candidates = [base] + ([f"{before}-{base}"] if before else [])
        for wanted in candidates:
            if wanted not in self.taken:
                return self._take(wanted)
        n = 2
        while f"{base}-{n}" in self.taken:
            n += 1
        return self._take(f"{base}-{n}")

    def _take(self, name: str) -> str:
        self.taken.add(name)
        return name


_STATUS_WORDS = re.compile(r"[\s\-–—:|]*\bstatus(\s+page)?\s*$", re.IGNORECASE)


def site_name(title: str) -> str:
    """The organisation's name from a page's title: pages here add "Status" themselves, so
    `Flathub Status` is `Flathub` (a title that is only "Status" stays as it is)."""
    name = _STATUS_WORDS.sub("", title).strip()
    return name or title
