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
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import is_dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from heliograph.content.model import Content, Incident
from heliograph.incremental.cache import Cache, digest, digest_of, put_parts
from heliograph.incremental.cores import on_every_core, workers
from heliograph.incremental.sources import SourceIndex
from heliograph.publish.tree import FileStat, Stats, file_stat
from heliograph.render import markup
from heliograph.render.pages import incident_pages
from heliograph.render.theme import Theme, reads_now
from heliograph.state.views import IncidentView, LazyView, moment

TEMPLATE = "incident.html"
POOL_FROM = 200  # fewer new pages than this render faster in this process
FOLD_BY_HASH = 16  # a tuple this long stands in a page's key by its hash (see `_folded`)
# the fragments are kept in this many entries, by key: a build stores again the few it changed
# (a change to one incident changes its search entry and its month: 6.5 MB at 10,000 incidents)
FRAGMENT_PARTS = 16


def theme_digest(theme: Theme) -> bytes:
    """A hash of every template and asset the pages can use."""
    parts: list[bytes | str] = []
    for name, _, text in theme.templates:  # the templates in force: the site's, else bundled
        parts += [name, text]
    for name, data in theme.assets:
        parts += [name, data]
    for language, data in theme.catalogs:  # the words of every page
        parts += [language, data]
    return digest(*parts)


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


class PageReuse:
    """Reuses, or renders, pages: `__call__` makes the incident pages (on every core when many
    are new) and `page` is the memo `render_pages` consults for the others.

    A page's key is everything its template is given, an incident standing for itself by
    `_print` (a hash of its folder, say); a page whose key is the one the last build made it
    with is that page, as `_current` finds it. Subclasses say where those come from.
    """

    def __init__(self, content: Content, now: datetime, theme: Theme) -> None:
        self.now, self.theme, self.site = now, theme, content.site
        self.base = digest(theme_digest(theme), repr(content.site))
        # outputs known to equal the file in the current site, with that file's stat
        self.unchanged: Stats = {}
        self.rendered = 0
        self._reads_now: dict[str, bool] = {}
        self._inputs: dict[str, Any] = {}  # path -> inputs, for every page of this build
        # id -> (a long tuple, the hash `_fold` gives it): see `_folded`
        self._tuples: dict[int, tuple[tuple[Any, ...], bytes]] = {}

    def _print(self, slug: str) -> bytes | int:
        """What stands for the incident `slug` in a page's key."""
        raise NotImplementedError

    def _current(self, path: str, inputs: Any) -> Any:
        """The page the last build made at `path`, if it made it from `inputs`; else None."""
        raise NotImplementedError

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
                self._print(i.slug),
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
        when = self.now.isoformat() if self._reads(template) else ""
        inputs = self._inputs[path] = self._key(template, when, data)
        kept = self._current(path, inputs)
        if kept is not None:
            return kept
        self.rendered += 1
        return make()

    def _key(self, template: str, when: str, data: dict[str, Any]) -> bytes:
        """A hash of a template, the moment it reads (or ""), and the data it is given."""
        parts: list[bytes | str | int] = [template, when]
        for name in sorted(data):
            parts.append(name)
            self._fold(data[name], parts)
        return digest_of(parts)  # the history's page and months: 40,000 parts

    def _reads(self, template: str) -> bool:
        """`reads_now` of the theme's `template`, looked up once per build."""
        if template not in self._reads_now:
            self._reads_now[template] = reads_now(self.theme, template)
        return self._reads_now[template]

    def _fold(self, value: Any, parts: list[bytes | str | int]) -> None:
        """Append what a template value shows: an incident by its files' hash, not its text.

        Other values count by their pickle (frozen dataclasses: every field; an incident inside
        one by its key), else their repr.
        """
        if isinstance(value, Incident):  # the page shows its view: a function of these
            parts += ["incident", value.slug, self._print(value.slug), self._token(value)]
        elif isinstance(value, IncidentView | LazyView):  # a function of the settings (in
            # `base`), the incident and what of `now` it depends on (see views.Viewer)
            i = value.incident
            parts += ["view", i.slug, self._print(i.slug), moment(i, self.now)]
        elif isinstance(value, tuple) and len(value) >= FOLD_BY_HASH:
            parts += ["#tuple", self._folded(value)]
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

    def _folded(self, value: tuple[Any, ...]) -> bytes:
        """A hash of what `_fold` appends for a long tuple, worked out once a build: the
        incidents of a month are in the history's page, in the month's fragment and in its
        own page, and folding them three times cost a one-update build at 10,000 incidents
        0.03 s."""
        known = self._tuples.get(id(value))
        if known is not None and known[0] is value:  # kept with it: the id is not reused
            return known[1]
        parts: list[bytes | str | int] = [f"[{len(value)}"]
        for item in value:
            self._fold(item, parts)
        folded = digest_of(parts)
        self._tuples[id(value)] = (value, folded)
        return folded


