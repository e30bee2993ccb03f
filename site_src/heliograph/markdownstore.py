"""Rendered messages kept in the build cache, so that a message is turned into HTML once."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from heliograph.cache import Cache


class MarkdownStore(MutableMapping[str, str]):
    """Rendered messages in the build cache, keyed by a hash of their markdown source.

    The messages the last build looked up are kept together in one entry as well, so that a
    build much like it (feeds and the calendar read the same thousand or so) makes one query
    for them rather than one each.
    """

    def __init__(self, cache: Cache, scope: str = "") -> None:
        self.cache = cache
        self.added: dict[str, str] = {}
        self._recent_key = cache.key("markdown-recent", scope)
        recent = cache.get(self._recent_key)
        self._recent: dict[str, str] = recent if isinstance(recent, dict) else {}
        self._used: dict[str, str] = {}

    def __getitem__(self, source: str) -> str:
        html = self._recent.get(source)
        if html is None:
            html = self.cache.get(self.cache.key("markdown", source))
            if not isinstance(html, str):
                raise KeyError(source)
        self._used[source] = html
        return html

    def __setitem__(self, source: str, html: str) -> None:
        self.added[source] = html
        self._used[source] = html
        self.cache.put(self.cache.key("markdown", source), html)

    def __delitem__(self, source: str) -> None:
        raise KeyError(source)  # entries are never removed, only superseded by new keys

    def __iter__(self) -> Iterator[str]:
        return iter(self.added)

    def __len__(self) -> int:
        return len(self.added)

    def offline(self) -> Offline:
        """This store as a forked worker may use it (see Offline)."""
        return Offline(self._recent)

    def take(self, used: Used) -> None:
        """Count what a worker's Offline store used and rendered as this store's own."""
        names, added = used
        for source, html in added.items():
            self[source] = html
        self._used.update((s, added[s] if s in added else self._recent[s]) for s in names)

    def store(self) -> None:
        """Keep this build's messages together for the next build, if they differ."""
        if self._used.keys() != self._recent.keys():
            self.cache.put(self._recent_key, self._used)


Used = tuple[list[str], dict[str, str]]  # the messages a worker used, and those it rendered


class Offline(MutableMapping[str, str]):
    """The store in a forked worker: it answers from the last build's messages, in memory
    (the database connection is the parent's alone), and notes what it used and rendered so
    that the parent can `take` it."""

    def __init__(self, recent: dict[str, str]) -> None:
        self.recent = recent
        self.used: dict[str, None] = {}
        self.added: dict[str, str] = {}

    def __getitem__(self, source: str) -> str:
        html = self.added[source] if source in self.added else self.recent[source]
        self.used[source] = None
        return html

    def __setitem__(self, source: str, html: str) -> None:
        self.added[source] = html
        self.used[source] = None

    def __delitem__(self, source: str) -> None:
        raise KeyError(source)

    def __iter__(self) -> Iterator[str]:
        return iter(self.added)

    def __len__(self) -> int:
        return len(self.added)

    def report(self) -> Used:
        return list(self.used), self.added
