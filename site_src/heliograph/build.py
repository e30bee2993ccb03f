"""`build(project, now)`: load, check, render, write, as one recipe.

The recipe is the plain pipeline of the stages (content -> state -> checks -> render ->
publish). With the cache on, `incremental` lends it a reader, an incident loader, a memo of
each incident's findings, a memo of pages and a spare tree: each only saves work, so a build
without them (`use_cache=False`, the CLI's `--no-cache`) writes the same bytes.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from heliograph.checks.findings import CheckFailed, Finding, KeptFindings
from heliograph.content.layout import OUTPUT_DIR

if TYPE_CHECKING:
    from heliograph.content.corrections import Correction
    from heliograph.content.load import IncidentLoader, Reader
    from heliograph.content.model import Content
    from heliograph.incremental.messages import Used
    from heliograph.incremental.session import BuildSession
    from heliograph.render.pages import FragmentMemo, IncidentPages, PageMemo
    from heliograph.render.theme import Theme
    from heliograph.state.reuse import Memo

# Every stage is imported by the function that uses it: a build with nothing to do (see
# BuildSession.previous) finishes before it would need YAML, Jinja or Markdown.

DEFAULT_OUTPUT = OUTPUT_DIR
R = TypeVar("R")
# The last build's session (its model, its memos), let go when the next build starts: freeing
# a large site's model object by object costs a build at 10,000 incidents 0.04 s, and the
# command leaves without freeing anything (cli.main.run), so a build need not wait for it.
_last_session: list[BuildSession] = []


@dataclass(frozen=True)
class Project:
    """Where a site's sources are and where its build goes."""

    source: Path
    output: Path

    @classmethod
    def at(cls, source: Path, output: Path | None = None) -> Project:
        return cls(source, output if output is not None else source / DEFAULT_OUTPUT)


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    files: int
    bytes: int
    findings: Sequence[Finding] = ()  # KeptFindings: what is shown of them at hand
    written: int = 0  # files written anew; the rest were unchanged and kept


def load_content(
    project: Project,
    now: datetime,
    read: Reader | None = None,
    one: IncidentLoader | None = None,
    as_of: bool = False,
) -> Content:
    """The model of the site, or ContentErrors with every problem in it.

    An update dated after `now` is an error (a mistyped date), unless `as_of`: `now` is then a
    moment chosen to see the site as it stood (`--now`), and later updates are left out.
    """
    return load_model(project, now, read, one, as_of)[1]


def load_model(
    project: Project,
    now: datetime,
    read: Reader | None = None,
    one: IncidentLoader | None = None,
    as_of: bool = False,
) -> tuple[Content, Content]:
    """The model as the folders hold it, and as it is shown at `now` (the same object unless
    `as_of` left later files out); see `load_content`."""
    from heliograph.content.asof import LATEST, published

    loaded = _loaded(project, LATEST if as_of else now, read, one)
    return loaded, published(loaded, now) if as_of else loaded


def load_cached(
    project: Project, now: datetime, as_of: bool = False, cache_dir: Path | None = None
) -> Content:
    """The model as a build sees it (`corrected_content`), read through the build cache: for a
    command that only reads the site (`notify`), as fast as a warm build's load. It waits for
    a build of the same cache to finish, and stores nothing of a build (the next build is not
    skipped)."""
    return _read_cached(project, now, as_of, cache_dir, lambda _session, _loaded, shown: shown)


def _read_cached(
    project: Project,
    now: datetime,
    as_of: bool,
    cache_dir: Path | None,
    use: Callable[[BuildSession, Content, Content], R],
) -> R:
    """What `use` makes of the model, as the folders hold it and as shown (see `load_model`),
    read through the build cache with the session that read it (see `load_cached`)."""
    from heliograph.content.asof import LATEST, published
    from heliograph.content.corrections import apply
    from heliograph.incremental.cache import cache_dir as resolved
    from heliograph.incremental.session import BuildSession
    from heliograph.publish.lock import held

    cache = resolved(project.source, cache_dir)
    with collection_paused(), held(cache, f"a read of {project.source}", file=cache / "build.lock"):
        session = BuildSession.start(project.source, project.output, now, ("read",), cache)
        try:
            loaded = _loaded(project, LATEST if as_of else now, *session.loaders())
            loaded = apply(loaded, dict(session.corrections))
            return use(session, loaded, published(loaded, now) if as_of else loaded)
        finally:
            session.close()


def _findings_again(
    project: Project, now: datetime, as_of: bool, cache_dir: Path | None
) -> tuple[Finding, ...]:
    """The findings of a build that the last build answered for (see `_cached`), worked out
    again through the cache: the checks of each settled incident are kept there."""
    from heliograph.checks.site import check, incident_findings

    def checked(session: BuildSession, loaded: Content, content: Content) -> tuple[Finding, ...]:
        memo = session.findings(content, now) if content is loaded else incident_findings
        return check(content, now, memo)

    return _read_cached(project, now, as_of, cache_dir, checked)