class PageCache(PageReuse):
    """Pages kept by the build cache for a build of one output folder.

    One record per output folder says, for each page the last build wrote, what its inputs
    were and what its file looked like: a page whose inputs are the same and whose file is
    untouched (by stat, as git's index trusts it) is that page, read back, never re-hashed.
    `checked` is the stat of each file as this build found it already (the session's look at
    the last build's output): a file seen as the record has it is not looked at again.
    """

    def __init__(
        self,
        cache: Cache,
        index: SourceIndex,
        site_dir: Path,
        content: Content,
        now: datetime,
        theme: Theme,
        checked: Stats | None = None,
    ) -> None:
        super().__init__(content, now, theme)
        self.cache, self.index, self.site_dir = cache, index, site_dir
        self._checked: Stats = checked or {}
        self._record_key = cache.key("page-record", str(site_dir.absolute()))
        self._fragment_keys = [
            cache.key("fragments", str(site_dir.absolute()), str(n)) for n in range(FRAGMENT_PARTS)
        ]
        found = cache.get_many([self._record_key, *self._fragment_keys])
        stored = found.get(self._record_key)
        self._previous: Record = stored[1] if stored and stored[0] == self.base else {}
        # the last build's fragments by key (see `fragment`), as stored and all together
        self._parts: list[dict[bytes, str]] = []
        for key in self._fragment_keys:
            part = found.get(key)
            self._parts.append(part[1] if part and part[0] == self.base else {})
        self._fragments: dict[bytes, str] = {k: v for part in self._parts for k, v in part.items()}
        self._fragments_now: dict[bytes, str] = {}  # this build's
        self._prefix = os.path.join(site_dir, "")

    def _print(self, slug: str) -> bytes:
        return self.index.fingerprint(slug)

    def fragment(
        self, template: str, when: str, data: dict[str, Any], make: Callable[[], str]
    ) -> str:
        """A fragment of a page (render.pages' `fragment`: a month of the history, say), kept
        from the last build while its data is the same: a changed incident changes the
        history's page, and rendering its every month again cost a one-update build at
        10,000 incidents 0.45 s."""
        key = self._key(template, when, data)
        made = self._fragments.get(key)
        if made is None:
            made = str(make())
        self._fragments_now[key] = made
        return made

    def remember(self, written: Stats) -> None:
        """Record this build's pages as `written` (the stat of every output) shows them, and
        its fragments (only those: what no page used any more is let go), storing again only
        the parts that gained or lost one."""
        self._parts = put_parts(
            self.cache,
            self._fragment_keys,
            self._fragments_now,
            lambda key: key[0] % FRAGMENT_PARTS,  # a key is a hash of the fragment's inputs
            self._parts,
            lambda part: (self.base, part),
        )
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

    def _current(self, path: str, inputs: Any) -> Any:
        """The page in the current site (a KeptPage), if the last build made it from the same
        inputs and nothing has touched its file since."""
        known = self._previous.get(path)
        if known is None or known[0] != inputs:
            return None
        if self._checked.get(path) != known[1]:  # not seen so at the build's start: look
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

    def __init__(self, out: io.BytesIO, pages: PageReuse) -> None:
        super().__init__(out, protocol=5)
        self.pages = pages

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Incident):
            parts: list[bytes | str | int] = []
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


class LazyPage:
    """An incident page rendered the first time its bytes are asked for: the preview serves
    the pages a visitor opens, and a site of ten thousand incidents starts without rendering
    them all. Thread-safe: the preview's requests come on threads of their own."""

    __slots__ = ("_make", "_data", "_lock")

    def __init__(self, make: Callable[[], bytes]) -> None:
        self._make: Callable[[], bytes] | None = make
        self._data: bytes | None = None
        self._lock = threading.Lock()

    def __bytes__(self) -> bytes:
        with self._lock:
            if self._data is None:
                assert self._make is not None
                self._data, self._make = self._make(), None
            return self._data

    def __len__(self) -> int:
        return len(bytes(self))


Kept = dict[str, tuple[Any, Any]]  # output path -> (the page's inputs, its bytes or LazyPage)
DEFERRED = bytes(bytearray(b"deferred"))  # a page not made in this pass; known by identity


