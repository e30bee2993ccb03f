"""Where a build's time goes: the steps of `heliograph.build._build`, timed one by one.

    python bench/phases.py SITE            # build SITE at the benchmark's `now`, step by step
    python bench/phases.py SITE --runs 3   # the median of each step over three builds

It follows the recipe in build.py step by step (and so must follow it when that changes), with
the collector paused as `build` pauses it, and always builds in full: it does not take the
shortcut of a build with nothing to do. Add an update first (bench/corpus.py's `add_update`) to
time a one-update build.

The steps are timed one after the other, so they add up to more than a build's wall time: a
build makes the feeds, the API, the badges and the calendar in a second process while it makes
the pages, the sitemap and the search index.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

T0 = time.perf_counter()
from heliograph.build import BuildResult, Project, load_content  # noqa: E402
from heliograph.checks.site import check  # noqa: E402
from heliograph.incremental.session import BuildSession  # noqa: E402
from heliograph.publish.write import merge_outputs, write_site  # noqa: E402
from heliograph.render.api import render_api  # noqa: E402
from heliograph.render.badges import render_badges  # noqa: E402
from heliograph.render.calendar import render_calendar  # noqa: E402
from heliograph.render.feeds import render_feeds  # noqa: E402
from heliograph.render.pages import render_pages  # noqa: E402
from heliograph.render.search import render_search  # noqa: E402
from heliograph.render.sitemap import render_sitemap  # noqa: E402

IMPORTS = time.perf_counter() - T0
sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import corpus_now  # noqa: E402


def one_build(site: Path) -> dict[str, float]:
    """Seconds per step of one full build of `site`."""
    now, project = corpus_now(), Project.at(site)
    times: dict[str, float] = {}
    last = time.perf_counter()

    def step(name: str, run: Callable[[], object]) -> object:
        nonlocal last
        value = run()
        times[name] = time.perf_counter() - last
        last = time.perf_counter()
        return value

    session = step(
        "hash the sources (on both cores)",
        lambda: BuildSession.start(project.source, project.output, now, (False,)),
    )
    assert isinstance(session, BuildSession)
    loaders = step("fetch cached incidents, parse what is new", session.loaders)
    content = step("build the model", lambda: load_content(project, now, *loaders))
    findings = step("checks", lambda: check(content, now, session.findings(content, now)))
    pages = session.page_cache(content, now)
    theme = pages.theme
    html = step(
        "HTML pages",
        lambda: render_pages(content, now, theme, pages, pages.page, fragments=pages.fragment),
    )
    sitemap = step("sitemap", lambda: render_sitemap(content, now, html))
    feeds = step("feeds (beside the pages)", lambda: render_feeds(content, now))
    api = step("API (beside)", lambda: render_api(content, now))
    rest = step(
        "badges, calendar (beside)",
        lambda: (render_badges(content, now), render_calendar(content, now)),
    )
    search = step(
        "search index (kept entries)", lambda: render_search(content, now, kept=pages.fragment)
    )
    outputs = merge_outputs(dict(theme.assets), html, feeds, api, *rest, search, sitemap)
    report = step(
        "write", lambda: write_site(outputs, project.output, pages.unchanged, session.spare)
    )
    step(
        "store the cache",
        lambda: (
            session.finish(
                BuildResult(project.output, 0, len(outputs), 0, findings, report.written),
                report.stats,
                report.folders,
            ),
            session.close(),
        ),
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description="Time each step of a Heliograph build.")
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    gc.disable()
    runs = [one_build(args.site) for _ in range(args.runs)]
    steps = {
        "imports (all modules)": IMPORTS,
        **{name: statistics.median(r[name] for r in runs) for name in runs[0]},
    }
    steps["total"] = sum(steps.values())
    for name, seconds in steps.items():
        print(f"{name:40s} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
