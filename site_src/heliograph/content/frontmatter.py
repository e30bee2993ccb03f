"""Writing the content format: slugs from titles, and YAML values that read back as written.

Shared by everything that writes incident files (`new`, `update`, the importers), so that what
they write is what `load` reads.
"""

from __future__ import annotations

import json
import re
import unicodedata

import yaml

SLUG_WORDS_MAX = 60  # long enough for a title, short enough for a URL someone reads aloud


def slugify(title: str, limit: int = SLUG_WORDS_MAX, empty: str = "incident") -> str:
    """`Publishing API returning errors` -> `publishing-api-returning-errors`."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0]
    return slug or empty


# Words and ids that YAML reads as text for certain: letters first, then letters, digits, '-'
# and '_' (YAML 1.1 reads `yes`, `no`, `on`, `off`, `null` and the like as other types).
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_NOT_TEXT = frozenset("y yes n no true false on off null".split())
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there, ten times faster


def scalar(value: str) -> str:
    """A YAML scalar that reads back as `value`: plain when safe, else double-quoted."""
    if _PLAIN.fullmatch(value) and value.lower() not in _NOT_TEXT:
        return value  # most ids and one-word names, without asking the (slow) YAML parser
    if "\n" not in value and value == value.strip():
        try:
            if yaml.load(f"k: {value}", Loader=_LOADER) == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)
