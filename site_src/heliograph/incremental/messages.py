"""Rendered messages kept in the build cache, so that a message is turned into HTML once."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, MutableMapping

from heliograph.incremental.cache import Cache, put_parts

# render.markup (and Markdown with it) is imported where a build renders: a build with nothing
# to do opens the store but never renders.

Used = tuple[list[str], dict[str, str]]  # the messages a store used, and those it rendered
# the last build's messages are kept in this many entries, by source: a build with one new
# message stores one part again, not all of them (3 MB at 10,000 incidents)
RECENT_PARTS = 8


def _part(source: str) -> int:
    return zlib.crc32(source.encode("utf-8")) % RECENT_PARTS


class MarkdownStore(MutableMapping[str, str]):
    """Rendered messages in the build cache, keyed by a hash of their markdown source.

    The messages the last build looked up are kept together in one entry as well, so that a
    build much like it (feeds and the calendar read the same thousand or so) makes one query
    for them rather than one each.

    Without a cache (see `offline`) the store answers from those messages alone and only
    notes what it used and rendered.
    """

    def __init__(
        self, cache: Cache | None, scope: str = "", recent: dict[str, str] | None = None
    ) -> None:
        self.cache = cache
        self.added: dict[str, str] = {}
        self._recent_keys = (
            [cache.key("markdown-recent", scope, str(n)) for n in range(RECENT_PARTS)]
            if cache is not None
            else []
        )
        self._parts: list[dict[str, str]] = [{} for _ in range(RECENT_PARTS)]  # as stored
        if recent is None and cache is not None:
            found = cache.get_many(self._recent_keys)
            parts = [found.get(key) for key in self._recent_keys]
            self._parts = [part if isinstance(part, dict) else {} for part in parts]
            recent = {source: html for part in self._parts for source, html in part.items()}
        self._recent: dict[str, str] = recent if isinstance(recent, dict) else {}
        self._used: dict[str, str] = {}

    def __getitem__(self, source: str) -> str:
        html = self.added.get(source) or self._recent.get(source)
        if html is None and self.cache is not None:
            html = self.cache.get(self.cache.key("markdown", source))
        if not isinstance(html, str):
            raise KeyError(source)
        self._used[source] = html
        return html

    def __setitem__(self, source: str, html: str) -> None:
        self.added[source] = html
        self._used[source] = html
        if self.cache is not None:
            self.cache.put(self.cache.key("markdown", source), html)

    def __delitem__(self, source: str) -> None:
        raise KeyError(source)  # entries are never removed, only superseded by new keys

    def __iter__(self) -> Iterator[str]:
        return iter(self.added)

    def __len__(self) -> int:
        return len(self.added)

    def offline(self) -> MarkdownStore:
        """This store as a forked worker may use it: the last build's messages in memory, no
        database (its connection is this process's alone); `report` says what it did."""
        return MarkdownStore(None, recent=self._recent)

    def report(self) -> Used:
        return list(self._used), self.added

    def take(self, used: Used) -> None:
        """Count what an offline store used and rendered as this store's own."""
        names, added = used
        for source, html in added.items():
            self[source] = html
        self._used.update((s, added[s] if s in added else self._recent[s]) for s in names)

    def store(self) -> None:
        """Keep this build's messages together for the next build, the parts that differ."""
        if self.cache is None or self._used.keys() == self._recent.keys():
            return
        self._parts = put_parts(self.cache, self._recent_keys, self._used, _part, self._parts)


def go_offline() -> MarkdownStore | None:
    """In a forked worker, answer from the attached store's messages in memory only; what the
    returned store notes goes back to the parent's by `take_back`."""
    from heliograph.render import markup

    store = markup.attached_memo()
    if isinstance(store, MarkdownStore):
        offline = store.offline()
        markup.attach_memo(offline)
        return offline
    return None


def take_back(used: Used | None) -> None:
    """Count what a worker's offline store used and rendered as the attached store's own."""
    from heliograph.render import markup

    store = markup.attached_memo()
    if used is not None and isinstance(store, MarkdownStore):
        store.take(used)
