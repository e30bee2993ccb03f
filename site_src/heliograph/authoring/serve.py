"""Live preview: rebuild on change, serve the last good build on 127.0.0.1, reload open tabs.

The server knows nothing of how a site is built: it takes a `builder` callable, as MkDocs'
livereload does, which it tells what changed, and a `files` callable, the last good build's
files by output path, which it serves from memory; `site_builder` at the end is the one place
it meets the Heliograph build (authoring.live, the site kept in memory between saves).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from heliograph.authoring.previewhttp import PreviewHandler, PreviewServer

Builder = Callable[[Sequence[str]], Sequence[str]]
"""Builds the site after a change to the given paths (none: the first build); returns its
problems (`path:line: message`), or []."""
Files = Callable[[], Mapping[str, Any] | None]
"""The last good build's files by output path (bytes, or anything `bytes()` turns into them)."""
Settle = Callable[[Callable[[], bool]], Sequence[str]]
"""Finishes the last build's work left for later (files no request asked for yet), stopping
early when the callable it is given says a change is waiting; returns its problems."""

# Seconds of quiet that end a burst of events: an editor's save (write, rename, chmod) comes
# within a few milliseconds, and every millisecond here is one the author waits.
DEBOUNCE = 0.03
MAX_DELAY = 1.0  # a file written continuously still gets a rebuild this often
# Seconds of quiet after a build before the rest of it is made: the open tab's page first.
# After the first build the author's browser is still opening the page, and the rest is the
# whole site: made while it waits, it would hold up that first page.
SETTLE = 0.3
FIRST_SETTLE = 3.0
CLOSE_WAIT = 3.0  # seconds Ctrl-C waits for the watcher, the server and a rebuild to stop
CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})  # not opened/read
# Asked of the kernel: reads are never reported, as a build's reading of ten thousand files
# (a rebuild from scratch, or another program's) would overflow the inotify queue.
EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


@dataclass(frozen=True)
class BuildReport:
    """One build attempt, for the terminal."""

    number: int  # 1 is the build at start
    seconds: float
    problems: tuple[str, ...]
    changed: tuple[str, ...]  # the paths whose change caused it
    later: bool = False  # the rest of the last build, made in a pause (see `settle`)


class LiveServer:
    """Serves `files` and rebuilds them with `builder` when a `watch` path changes."""

    def __init__(
        self,
        builder: Builder,
        files: Files,
        watch: Sequence[Path],
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        mount: str = "/",
        report: Callable[[BuildReport], None] = lambda r: None,
        debounce: float = DEBOUNCE,
        findings: Callable[[], Sequence[str]] = tuple,
        settle: Settle = lambda stop: (),
    ) -> None:
        self.builder, self.files, self.report, self.settle = builder, files, report, settle
        self.findings = findings  # the last good build's check findings, for the page's panel
        self.debounce = debounce
        self.watch = tuple(p.absolute() for p in watch)
        self.mount = "/" + mount.strip("/") + "/" if mount.strip("/") else "/"
        self.generation = 0
        self.problems: tuple[str, ...] = ()
        self._cond = threading.Condition()
        self._pending: dict[str, float] = {}  # changed path -> first time seen
        self._last_change = 0.0
        self._settled = False  # whether the last build's work left for later is done
        self._stopping = threading.Event()
        self._observer = Observer()
        self._handler = _Events(self)
        self._folders: dict[Path, ObservedWatch] = {}
        self._threads: list[threading.Thread] = []
        # Binding here, not in start(), makes a busy port an error before the first build.
        self.httpd = PreviewServer((host, port), PreviewHandler)
        self.httpd.live = self  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}{self.mount}"

    def start(self) -> BuildReport:
        """Build once, then watch and serve in background threads."""
        self._watch()  # first: a save during the first build brings another one
        first = self._build(())
        for target in (self.httpd.serve_forever, self._rebuild_loop):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return first

    def wait(self) -> None:
        """Block until `close()` or Ctrl-C (the wait wakes often so signals get through)."""
        while not self._stopping.wait(0.5):
            pass

    def close(self) -> None:
        """Stop watching and serving; open event streams end at once. Ctrl-C is answered
        within `CLOSE_WAIT` seconds even if a part is slow to stop (a rebuild under way, a
        watcher thread): the threads are daemons, so the process may leave without them."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        stopper = threading.Thread(target=self._stop_parts, daemon=True)
        stopper.start()
        stopper.join(timeout=CLOSE_WAIT)

    def _stop_parts(self) -> None:
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join()
        if self._threads:
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """The build generation once it differs from `seen`, or after `timeout`."""
        with self._cond:
            self._cond.wait_for(lambda: self.generation != seen or self._stopping.is_set(), timeout)
            return self.generation

    def state(self) -> tuple[int, tuple[str, ...]]:
        """The latest build's generation and problems, read together."""
        with self._cond:
            return self.generation, self.problems

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def changed(self, path: str) -> None:
        """Note a change under a watched path; the rebuild loop waits for the burst to end."""
        if not self._relevant(Path(path)):
            return
        with self._cond:
            now = time.monotonic()
            self._pending.setdefault(path, now)
            self._last_change = now
            self._cond.notify_all()

    def _relevant(self, path: Path) -> bool:
        for root in self.watch:
            if path == root or root in path.parents:
                rel = path.relative_to(root).parts
                return not any(p.startswith(".") or p.endswith("~") for p in rel)
        return False

    def _watch(self) -> None:
        for root in sorted({p.parent for p in self.watch}):
            self._observer.schedule(
                self._handler, str(root), recursive=False, event_filter=EVENT_FILTER
            )
        for path in self.watch:
            if path.is_dir():
                self._folders[path] = self._observer.schedule(
                    self._handler, str(path), recursive=True, event_filter=EVENT_FILTER
                )
        self._observer.start()

    def watch_new_folder(self, path: str) -> None:
        """A watched folder created after start (e.g. the first `theme/`) is watched from now."""
        folder = Path(path)
        if folder not in self.watch:
            return
        if folder in self._folders:  # deleted and made again: its old watch died with it
            try:
                self._observer.unschedule(self._folders.pop(folder))
            except KeyError:
                pass
        self._folders[folder] = self._observer.schedule(
            self._handler, path, recursive=True, event_filter=EVENT_FILTER
        )
        for child in folder.rglob("*"):  # what appeared before the watch began
            self.changed(str(child))

    def _rebuild_loop(self) -> None:
        while True:
            changed = self._next_change()
            if self._stopping.is_set():
                return
            if changed is None:
                self._settle()
            else:
                self._build(changed)

    def _next_change(self) -> tuple[str, ...] | None:
        """The paths changed in the next burst of events, once it ends; None for a pause
        after a build, in which its rest is made."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._pending or self._stopping.is_set(),
                None if self._settled else SETTLE if self.generation > 1 else FIRST_SETTLE,
            )
            if not self._pending:
                self._settled = True
                return None
            while not self._stopping.is_set():  # debounce: wait for the burst to end
                now = time.monotonic()
                quiet_at = self._last_change + self.debounce
                give_up_at = min(self._pending.values()) + MAX_DELAY
                if now >= min(quiet_at, give_up_at):
                    break
                self._cond.wait(min(quiet_at, give_up_at) - now)
            changed = tuple(sorted(self._pending))
            self._pending.clear()
            self._settled = False
            return changed

    def _settle(self) -> None:
        """Finish the last build; a problem it finds is shown as a failed build's would be."""
        started = time.perf_counter()
        try:
            problems = tuple(self.settle(lambda: bool(self._pending) or self.stopping))
        except Exception as exc:  # noqa: BLE001 - as in _build
            problems = (f"{type(exc).__name__}: {exc}",)
        # What the builds left is the site kept in memory: millions of objects that every full
        # pass of the cycle collector would walk again (75 ms at 1,000 incidents, in the middle
        # of the next save). The young garbage goes first; what is left is set aside for good.
        gc.collect(1)
        gc.freeze()
        problems = tuple(dict.fromkeys((*self.problems, *problems)))  # a failed build's stay
        if problems == self.problems:
            return
        with self._cond:
            self.generation += 1
            self.problems = problems
            seconds = time.perf_counter() - started
            report = BuildReport(self.generation, seconds, problems, (), later=True)
            self._cond.notify_all()
        self.report(report)

    def _build(self, changed: tuple[str, ...]) -> BuildReport:
        started = time.perf_counter()
        try:
            problems = tuple(self.builder(changed))
        except Exception as exc:  # noqa: BLE001 - a broken build must not stop the preview
            problems = (f"{type(exc).__name__}: {exc}",)
        with self._cond:
            self.generation += 1
            self.problems = problems
            report = BuildReport(self.generation, time.perf_counter() - started, problems, changed)
            self._cond.notify_all()
        self.report(report)
        return report