class Interrupted(Exception):  # noqa: N818 - not an error: a pass that gives way
    """A pass made in the author's pause stops before its next page when a change waits
    (`MemoryPages.stop`): the save's build need not wait for the rest of the history."""


class Glimpsed(Exception):  # noqa: N818 - not an error: a pass that is done early
    """A pass for one page (`MemoryPages.only`) ends once that page is made: the data of the
    pages after it (every month of the history, at ten thousand incidents) is not needed."""

    def __init__(self, path: str, page: bytes) -> None:
        super().__init__(path)
        self.path, self.page = path, page


class MemoryPages(PageReuse):
    """Pages kept in memory from one build to the next in the same process (the preview's):
    an incident stands for itself by the version its loader gave it, and a page whose inputs
    are unchanged is the very bytes the last build made."""

    def __init__(
        self,
        content: Content,
        now: datetime,
        theme: Theme,
        versions: Callable[[str], int],
        kept: tuple[bytes, Kept] | None,
    ) -> None:
        super().__init__(content, now, theme)
        self._versions = versions
        self._kept = kept[1] if kept is not None and kept[0] == self.base else {}
        # `only`: the one page a pass makes, the others DEFERRED (the page a tab asked for)
        self.only: str | None = None
        self.stop: Callable[[], bool] | None = None  # true: end the pass (Interrupted)
        self._made: Kept = {}  # the pages this build made, for its next pass

    def _print(self, slug: str) -> int:
        return self._versions(slug)

    def _current(self, path: str, inputs: Any) -> Any:
        known = self._kept.get(path)
        return known[1] if known is not None and known[0] == inputs else None

    def page(
        self, path: str, template: str, data: dict[str, Any], make: Callable[[], bytes]
    ) -> bytes:
        """A page keyed by its data itself, compared with the last build's by value: in memory
        that is cheaper than a hash of it, and an incident left as it was is the very same
        object, which compares at once. `now` counts while the data shows an open incident."""
        inputs = self._inputs[path] = (
            template,
            self.now.isoformat() if self._reads(template) or _shows_open(data) else "",
            data,
        )
        kept = self._current(path, inputs)
        if kept is not None:
            return kept
        made = self._made.get(path)
        if made is not None and made[0] == inputs:
            return made[1]
        if self.only is not None and path != self.only:
            return DEFERRED
        if self.stop is not None and self.stop():
            raise Interrupted(path)
        self.rendered += 1
        page = make()
        self._made[path] = (inputs, page)
        if path == self.only:  # the rest of the pass would only find the rest DEFERRED
            raise Glimpsed(path, page)
        return page

    def __call__(
        self, content: Content, now: datetime, theme: Theme, incidents: tuple[Incident, ...]
    ) -> dict[str, bytes]:
        """The incident pages: kept ones as they are, new ones rendered when first asked for."""
        always_now = self._reads(TEMPLATE)
        out: dict[str, Any] = {}
        # `_print`, `_token` and `_current` inline: this runs for every incident at every save
        version, kept, stamp = self._versions, self._kept, now.isoformat()
        for i in incidents:
            path = f"incidents/{i.slug}/index.html"
            inputs = self._inputs[path] = (
                version(i.slug),
                stamp if always_now or i.resolved_at is None else "",
            )
            known = kept.get(path)
            page = known[1] if known is not None and known[0] == inputs else None
            if page is None:
                self.rendered += 1
                page = LazyPage(partial(_one_page, content, now, theme, i, path))
            out[path] = page
        return out

    def made(self) -> dict[str, Any]:
        """The pages (not incident pages) that this build rendered so far, in any pass."""
        return {path: page for path, (_, page) in self._made.items()}

    def keep(self, outputs: Mapping[str, Any]) -> tuple[bytes, Kept]:
        """What the next build may reuse: this build's pages in `outputs` (rendered or not)
        and their inputs."""
        inputs = self._inputs.items()
        return self.base, {path: (i, outputs[path]) for path, i in inputs if path in outputs}


def _one_page(
    content: Content, now: datetime, theme: Theme, incident: Incident, path: str
) -> bytes:
    return incident_pages(content, now, theme, [incident])[path]


def _shows_open(value: Any) -> bool:
    """Whether an incident that is not resolved sits anywhere in `value`: its view moves with
    `now` (a maintenance window, an overdue update)."""
    if isinstance(value, Incident):
        return value.resolved_at is None
    if isinstance(value, tuple | list):
        return any(_shows_open(v) for v in value)
    if isinstance(value, dict):
        return any(_shows_open(v) for v in value.values())
    if is_dataclass(value) and not isinstance(value, type):
        return any(_shows_open(v) for v in vars(value).values())
    return False
