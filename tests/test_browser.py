"""The built example in headless Chromium: what a visitor sees, on a phone and a desktop, light
and dark, with working links and no serious accessibility problem."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import EXAMPLE_NOW
from conftest_browser import (
    browser_type_launch_args,  # noqa: F401 - pytest fixture
    html_pages,
    page_url,
    serve,
)
from playwright.sync_api import Browser, Page

from heliograph.content.load import load
from heliograph.content.timefmt import iso_utc

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")  # axe impacts that fail a page

# Sum of the R, G, B channels of the page background: dark mode must really be dark.
BACKGROUND = (
    "getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3)"
    ".reduce((a, b) => a + Number(b), 0)"
)
LINKS = (
    "() => [...document.querySelectorAll('a[href], link[href], img[src], script[src], "
    "source[src], iframe[src]')].map(e => e.href || e.src)"
)


@pytest.fixture(scope="module")
def base_url_of_site(example_site: Path) -> Iterator[str]:
    with serve(example_site) as base:
        yield base


def page_types(site: Path) -> dict[str, str]:
    """One page of each kind (home, incident, component, month...), the largest of its kind."""
    kinds: dict[str, str] = {}
    for path in html_pages(site):
        parts = path.split("/")
        kind = f"{parts[0]}/{len(parts)}"
        if kind not in kinds or (site / path).stat().st_size > (site / kinds[kind]).stat().st_size:
            kinds[kind] = path
    return kinds


def open_page(browser: Browser, base: str, **context: object) -> Page:
    """A page in the site's own zone, its clock starting at the build's `now`: the script
    leaves the times as the site shows them and warns of no stale page."""
    context.setdefault("timezone_id", "America/New_York")
    page = browser.new_context(base_url=base, **context).new_page()
    page.clock.install(time=EXAMPLE_NOW)  # running, not paused: axe waits on timers
    page.problems = []  # console errors and uncaught exceptions, for the assertions
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return page


def visit(page: Page, path: str) -> None:
    response = page.goto(page_url(path))
    assert response is not None and response.status == 200, path


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", VIEWPORTS)
def test_every_page_type_is_readable_and_accessible(
    browser: Browser, base_url_of_site: str, example_site: Path, device: str, scheme: str
) -> None:
    page = open_page(browser, base_url_of_site, viewport=VIEWPORTS[device], color_scheme=scheme)
    axe, problems = Axe(), []
    for path in page_types(example_site).values():
        visit(page, path)
        assert page.get_by_role("heading", level=1).first.is_visible(), path
        wide = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if wide[0] > wide[1]:
            problems.append(f"{path}: scrolls sideways ({wide[0]} px content in {wide[1]} px)")
        background = page.evaluate(BACKGROUND)
        if (background < 384) != (scheme == "dark"):
            problems.append(f"{path}: background is not {scheme} (RGB sum {background})")
        for v in axe.run(page).response["violations"]:
            if v["impact"] in BLOCKING:
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{path}: axe {v['impact']} {v['id']}: {v['help']} {targets}")
        problems += [f"{path}: console: {p}" for p in page.problems]
        page.problems.clear()
    page.context.close()
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def desktop(browser: Browser, base_url_of_site: str) -> Iterator[Page]:
    page = open_page(browser, base_url_of_site, viewport=VIEWPORTS["desktop"])
    yield page
    page.context.close()


def test_home_banner_open_incident_and_maintenance(desktop: Page) -> None:
    desktop.goto("/")
    assert desktop.get_by_role("heading", level=1).inner_text() == "Partial System Outage"
    text = desktop.locator(
        "section", has=desktop.get_by_role("heading", name="Open incidents")
    ).inner_text()
    assert "Scheduled posts publishing late" in text and "Identified" in text
    assert "Next update expected by 11:05" in text
    upcoming = desktop.locator(
        "section", has=desktop.get_by_role("heading", name="Scheduled maintenance")
    )
    assert "CDN provider migration" in upcoming.inner_text()


def test_home_statuses_match_each_component_page(desktop: Page, example_site: Path) -> None:
    desktop.goto("/")
    rows = desktop.evaluate("""() => [...document.querySelectorAll('main a[href*="/components/"]')]
        .map(a => [a.getAttribute('href'), a.textContent.trim(),
                   a.closest('li').textContent.replace(a.textContent, '').trim()])""")
    assert len(rows) == sum(1 for p in html_pages(example_site) if p.startswith("components/"))
    shown = {}
    for href, name, row in rows:
        status = row.strip().split("\n")[0].strip()  # the status comes first, then any bars
        desktop.goto(href)
        assert desktop.get_by_role("heading", level=1).inner_text() == name
        current = desktop.get_by_text("Current status:").inner_text()
        shown[name] = status
        assert current == f"Current status: {status}", f"{name}: home says {status!r}"
    assert shown["Post scheduler"] == "Degraded performance"
    assert shown["Public API"] == "Operational"


def test_updates_are_shown_newest_first(desktop: Page, example_source: Path) -> None:
    content, errors = load(example_source, EXAMPLE_NOW)
    assert errors == []
    for incident in content.incidents:
        desktop.goto(f"/incidents/{incident.slug}/")
        times = desktop.evaluate("""() => {
            const h = [...document.querySelectorAll('h2')]
                .find(h => h.textContent.trim() === 'Updates');
            return [...h.closest('section').querySelectorAll('ol > li')]
                .map(li => li.querySelector('time').getAttribute('datetime'));
        }""")
        expected = sorted((iso_utc(u.at) for u in incident.updates), reverse=True)
        assert times == expected, incident.slug
        assert desktop.get_by_role("heading", level=1).inner_text() == incident.title


def test_no_internal_link_is_broken(
    desktop: Page, base_url_of_site: str, example_site: Path
) -> None:
    site_url = load_site_url(example_site)
    targets: dict[str, str] = {}
    missing_anchors = []
    for path in html_pages(example_site):
        visit(desktop, path)
        for link in desktop.evaluate(LINKS):
            if link.startswith(site_url + "/") or link == site_url:
                link = base_url_of_site + link.removeprefix(site_url)
            if not link.startswith(base_url_of_site):
                continue
            target, fragment = urldefrag(link)
            targets.setdefault(target, path)
            if fragment and target == desktop.url and desktop.locator(f"#{fragment}").count() != 1:
                missing_anchors.append(f"{path}: #{fragment}")
    broken = [
        f"{source} links to {urlsplit(t).path}: {status_of(t)}"
        for t, source in sorted(targets.items())
        if status_of(t) != 200
    ]
    assert len(targets) > len(html_pages(example_site))
    assert broken + missing_anchors == []


def load_site_url(site: Path) -> str:
    """The site's own absolute URL, read back from the home page's canonical link."""
    home = (site / "index.html").read_text(encoding="utf-8")
    start = home.index('rel="canonical" href="') + len('rel="canonical" href="')
    return home[start : home.index('"', start)].rstrip("/")


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
