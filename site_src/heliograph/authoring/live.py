"""The preview's build: the site kept in memory, brought up to date from the paths that changed.

`serve` rebuilds a moment after every save. A build from scratch, even from the build cache,
costs a second at ten thousand incidents; here the model, the findings and the pages stay in
memory, and a save loads again only the incident folders it touched (from the file events, never
from a scan), checks again only incidents that changed, and renders again only the pages whose
inputs changed. Pages are made when first asked for (authoring.parts): the open tab's page
first, the rest when the author pauses. It is the same pipeline (`build.load_model`,
`checks.site.check`, the render stage) with memos handed in, so every served page is the page a
cold build writes. The first build loads through the build cache, as a warm build does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from heliograph.authoring.parts import SiteParts
from heliograph.build import Project, collection_paused, load_model
from heliograph.checks.findings import Finding
from heliograph.checks.site import IncidentChecks
from heliograph.content.errors import ContentErrors
from heliograph.content.layout import CONFIG_NAME, INCIDENTS_DIR, THEME_DIR
from heliograph.content.model import Content
from heliograph.incremental.folders import FoldersInMemory
from heliograph.incremental.history import HistoryInMemory
from heliograph.incremental.memory import FindingsInMemory, IncidentsInMemory, Reuse
from heliograph.incremental.pages import Kept, MemoryPages
from heliograph.render.pages import compile_all
from heliograph.render.theme import as_content_error

PREVIEW_OUTPUT = ".heliograph-preview"  # never written: it names the preview in cache keys


class LiveSite:
    """The site in `source` as the preview serves it; `rebuild` after each change."""

    def __init__(self, source: Path, cache_dir: Path | None = None, as_of: bool = False) -> None:
        self.source = source.absolute()
        self.as_of = as_of  # `now` is a moment chosen to look back at: later files left out
        self.cache_dir = cache_dir
        self.project = Project.at(self.source, self.source / PREVIEW_OUTPUT)
        self.outputs: Mapping[str, Any] = {}  # the last good build's files: bytes or LazyPage
        # the last good build's findings and the lines `condensed` shows of them, set together
        self.checked: tuple[tuple[Finding, ...], tuple[Finding, ...]] = ((), ())
        self._incidents = IncidentsInMemory()
        self._folders = FoldersInMemory(self.source)
        self._findings = FindingsInMemory()
        self._kept: tuple[bytes, Kept] | None = None
        self._theme: Any = None
        self._started = False
        self._compiled: dict[str, Any] = {}  # templates compiled once, not at every save
        self._compiled_behind: Path | None = None  # and the build cache's, read at start
        self._reuse = Reuse()  # feed entries and feeds, as the last build made them
        self._history = HistoryInMemory()
        self._corrections: Mapping[str, Any] = {}  # the last build's, by update file
        self._pages: MemoryPages | None = None  # the last good build's, with its pages' inputs
        self._lock = threading.RLock()

    def rebuild(self, now: datetime, changed: Collection[str] = ()) -> list[str]:
        """Bring the site up to date after a change to `changed` (paths); the problems of the
        content (`path:line: message`), and then the last good site stays served."""
        # the lock: a part of the last build being made for a request, say; and the cycle
        # collector waits, as in a build (see build.collection_paused): its passes over the
        # site kept in memory cost a save at ten thousand incidents 20 ms
        with self._lock, collection_paused():
            return self._rebuild(now, changed)

    @property
    def built(self) -> bool:
        """Whether a build went well yet: then `outputs` is its site."""
        return self._started

    def finish(self, stop: Callable[[], bool] = lambda: False) -> list[str]:
        """Make the parts of the site that no request asked for yet (see SiteParts.finish): the
        preview does it when the author pauses. The problems of those that failed."""
        return self.outputs.finish(stop) if isinstance(self.outputs, SiteParts) else []

    def _rebuild(self, now: datetime, changed: Collection[str]) -> list[str]:
        from heliograph.content.asof import published
        from heliograph.content.corrections import apply
        from heliograph.render.theme import keep_compiled, load_theme

        keep_compiled(self._compiled, self._compiled_behind)
        slugs, theme_changed, settings = self._changes(changed)
        if settings and slugs is not None and not self._settings_alone(now):
            slugs = None  # every incident may depend on the new settings: all loaded again
        corrections = self._corrected(slugs) if self._started else {}
        self._incidents.forget(slugs)
        if slugs is None:
            self._folders.forget()
        if theme_changed:
            self._theme = None
        last = self.outputs if isinstance(self.outputs, SiteParts) else None
        kept = self._kept_now(last)
        try:
            if not self._started or slugs is None:  # at start, or new settings that loading
                # reads, or a new incidents folder: everything
                content, findings, corrections = self._through_cache(now)
            else:
                content = self._loaded(now, slugs)
                content = published(content, now) if self.as_of else content
                content = apply(self._same_settings(content), corrections)
                findings = self._findings.check(content, now)
            theme = self._theme or load_theme(self.source)
            pages = MemoryPages(content, now, theme, self._incidents.version, kept)
            outputs = SiteParts(
                self.source, content, now, theme, pages, self._reuse, self._lock, last
            )
            if theme is not self._theme:  # what a cold build would find in any template
                as_content_error(self.source, lambda: compile_all(content.site, now, theme))
                # a theme being edited: its errors show at once, not at the author's pause
                if self._started and (problems := outputs.finish()):
                    return problems
            for slug in slugs or ():  # what it would find rendering the changed incidents
                page = outputs.get(f"incidents/{slug}/index.html")
                if page is not None:
                    as_content_error(self.source, partial(bytes, page))
        except ContentErrors as exc:
            return [str(e) for e in exc.errors]
        self._started, self._theme = True, theme
        # what the last build left unmade may be asked for again: its memos stay too
        self._reuse.sweep(keep_unasked=last is not None and not last.complete)
        self._pages = pages
        self.outputs, self._corrections = outputs, corrections
        self.checked = (findings, self._findings.condensed.shown)
        return []

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The last good build's check findings."""
        return self.checked[0]

    def _loaded(self, now: datetime, slugs: Collection[str]) -> Content:
        """The model as the folders hold it after a change to the incident folders `slugs`:
        only those read again where the last load is known, else every folder."""
        from heliograph.content.asof import LATEST

        at = LATEST if self.as_of else now
        if self._folders.can_load(at):
            return self._folders.load(slugs, at, self._incidents)
        loaded, _ = load_model(self.project, now, one=self._incidents, as_of=self.as_of)
        self._folders.seed(loaded, at)
        return loaded

    def _same_settings(self, content: Content) -> Content:
        """`content` with the last build's settings object if they are equal, as they are but
        for a change to the settings file: every memo key holds the settings, and one object
        compares at once where an equal copy compares field by field."""
        site = self._pages.site if self._pages is not None else None
        if site is not None and content.site is not site and content.site == site:
            return replace(content, site=site)
        return content  # the very object: what it derived once (newest_update) holds

    def _kept_now(self, last: SiteParts | None) -> tuple[bytes, Kept] | None:
        """The pages the last good build made, for this one to reuse: those it made fresh,
        and those it left unmade as the build before made them."""
        if last is None or self._pages is None:
            return self._kept
        kept = self._pages.keep(last.made())
        if not last.complete and self._kept is not None and self._kept[0] == kept[0]:
            kept = (kept[0], {**self._kept[1], **kept[1]})
        self._kept = kept
        return kept

    def _corrected(self, slugs: set[str] | None) -> Mapping[str, Any]:
        """The corrections in the git history now; the incidents whose corrections moved (a
        commit, a checkout) are added to `slugs`, as if their folders had changed."""
        from heliograph.content.corrections import corrections_of

        now = corrections_of(self.source, self._history(self.source))
        if slugs is not None:
            before = self._corrections
            moved = {f for f in now.keys() | before.keys() if now.get(f) != before.get(f)}
            slugs.update(f.split("/")[1] for f in moved)
        return now

    def _settings_alone(self, now: datetime) -> bool:
        """After a change to the settings file: whether the incidents in memory still hold.
        They do when the new settings load and still have every severity and component an
        incident names (see FoldersInMemory.take_settings), as after a new site name, zone or
        component; then the folders take the new settings, and only the pages, and the checks
        if what they read changed, are made again."""
        from heliograph.content.asof import LATEST
        from heliograph.content.config import load_site

        if not self._started or not self._folders.can_load(LATEST if self.as_of else now):
            return False
        site, errors = load_site(self.source)
        return site is not None and not errors and self._folders.take_settings(site)

    def _changes(self, changed: Collection[str]) -> tuple[set[str] | None, bool, bool]:
        """The incident folders `changed` touches (None: all of them, as when the incidents
        folder itself moves), whether the theme changed and whether the settings did."""
        slugs: set[str] | None = set()
        theme = settings = False
        for name in changed:
            try:
                parts = Path(name).absolute().relative_to(self.source).parts
            except ValueError:
                continue
            if not parts:
                continue
            if parts[0] == INCIDENTS_DIR and len(parts) > 1 and slugs is not None:
                slugs.add(parts[1])
            elif parts[0] == INCIDENTS_DIR:
                slugs = None  # the folder itself moved: what it holds now is not known
            elif parts[0] == THEME_DIR:
                theme = True
            elif parts[0] == CONFIG_NAME:
                settings = True
        return slugs, theme, settings

    def _through_cache(self, now: datetime) -> tuple[Any, tuple[Finding, ...], Mapping[str, Any]]:
        """The whole model, loaded through the build cache (parsed files, whole incidents,
        findings) as a warm build would, and kept in memory: at start, and when the settings
        change, on which every incident depends."""
        from heliograph.content.asof import LATEST
        from heliograph.content.corrections import apply
        from heliograph.incremental.cache import cache_dir
        from heliograph.incremental.session import BuildSession
        from heliograph.publish.lock import held
        from heliograph.render.theme import keep_compiled

        cache = cache_dir(self.source, self.cache_dir)
        with held(cache, f"the preview of {self.source}", file=cache / "build.lock"):
            session = BuildSession.start(
                self.source, self.project.output, now, ("preview",), self.cache_dir
            )
            self._compiled_behind = session.templates()
            keep_compiled(self._compiled, self._compiled_behind)
            try:
                loaded, content = load_model(
                    self.project, now, *session.loaders(), as_of=self.as_of
                )
                corrections = session.corrections
                self._history.seed(*session.history)
                # the cache's findings are by folder: not for incidents cut short by `as_of`
                whole = {id(i) for i in loaded.incidents}
                cut = {i.slug for i in content.incidents if id(i) not in whole}
                content = apply(content, corrections)  # `loaded` stays as the folders hold it
                memo = session.findings(_without(content, cut), now)
                self._findings.through = _except(cut, memo) if cut else memo
                findings = self._findings.check(content, now)  # kept for the next builds
            finally:
                self._findings.through = None
                session.close()
        self._incidents.seed(loaded.site, loaded.incidents)  # what the folders hold
        self._folders.seed(loaded, LATEST if self.as_of else now)
        return content, findings, corrections


def _without(content: Content, slugs: set[str]) -> Content:
    if not slugs:
        return content
    return replace(content, incidents=tuple(i for i in content.incidents if i.slug not in slugs))


def _except(slugs: set[str], memo: IncidentChecks) -> IncidentChecks:
    """`memo`, but for the incidents `slugs`, which are checked afresh."""
    from heliograph.checks.site import incident_findings

    def checks(site: Any, incident: Any, now: datetime) -> Sequence[Finding]:
        return (incident_findings if incident.slug in slugs else memo)(site, incident, now)

    return checks