def _loaded(
    project: Project, now: datetime, read: Reader | None = None, one: IncidentLoader | None = None
) -> Content:
    from heliograph.content.errors import ContentErrors
    from heliograph.content.load import load, read_document

    content, errors = load(project.source, now, read or read_document, one)
    if errors or content is None:
        raise ContentErrors(errors)
    return content


def corrections_of(project: Project) -> dict[str, Correction]:
    """The corrections of the site's published updates, from its git history if it has one."""
    from heliograph.content.corrections import corrections_of, git_history

    return corrections_of(project.source, git_history(project.source))


def corrected_content(project: Project, now: datetime, as_of: bool = False) -> Content:
    """`load_content` with each corrected update marked, as a build sees it."""
    from heliograph.content.asof import LATEST, published
    from heliograph.content.corrections import apply

    loaded = apply(_loaded(project, LATEST if as_of else now), corrections_of(project))
    return published(loaded, now) if as_of else loaded


def render_site(
    project: Project,
    content: Content,
    now: datetime,
    incidents: IncidentPages | None = None,
    memo: PageMemo | None = None,
    theme: Theme | None = None,
    reuse: Memo | None = None,
    fragments: FragmentMemo | None = None,
) -> dict[str, bytes]:
    """Every output file of the site, by path; the feeds, the API, the badges and the calendar
    are made on another core while the pages are. `theme` is the site's, if already read (the
    one the page cache keyed its pages by); `reuse` may answer for parts made before (then
    all is made here: a memo lives in this process), `fragments` for parts of pages (the page
    cache's)."""
    from heliograph.incremental.cores import Beside
    from heliograph.incremental.messages import take_back
    from heliograph.publish.write import merge_outputs
    from heliograph.render.pages import incident_pages, render_pages
    from heliograph.render.search import render_search
    from heliograph.render.sitemap import render_sitemap
    from heliograph.render.theme import as_content_error, load_theme
    from heliograph.state.reuse import fresh

    theme = theme or load_theme(project.source)
    # with the cache's `fragments`, the search index is made here from the entries they keep
    # (in this process, whose store they are), once the pages are; else beside them
    kept = fragments is not None
    beside = Beside(
        lambda: _feeds_and_more(content, now, reuse, search=not kept), alone=reuse is not None
    )

    def pages_and_sitemap() -> tuple[dict[str, bytes], ...]:
        pages = render_pages(
            content, now, theme, incidents or incident_pages, memo, reuse or fresh, fragments
        )
        sitemap = render_sitemap(content, now, pages, reuse or fresh)
        return pages, sitemap, render_search(content, now, fresh, fragments) if kept else {}

    try:  # a theme's error is one line, no traceback
        here = as_content_error(project.source, pages_and_sitemap)
    finally:  # waited for even if the pages failed, so that no process is left behind
        more, used = beside.result()
    take_back(used)
    return merge_outputs(dict(theme.assets), *here, *more)


def _feeds_and_more(
    content: Content, now: datetime, reuse: Memo | None = None, search: bool = True
) -> tuple[tuple[dict[str, bytes], ...], Used | None]:
    """The outputs that `render_site` makes beside the pages, and, in a worker process, the
    rendered messages it used (see incremental.messages.go_offline)."""
    from heliograph.incremental.cores import forked
    from heliograph.incremental.messages import go_offline
    from heliograph.state.reuse import fresh

    offline = go_offline() if forked() else None
    more = render_beside(content, now, reuse or fresh, search)
    return more, offline.report() if offline is not None else None


def render_beside(
    content: Content, now: datetime, reuse: Memo, search: bool = True
) -> tuple[dict[str, bytes], ...]:
    """The outputs that are not pages: the feeds, the API, the badges, the calendar and (with
    `search`) the search index; `reuse` may answer for parts made before."""
    return tuple(make() for make in beside_parts(content, now, reuse, search))


def beside_parts(
    content: Content, now: datetime, reuse: Memo, search: bool = True
) -> tuple[Callable[[], dict[str, bytes]], ...]:
    """What makes each of `render_beside`'s outputs, in its order: the preview makes them
    one at a time, and a save between two need not wait for the rest."""
    from heliograph.render.api import render_api
    from heliograph.render.badges import render_badges
    from heliograph.render.calendar import render_calendar
    from heliograph.render.feeds import render_feeds
    from heliograph.render.search import render_search

    return (
        partial(render_feeds, content, now, reuse),
        partial(render_api, content, now, reuse),
        partial(render_badges, content, now),
        partial(render_calendar, content, now, reuse),
        *([partial(render_search, content, now, reuse)] if search else []),
    )


