"""Live preview: rebuild on change, serve the last good build on 127.0.0.1, reload open tabs.

The server knows nothing of how a site is built: it takes a `builder` callable, as MkDocs'
livereload does; `site_builder` at the end is the one place it meets the Heliograph build.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from heliograph.authoring.previewhttp import PreviewHandler, PreviewServer

Builder = Callable[[], Sequence[str]]
"""Builds the site into the served folder; returns its problems (`path:line: message`), or []."""

DEBOUNCE = 0.1  # seconds of quiet that end a burst of saves (editors write, rename, chmod)
MAX_DELAY = 1.0  # a file written continuously still gets a rebuild this often
CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})  # not opened/read


@dataclass(frozen=True)
class BuildReport:
    """One build attempt, for the terminal."""

    number: int  # 1 is the build at start
    seconds: float
    problems: tuple[str, ...]
    changed: tuple[str, ...]  # the paths whose change caused it


class LiveServer:
    """Serves `site_dir` and rebuilds it with `builder` when a `watch` path changes."""

    def __init__(
        self,
        builder: Builder,
        site_dir: Path,
        watch: Sequence[Path],
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        mount: str = "/",
        report: Callable[[BuildReport], None] = lambda r: None,
        debounce: float = DEBOUNCE,
        findings: Callable[[], Sequence[str]] = tuple,
    ) -> None:
        self.builder, self.site_dir, self.report = builder, site_dir, report
        self.findings = findings  # the last good build's check findings, for the page's panel
        self.debounce = debounce
        self.watch = tuple(p.absolute() for p in watch)
        self.mount = "/" + mount.strip("/") + "/" if mount.strip("/") else "/"
        self.generation = 0
        self.problems: tuple[str, ...] = ()
        self._cond = threading.Condition()
        self._pending: dict[str, float] = {}  # changed path -> first time seen
        self._last_change = 0.0
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
        first = self._build(())
        self._watch()
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
        """Stop watching and serving; open event streams end at once."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
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
            self._observer.schedule(self._handler, str(root), recursive=False)
        for path in self.watch:
            if path.is_dir():
                self._folders[path] = self._observer.schedule(
                    self._handler, str(path), recursive=True
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
        self._folders[folder] = self._observer.schedule(self._handler, path, recursive=True)
        for child in folder.rglob("*"):  # what appeared before the watch began
            self.changed(str(child))

    def _rebuild_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping.is_set())
                if self._stopping.is_set():
                    return
                while not self._stopping.is_set():  # debounce: wait for the burst to end
                    now = time.monotonic()
                    quiet_at = self._last_change + self.debounce
                    give_up_at = min(self._pending.values()) + MAX_DELAY
                    if now >= min(quiet_at, give_up_at):
                        break
                    self._cond.wait(min(quiet_at, give_up_at) - now)
                changed = tuple(sorted(self._pending))
                self._pending.clear()
            self._build(changed)

    def _build(self, changed: tuple[str, ...]) -> BuildReport:
        started = time.perf_counter()
        try:
            problems = tuple(self.builder())
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
    source: Path, output: Path, when: Callable[[], datetime], findings: list[str] | None = None
) -> Builder:
    """A builder for the Heliograph site in `source`: content and theme errors become lines;
    a good build's check findings (`path:line: level: message`) replace those in `findings`."""
    import jinja2

    from heliograph.build import Project, build
    from heliograph.content.errors import ContentErrors

    def run() -> list[str]:
        try:
            result = build(Project.at(source, output), when())  # re-reads components.yaml
            if findings is not None:
                findings[:] = [str(f) for f in result.findings]
        except ContentErrors as exc:
            return [str(e) for e in exc.errors]
        except jinja2.TemplateError as exc:  # a theme override being edited
            return [template_problem(exc, source)]
        return []

    return run


def template_problem(exc: Exception, source: Path) -> str:
    """`theme/templates/x.html:12: message`: where in a template a theme error is."""
    line = getattr(exc, "lineno", None)
    file = getattr(exc, "filename", None) if line else None
    if file is None:  # a render error: Jinja puts the template's own lines in the traceback
        frame = next(
            (
                f
                for f in reversed(traceback.extract_tb(exc.__traceback__))
                if f.filename.endswith(".html")
            ),
            None,
        )
        file, line = (frame.filename, frame.lineno) if frame else ("theme", 1)
    where = Path(file).absolute()
    shown = where.relative_to(source.absolute()) if source.absolute() in where.parents else file
    return f"{shown}:{line}: {getattr(exc, 'message', None) or exc}"


def scratch_dir() -> str | None:
    """Where the private preview build goes: memory-backed /dev/shm when there is one, since the
    build is thrown away and writing it to disk was half of each rebuild; else the temp dir."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


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
