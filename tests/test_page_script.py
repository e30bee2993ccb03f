"""The page script in headless Chromium: times in the visitor's zone, relative times, a toggle
back to the site's zone; and the pages as they are without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import EXAMPLE_NOW
from conftest_browser import browser_type_launch_args, serve  # noqa: F401 - pytest fixture
from playwright.sync_api import Browser, Page, expect

OPEN = "/incidents/2026-11-24-scheduled-posts-delayed/"
MINUTE = timedelta(minutes=1)
STALE = "This page may be out of date: last updated"


@pytest.fixture(scope="module")
def base(example_site: Path) -> Iterator[str]:
    with serve(example_site) as url:
        yield url


def visitor(
    browser: Browser, base: str, zone: str, later: timedelta = MINUTE, **context: object
) -> Page:
    """A visitor in `zone` whose clock stands still `later` after the build."""
    page = browser.new_context(base_url=base, timezone_id=zone, **context).new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    if context.get("java_script_enabled", True):
        page.clock.install(time=EXAMPLE_NOW)
        page.clock.pause_at(EXAMPLE_NOW + later)
    return page


def times(page: Page) -> list[str]:
    return page.locator("main time").all_inner_texts()


def test_times_follow_the_visitors_zone_and_toggle_back(browser: Browser, base: str) -> None:
    page = visitor(browser, base, "Asia/Tokyo", locale="en-GB")
    page.goto(OPEN)
    shown = times(page)
    # 14:15 UTC is 23:15 in Tokyo; the update came 56 minutes before the visitor's clock
    assert any("23:15" in t and "GMT+9" in t and "56 minutes ago" in t for t in shown), shown
    assert page.locator(".zone-name").inner_text() == "Asia/Tokyo"
    toggle = page.get_by_role("button", name="Show times in America/New_York")
    toggle.click()
    back = times(page)
    assert any(t.startswith("24 Nov 2026, 09:15 EST") for t in back), back
    assert page.locator(".zone-name").inner_text() == "America/New_York"
    page.reload()  # the choice is remembered
    assert page.get_by_role("button", name="Show times in your time zone (Asia/Tokyo)").is_visible()
    assert page.problems == []
    page.context.close()


def test_without_javascript_times_stay_in_the_sites_zone(browser: Browser, base: str) -> None:
    page = visitor(browser, base, "Asia/Tokyo", java_script_enabled=False)
    page.goto(OPEN)
    assert "24 Nov 2026, 09:15 EST" in times(page)
    assert page.locator(".zone-toggle").is_hidden()
    assert page.locator(".stale").is_hidden()
    assert page.locator(".next").inner_text() == "Next update expected by 11:05 (EST)"
    assert "Page built 24 Nov 2026, 10:10 EST" in page.locator("main").inner_text()
    page.context.close()


def test_an_old_page_says_so_and_a_late_update_is_told(browser: Browser, base: str) -> None:
    fresh = visitor(browser, base, "America/New_York")
    fresh.goto("/")
    assert fresh.locator(".stale").is_hidden()  # a minute old: as expected
    fresh.context.close()
    # 65 minutes after the build (stale_after is 20 min), the promised 16:05 UTC passed
    page = visitor(browser, base, "America/New_York", later=timedelta(minutes=65))
    for path in ("/", OPEN):
        page.goto(path)
        warning = page.get_by_role("status")
        assert warning.inner_text() == f"{STALE} 1 hour ago.", path
        assert page.locator(".next").first.inner_text() == "Last update 1 hour ago", path
    assert page.problems == []
    page.context.close()


def test_an_open_incident_refreshes_every_minute_unless_hidden(browser: Browser, base: str) -> None:
    page = visitor(browser, base, "UTC")
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.goto(OPEN)
    page.clock.run_for(30_000)
    assert len(loads) == 1  # not before the minute is up
    with page.expect_event("load"):
        page.clock.run_for(31_000)
    assert len(loads) == 2
    page.goto("/history/")  # no open incident here: no refresh
    page.clock.run_for(120_000)
    assert loads[-1].endswith("/history/") and len(loads) == 3
    page.context.close()
    hidden = visitor(browser, base, "UTC")
    hidden.add_init_script(
        "Object.defineProperty(document, 'visibilityState', {get: () => 'hidden'})"
    )
    hidden_loads: list[str] = []
    hidden.on("load", lambda p: hidden_loads.append(p.url))
    hidden.goto(OPEN)
    hidden.clock.run_for(180_000)
    assert len(hidden_loads) == 1
    hidden.context.close()


def test_the_archive_searches_titles_and_updates_and_filters_by_component(
    browser: Browser, base: str
) -> None:
    page = visitor(browser, base, "UTC")
    page.goto("/history/")
    search = page.get_by_label("Search titles and updates")
    results = page.locator(".results li")
    search.fill("pool exhausted")  # words of a title
    expect(results).to_have_text(
        [re.compile("^Database connection pool exhausted during traffic spike ")]
    )
    search.fill("oldest first")  # words only an update says
    expect(results).to_have_text([re.compile("^Scheduled posts publishing late ")])
    results.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled posts publishing late")
    page.go_back()
    page.get_by_label("Search titles and updates").fill("")
    page.get_by_label("Component").select_option(label="Sign-in")
    shown = page.locator(".titles li:visible a").all_inner_texts()
    assert shown == ["API and dashboard unavailable", "Errors signing in with SSO"]
    page.get_by_label("Search titles and updates").fill("delayed")
    expect(results).to_have_text(["No incidents match your search."])
    assert page.problems == []
    page.context.close()


def test_without_javascript_the_archive_lists_titles_and_hides_the_finder(
    browser: Browser, base: str
) -> None:
    page = visitor(browser, base, "UTC", java_script_enabled=False)
    page.goto("/history/")
    assert page.locator(".finder").is_hidden()
    titles = page.locator(".month", has_text="November 2026").locator(".titles a")
    assert titles.all_inner_texts() == [
        "Scheduled posts publishing late",
        "Search results out of date",
    ]
    page.context.close()