@contextmanager
def collection_paused() -> Iterator[None]:
    """The model of a large site is millions of long-lived objects, and every full pass of the
    cycle collector walks them all (a second of a warm build at 10,000 incidents); a build's
    own garbage is freed by reference counting, so cycles wait until the build ends.

    Everything allocated meanwhile is then moved to the oldest generation without a pass
    (`freeze` then `unfreeze`): the first young-generation pass after the build would
    otherwise walk it all (0.2 s at 10,000 incidents); a later full pass still reclaims it.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was:
            gc.enable()


def build(
    project: Project,
    now: datetime,
    strict: bool = False,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    as_of: bool = False,
) -> BuildResult:
    """Build the site into `project.output`; on any content error nothing is written.

    The checks' findings come back in the result; with `strict`, any finding stops the build
    (CheckFailed) before anything is written. The cache (`cache_dir`, else
    $HELIOGRAPH_CACHE_DIR, else SOURCE/.heliograph-cache) only saves work: the bytes are the
    same, and `use_cache=False` runs the plain pipeline without reading or writing it. With
    `as_of`, the site is built as it stood at `now` (see `load_content`).
    """
    from heliograph.publish.lock import held

    # One build of an output at a time (and of a cache): a second one waits, then says who
    # holds it; the output's lock comes first, always, so two builds cannot hold one each.
    with collection_paused(), held(project.output, f"a build of {project.source}"):
        if not use_cache:
            return _pipeline(project, now, strict, None, as_of, corrections_of(project))
        from heliograph.incremental.cache import cache_dir as resolved
        from heliograph.incremental.session import BuildSession

        _last_session.clear()
        cache = resolved(project.source, cache_dir)
        with held(cache, f"a build of {project.source}", file=cache / "build.lock"):
            session = BuildSession.start(
                project.source, project.output, now, (strict, as_of), cache, may_skip=True
            )
            try:
                return _cached(project, now, strict, session, as_of, dict(session.corrections))
            finally:
                session.close()
                _last_session.append(session)


def _cached(
    project: Project,
    now: datetime,
    strict: bool,
    session: BuildSession,
    as_of: bool,
    corrections: dict[str, Correction],
) -> BuildResult:
    """The pipeline with the cache's helpers, or the last build itself if nothing changed.

    The last build's findings are kept as it showed them (the lines and the counts): the
    findings themselves are worked out again if something asks for them (`--all-findings`),
    rather than stored by every build (7 MB at 10,000 incidents).
    """
    again = partial(_findings_again, project, now, as_of, session.cache.directory)
    done = session.previous(again)
    # (a strict build with findings writes nothing, so the last one to finish had none)
    if done is None or strict and done.findings:
        return _pipeline(project, now, strict, session, as_of, corrections)
    # the same inputs as the last build, whose output is still there untouched
    from heliograph.publish.write import clear_leftovers

    clear_leftovers(project.output)  # a build killed after its swap left them
    return replace(done, written=0)


def _pipeline(
    project: Project,
    now: datetime,
    strict: bool,
    session: BuildSession | None = None,
    as_of: bool = False,
    corrections: dict[str, Correction] | None = None,
) -> BuildResult:
    """load -> check -> render -> write. Where the incremental layer's `session` is given, it
    hands each step a helper that saves work: a reader and an incident loader, a memo of each
    incident's findings, a memo of pages, a spare tree."""
    from heliograph.checks.site import check, incident_findings
    from heliograph.content.asof import LATEST, published
    from heliograph.content.corrections import apply
    from heliograph.publish.write import write_site

    loaded = _loaded(project, LATEST if as_of else now, *(session.loaders() if session else ()))
    loaded = apply(loaded, corrections or {})
    content = published(loaded, now) if as_of else loaded
    # The cache keeps findings and pages by incident folder: not those of incidents cut short
    memo = session if content is loaded else None
    findings = check(content, now, memo.findings(content, now) if memo else incident_findings)
    if strict and findings:
        raise CheckFailed(findings)
    pages = memo.page_cache(content, now) if memo else None
    outputs = (
        render_site(project, content, now, pages, pages.page, pages.theme, None, pages.fragment)
        if pages
        else render_site(project, content, now)
    )
    # Everything is rendered before anything is written: a failure above leaves the old site.
    report = write_site(
        outputs,
        project.output,
        pages.unchanged if pages else frozenset(),
        session.spare if session else None,
    )
    result = BuildResult(
        project.output,
        sum(p.endswith(".html") for p in outputs),
        len(outputs),
        sum(len(b) for b in outputs.values()),
        KeptFindings.of(findings),
        report.written,
    )
    if session:
        session.finish(result, report.stats, report.folders)  # as the write left them
    return result
