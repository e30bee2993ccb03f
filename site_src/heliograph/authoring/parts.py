"""The preview's site, made part by part, each part when first asked for.

After a save the open tab asks for one page. The incident pages are known at once (each one
rendered when first asked for, see incremental.pages.LazyPage); the other pages, each output
beside them (feeds, API, badges, calendar, search) and the sitemap are parts, each made whole
the first time one of its files is asked for, and all of them once the author pauses (`finish`,
which gives way to the next save between parts and between the other pages). So a save shows
on the incident page without the feeds being made first, as Hugo's server renders the pages
being viewed first. Every part is made from the same model by the same functions as a cold
build's, so every file is the one a cold build writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from heliograph.build import collection_paused
from heliograph.content.model import Content
from heliograph.incremental.pages import DEFERRED, Glimpsed, Interrupted, MemoryPages
from heliograph.render.theme import Theme, as_content_error
from heliograph.state.reuse import Memo

Part = Callable[[], Mapping[str, Any]]


class SiteParts(Mapping[str, Any]):
    """The files of one preview build by output path: bytes, or anything `bytes()` turns into
    them. `lock` is held while a part is made: the build that follows waits for it."""

    def __init__(
        self,
        source: Path,
        content: Content,
        now: datetime,
        theme: Theme,
        pages: MemoryPages,
        reuse: Memo,
        lock: threading.RLock,
        previous: SiteParts | None = None,
    ) -> None:
        from heliograph.build import beside_parts
        from heliograph.publish.write import merge_outputs
        from heliograph.render.pages import render_pages
        from heliograph.render.sitemap import render_sitemap

        self._lock = lock
        # the last good build's files, served in place of a part that fails to be made
        self._previous = previous
        self.problems: list[str] = []  # `path:line: message`, of the parts that failed
        self._ready: dict[str, Any] = merge_outputs(
            dict(theme.assets), pages(content, now, theme, content.incidents)
        )

        def other_pages(only: str | None = None) -> Mapping[str, Any]:
            pages.only = only  # the others DEFERRED: data is made for them, not their HTML
            try:
                return render_pages(content, now, theme, _none, pages.page, reuse)
            except Glimpsed as done:  # the pass ended at the page it was for
                self._glimpse_whole = False
                return {done.path: done.page}
            finally:
                pages.only = None

        self._glimpse_of: Callable[[str], Mapping[str, Any]] = lambda path: as_content_error(
            source, partial(other_pages, path)
        )
        # the other pages with one made: the one a tab asked for first; a pass that made no
        # page names every other page (each DEFERRED), one that made its page that page alone
        self._glimpse: Mapping[str, Any] | None = None
        self._glimpse_whole = True

        def sitemap() -> Mapping[str, Any]:
            shown = [*self._ready, *self._made(0)]
            return render_sitemap(content, now, shown, reuse)

        # the other pages, then the feeds, the API, ... one by one, then the sitemap
        parts: tuple[Part, ...] = (other_pages, *beside_parts(content, now, reuse), sitemap)
        self._parts = tuple(partial_errors(source, part) for part in parts)
        self._pages = pages
        self._done: list[Mapping[str, Any] | None] = [None] * len(self._parts)
        self._failed: set[int] = set()

    @property
    def complete(self) -> bool:
        """Whether every part is made (then the next build may forget what this one left)."""
        return all(done is not None for done in self._done)

    def finish(self, stop: Callable[[], bool] = lambda: False) -> list[str]:
        """Make every part not made yet (between parts, and between the other pages, return
        early if `stop()`); the problems of the parts that failed."""
        for i in range(len(self._parts)):
            if stop() or self._making(i, stop) is None:
                break
        if self.complete:
            self._previous = None  # nothing falls back on it any more
        return list(self.problems)

    def made(self) -> dict[str, Any]:
        """The files this build made so far (not those it fell back on): what the next build
        may reuse without making the rest."""
        out = dict(self._ready)
        out.update(self._pages.made())  # the other pages made by a pass not done (or done)
        for i, done in enumerate(self._done):
            if i not in self._failed:
                out.update(done or {})
        return out

    def _made(self, i: int) -> Mapping[str, Any]:
        done = self._making(i, None)
        assert done is not None  # nothing to stop it
        return done

    def _making(self, i: int, stop: Callable[[], bool] | None) -> Mapping[str, Any] | None:
        """Part `i`, made now if not yet; None if `stop()` ended it first (the other pages
        made so far are kept: see `made`)."""
        from heliograph.content.errors import ContentErrors

        done = self._done[i]
        if done is None:
            with self._lock, collection_paused():  # as LiveSite.rebuild
                done = self._done[i]
                if done is None:
                    self._pages.stop = stop  # under the lock: for this making only
                    try:
                        done = self._parts[i]()
                    except Interrupted:
                        return None
                    except ContentErrors as exc:  # the last good site stays served
                        self.problems += [str(e) for e in exc.errors]
                        self._failed.add(i)
                        done = self._previous._made(i) if self._previous is not None else {}
                    finally:
                        self._pages.stop = None
                    self._done[i] = done
        return done

    def _find(self, path: str) -> Mapping[str, Any] | None:
        if path in self._ready:
            return self._ready
        start = 0
        if self._done[0] is None and (glimpse := self._glimpsed(path)) is not None:
            if path in glimpse and glimpse[path] is not DEFERRED:
                return glimpse
            if path not in glimpse and self._glimpse_whole:
                start = 1  # not one of the other pages: the whole of them is not needed
        for i in range(start, len(self._parts)):
            if path in (part := self._made(i)):
                return part
        return None

    def _glimpsed(self, path: str) -> Mapping[str, Any] | None:
        """The other pages with the one at `path` made (if it is one of them), once a build:
        after a change to the settings every page is new, and the tab waits for one only."""
        from heliograph.content.errors import ContentErrors

        with self._lock, collection_paused():
            if self._glimpse is None and self._done[0] is None:
                try:
                    self._glimpse = self._glimpse_of(path)
                except ContentErrors:  # as the whole part would: made whole, it falls back
                    return None
            return self._glimpse

    def __getitem__(self, path: str) -> Any:
        part = self._find(path)
        if part is None:
            raise KeyError(path)
        return part[path]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self._find(path) is not None

    def _all(self) -> dict[str, Any]:
        from heliograph.publish.write import merge_outputs

        return merge_outputs(self._ready, *(self._made(i) for i in range(len(self._parts))))

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _none(*_: Any) -> dict[str, bytes]:
    """No incident pages: SiteParts has them already."""
    return {}


def partial_errors(source: Path, part: Part) -> Part:
    """`part`, with a theme's error in it coming out as ContentErrors (one line, its place)."""
    return lambda: as_content_error(source, part)
