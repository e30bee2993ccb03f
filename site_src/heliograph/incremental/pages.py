"""Incident pages made once per input: reused from the current site while every input of the
page is unchanged, rendered on all cores when many are new.

An incident page is a function of its incident's files, the site settings, the theme, the
generator's code and, while the incident is open (or if the template reads `now`), of `now`.
A page is reused only when those inputs equal the ones the last build made it from and its file
in the current site is the one that build left.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from heliograph.content.model import Content, Incident
from heliograph.incremental.cache import Cache, digest
from heliograph.incremental.cores import on_every_core, workers
from heliograph.incremental.sources import SourceIndex
from heliograph.publish.tree import FileStat, Stats, file_stat
from heliograph.render import markup
from heliograph.render.pages import incident_pages
from heliograph.render.theme import Theme

TEMPLATE = "incident.html"
POOL_FROM = 200  # fewer new pages than this render faster in this process


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


class KeptPage:
    """A page the last build made from the same inputs, its file untouched in the site since.

    The write keeps that very file, so its bytes are read only if something asks for them:
    reading ten thousand unchanged pages back cost a warm build 0.1 s at 10,000 incidents.
    """

    __slots__ = ("file", "stat")

    def __init__(self, file: str, seen: FileStat) -> None:
        self.file, self.stat = file, seen

    def __len__(self) -> int:
        return self.stat[0]

    def __bytes__(self) -> bytes:
        with open(self.file, "rb") as f:
            st = os.fstat(f.fileno())
            if file_stat(st) != self.stat:
                raise OSError(f"{self.file} changed during the build")
            return f.read()


Record = dict[str, tuple[Any, FileStat]]  # output path -> (the page's inputs, its file's stat)


class PageCache:
    """Reuses, or renders, pages: `__call__` makes the incident pages (on every core when many
    are new) and `page` is the memo `render_pages` consults for the others.

    One record per output folder says, for each page the last build wrote, what its inputs
    were and what its file looked like: a page whose inputs are the same and whose file is
    untouched (by stat, as git's index trusts it) is that page, read back, never re-hashed.
    """

    def __init__(
        self,
        cache: Cache,
        index: SourceIndex,
        site_dir: Path,
        content: Content,
        now: datetime,
        theme: Theme,
    ) -> None:
        self.cache, self.index, self.site_dir, self.now = cache, index, site_dir, now
        self.base = digest(theme_digest(theme), repr(content.site))
        self.theme = theme
        # outputs known to equal the file in the current site, with that file's stat
        self.unchanged: Stats = {}
        self.rendered = 0
        self._reads_now: dict[str, bool] = {}
        self._record_key = cache.key("page-record", str(site_dir.absolute()))
        stored = cache.get(self._record_key)
        self._previous: Record = stored[1] if stored and stored[0] == self.base else {}
        self._inputs: dict[str, Any] = {}  # path -> inputs, for every page of this build
        self._prefix = os.path.join(site_dir, "")

    def _token(self, incident: Incident) -> str:
        """An incident's view changes with `now` only while it is open."""
        return "" if incident.resolved_at is not None else self.now.isoformat()

    def __call__(
        self, content: Content, now: datetime, theme: Theme, incidents: tuple[Incident, ...]
    ) -> dict[str, bytes]:
        always_now = self._reads(TEMPLATE)
        out: dict[str, bytes] = {}
        todo = []
        for i in incidents:
            path = f"incidents/{i.slug}/index.html"
            inputs = self._inputs[path] = (
                self.index.fingerprint(i.slug),
                now.isoformat() if always_now else self._token(i),
            )
            data = self._current(path, inputs)
            if data is None:
                todo.append(i)
            else:
                out[path] = data
        self.rendered += len(todo)
        return out | render_all(content, now, theme, todo)

    def page(
        self, path: str, template: str, data: dict[str, Any], make: Callable[[], bytes]
    ) -> bytes:
        """A page keyed by everything its template is given (and `now`, if it reads it)."""
        parts: list[bytes | str] = []
        for name in sorted(data):
            parts.append(name)
            self._fold(data[name], parts)
        inputs = self._inputs[path] = digest(
            template, self.now.isoformat() if self._reads(template) else "", *parts
        )
        kept = self._current(path, inputs)
        if kept is not None:
            return kept
        self.rendered += 1
        return make()

    def _reads(self, template: str) -> bool:
        """`reads_now` of the theme's `template`, looked up once per build."""
        if template not in self._reads_now:
            self._reads_now[template] = reads_now(self.theme, template)
        return self._reads_now[template]

    def remember(self, written: Stats) -> None:
        """Record this build's pages as `written` (the stat of every output) shows them."""
        self.cache.put(
            self._record_key,
            (
                self.base,
                {
                    path: (inputs, written[path])
                    for path, inputs in self._inputs.items()
                    if path in written
                },
            ),
        )

    def _fold(self, value: Any, parts: list[bytes | str]) -> None:
        """Append what a template value shows: an incident by its files' hash, not its text.

        Other values count by their pickle (frozen dataclasses: every field; an incident inside
        one by its key), else their repr.
        """
        if isinstance(value, Incident):  # the page shows its view: a function of these
            parts += [
                "incident",
                value.slug,
                self.index.fingerprint(value.slug),
                self._token(value),
            ]
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
                out = io.BytesIO()
                _Folding(out, self).dump(value)
                parts.append(out.getvalue())
            except Exception:  # an unpicklable value (a function, say) counts by its repr
                parts.append(f"{type(value).__qualname__}:{value!r}")

    def _current(self, path: str, inputs: Any) -> Any:
        """The page in the current site (a KeptPage), if the last build made it from the same
        inputs and nothing has touched its file since."""
        known = self._previous.get(path)
        if known is None or known[0] != inputs:
            return None
        try:
            st = os.lstat(self._prefix + path)  # a string: Paths cost more
        except OSError:
            return None
        if file_stat(st) != known[1] or not stat.S_ISREG(st.st_mode):
            return None
        self.unchanged[path] = known[1]
        return KeptPage(self._prefix + path, known[1])


class _Folding(pickle.Pickler):
    """A pickle in which an incident, wherever it sits in a value (a day of uptime, say), is
    its key as `_fold` gives it, not its every update and message."""

    def __init__(self, out: io.BytesIO, pages: PageCache) -> None:
        super().__init__(out, protocol=5)
        self.pages = pages

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Incident):
            parts: list[bytes | str] = []
            self.pages._fold(obj, parts)
            return (tuple, (tuple(parts),))
        return NotImplemented


def render_all(
    content: Content, now: datetime, theme: Theme, incidents: list[Incident]
) -> dict[str, bytes]:
    """Pages of `incidents`, on every core when there are many."""
    n = workers()
    if n < 2 or len(incidents) < POOL_FROM:
        return incident_pages(content, now, theme, incidents)
    out: dict[str, bytes] = {}
    for _, pages in on_every_core(
        lambda chunk: _in_worker(content, now, theme, [incidents[i] for i in chunk]),
        len(incidents),
        n,
    ):
        out.update(pages)
    return {path: out[path] for path in sorted(out)}


def _in_worker(
    content: Content, now: datetime, theme: Theme, incidents: list[Incident]
) -> dict[str, bytes]:
    """Incident pages, rendered in a worker process.

    The worker renders messages without the cache: its database connection belongs to the
    parent, and the pages themselves are what the next build reuses.
    """
    markup.attach_memo(None)
    return incident_pages(content, now, theme, incidents)