class _Events(FileSystemEventHandler):
    def __init__(self, live: LiveServer) -> None:
        self.live = live

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return
        if event.is_directory and event.event_type == "modified":
            return  # the change of the file inside it is reported on its own
        if event.event_type == "created" and event.is_directory:
            self.live.watch_new_folder(str(event.src_path))
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.live.changed(str(path))


def site_builder(
    source: Path, when: Callable[[], datetime], cache_dir: Path | None = None, as_of: bool = False
) -> tuple[Builder, Files, Callable[[], Sequence[str]], Settle]:
    """A builder for the Heliograph site in `source`, kept in memory between builds, the files
    it last built well, that build's check findings and what finishes it (see LiveServer's
    `settle`); content and theme errors (a template being edited) become lines."""
    from heliograph.authoring.live import LiveSite

    live = LiveSite(source, cache_dir, as_of)

    def run(changed: Sequence[str]) -> list[str]:
        return live.rebuild(when(), changed)

    def files() -> Mapping[str, Any] | None:
        return live.outputs if live.built else None

    shown: list[Any] = [None, ()]  # the findings last asked for, and their lines

    def findings() -> tuple[str, ...]:
        """The last good build's check findings, `path:line: level: message`, many historic
        ones of a rule as one line (as `build` prints them, condensed as the findings changed:
        see incremental.condensed); made once per build, not for the terminal and again for
        every page served."""
        found, condensed = live.checked
        if shown[0] is not found:  # a save that changed no finding keeps the very tuple
            shown[:] = [found, tuple(str(f) for f in condensed)]
        lines: tuple[str, ...] = shown[1]
        return lines

    return run, files, findings, live.finish


def watched(source: Path) -> list[Path]:
    """What a Heliograph site is built from: the config, the incidents and the theme."""
    from heliograph.content.layout import CONFIG_NAME, INCIDENTS_DIR, THEME_DIR

    return [source / CONFIG_NAME, source / INCIDENTS_DIR, source / THEME_DIR]


def site_mount(source: Path) -> str:
    """The URL path the site's links assume (`/` unless site.url has a path)."""
    from heliograph.content.config import load_site
    from heliograph.render.pages import site_base

    site, _ = load_site(source)
    return site_base(site.url) if site else "/"
