"""Incident pages made once per input: reused from the current site while every input of the
page is unchanged, rendered on all cores when many are new.

An incident page is a function of its incident's files, the site settings, the theme, the
generator's code and, while the incident is open (or if the template reads `now`), of `now`.
Its key hashes exactly those; the value is a hash of the page's bytes, and a page is reused only
when the file in the current site still has those bytes.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from heliograph import markup
from heliograph.cache import Cache, digest
from heliograph.model import Content
from heliograph.parsecache import SourceIndex, _fork_context, workers
from heliograph.render.pages import incident_pages
from heliograph.theme import Theme
from heliograph.views import IncidentView

TEMPLATE = "incident.html"
POOL_FROM = 200  # fewer new pages than this render faster in this process


class MarkdownStore(MutableMapping[str, str]):
    """Rendered messages in the build cache, keyed by a hash of their markdown source."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.added: dict[str, str] = {}

    def __getitem__(self, source: str) -> str:
        html = self.cache.get(self.cache.key("markdown", source))
        if not isinstance(html, str):
            raise KeyError(source)
        return html

    def __setitem__(self, source: str, html: str) -> None:
        self.added[source] = html
        self.cache.put(self.cache.key("markdown", source), html)

    def __delitem__(self, source: str) -> None:
        raise KeyError(source)  # entries are never removed, only superseded by new keys

    def __iter__(self) -> Iterator[str]:
        return iter(self.added)

    def __len__(self) -> int:
        return len(self.added)


def theme_digest(theme: Theme) -> bytes:
    """A hash of every template and asset the pages can use."""
    parts: list[bytes | str] = []
    for folder in theme.template_dirs:
        for f in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if f.is_file():
                parts += [str(f.relative_to(folder)), f.read_bytes()]
        parts.append("|")  # which folder a template came from matters: the first one wins
    for name, data in theme.assets:
        parts += [name, data]
    return digest(*parts)


_TAG = re.compile(r"\{[{%](.*?)[%}]\}", re.S)
_NOW = re.compile(r"\bnow\b")
_USES = re.compile(r"\b(?:extends|include|import|from)\s+[\"']([^\"']+)[\"']")


def reads_now(theme: Theme, name: str = TEMPLATE) -> bool:
    """Whether a template, or one it extends, includes or imports, mentions `now` in a tag.

    A mention anywhere in a tag counts, so the answer errs towards re-rendering.
    """
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        found = next((d / current for d in theme.template_dirs if (d / current).is_file()), None)
        if found is None:
            continue
        tags = _TAG.findall(found.read_text(encoding="utf-8"))
        if any(_NOW.search(tag) for tag in tags):
            return True
        todo += [t for tag in tags for t in _USES.findall(tag)]
    return False


class PageCache:
    """Reuses, or renders, pages: `__call__` makes the incident pages (on every core when many
    are new) and `page` is the memo `render_pages` consults for the others."""

    def __init__(self, cache: Cache, index: SourceIndex, site_dir: Path, content: Content,
                 now: datetime, theme: Theme) -> None:
        self.cache, self.index, self.site_dir, self.now = cache, index, site_dir, now
        self.base = digest(theme_digest(theme), repr(content.site))
        self.theme = theme
        self.unchanged: set[str] = set()  # outputs known to equal the file in the current site
        self.rendered = 0
        self._reads_now: dict[str, bool] = {}

    def _token(self, v: IncidentView) -> str:
        """An incident's view changes with `now` only while it is open."""
        return "" if v.incident.resolved_at is not None else self.now.isoformat()

    def __call__(self, content: Content, now: datetime, theme: Theme,
                 views: tuple[IncidentView, ...]) -> dict[str, bytes]:
        always_now = reads_now(theme)
        keys = {v.slug: self.cache.key(
            "incident-page", self.base, self.index.fingerprint(v.slug),
            now.isoformat() if always_now else self._token(v)) for v in views}
        known = self.cache.get_many(keys.values())
        out: dict[str, bytes] = {}
        todo = []
        for v in views:
            path = f"incidents/{v.slug}/index.html"
            data = self._current(path, known.get(keys[v.slug]))
            if data is None:
                todo.append(v)
            else:
                out[path] = data
        fresh = render_all(content, now, theme, todo)
        for v in todo:
            path = f"incidents/{v.slug}/index.html"
            self.cache.put(keys[v.slug], digest(fresh[path]))
        self.rendered += len(todo)
        return out | fresh

    def page(self, path: str, template: str, data: dict[str, Any],
             make: Callable[[], bytes]) -> bytes:
        """A page keyed by everything its template is given (and `now`, if it reads it)."""
        parts: list[bytes | str] = []
        for name in sorted(data):
            parts.append(name)
            self._fold(data[name], parts)
        if template not in self._reads_now:
            self._reads_now[template] = reads_now(self.theme, template)
        key = self.cache.key("page", self.base, path, template,
                             self.now.isoformat() if self._reads_now[template] else "",
                             *parts)
        kept = self._current(path, self.cache.get(key))
        if kept is not None:
            return kept
        fresh = make()
        self.cache.put(key, digest(fresh))
        self.rendered += 1
        return fresh

    def _fold(self, value: Any, parts: list[bytes | str]) -> None:
        """Append what a template value shows: an incident by its files' hash, not its text.

        Other values count by their pickle (frozen dataclasses: every field), else their repr.
        """
        if isinstance(value, IncidentView):
            parts += ["view", value.slug, self.index.fingerprint(value.slug),
                      self._token(value)]
        elif isinstance(value, tuple | list):
            parts.append(f"[{len(value)}")
            for item in value:
                self._fold(item, parts)
        elif isinstance(value, dict):
            parts.append(f"{{{len(value)}")
            for k in sorted(value, key=repr):
                parts.append(repr(k))
                self._fold(value[k], parts)
        else:
            try:
                parts.append(pickle.dumps(value, protocol=5))
            except Exception:  # an unpicklable value (a function, say) counts by its repr
                parts.append(f"{type(value).__qualname__}:{value!r}")

    def _current(self, path: str, want: bytes | None) -> bytes | None:
        """The page in the current site, if it is the one its key promised."""
        if want is None:
            return None
        try:
            data = (self.site_dir / path).read_bytes()
        except OSError:
            return None
        if digest(data) != want:
            return None
        self.unchanged.add(path)
        return data


_job: tuple[Content, datetime, Theme, list[IncidentView]] | None = None


def render_all(content: Content, now: datetime, theme: Theme, views: list[IncidentView]
               ) -> dict[str, bytes]:
    """Incident pages for `views`, on every core when there are many."""
    global _job
    n = workers()
    if n < 2 or len(views) < POOL_FROM:
        return incident_pages(content, now, theme, views)
    _job = (content, now, theme, views)  # forked workers inherit it: nothing to pickle
    try:
        chunks = [range(i, len(views), n * 4) for i in range(n * 4)]
        out: dict[str, bytes] = {}
        with ProcessPoolExecutor(n, mp_context=_fork_context()) as pool:
            for pages in pool.map(_render_chunk, chunks):
                out.update(pages)
        return {path: out[path] for path in sorted(out)}
    finally:
        _job = None


def _render_chunk(chunk: range) -> dict[str, bytes]:
    """In a worker: render some of `_job`'s pages.

    The worker renders messages without the cache: its database connection belongs to the
    parent, and the pages themselves are what the next build reuses.
    """
    assert _job is not None
    content, now, theme, views = _job
    markup.attach_store(None)
    return incident_pages(content, now, theme, [views[i] for i in chunk])
