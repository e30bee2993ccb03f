"""Daily uptime, worked out by hand and read back from the built pages as a visitor sees them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import update
from conftest_browser import (
    browser_type_launch_args,  # noqa: F401 - pytest fixture
    serve,
)
from htmlread import cls, page, texts
from lxml.html import HtmlElement
from playwright.sync_api import Browser

from heliograph.build import Project, build
from heliograph.content.load import load
from heliograph.content.model import ComponentStatus
from heliograph.state.uptime import percent, site_uptime

HOUR = Fraction(1, 24)  # of a full day


def config(timezone: str = "UTC", days: int = 2) -> str:
    """Two lone components and a group whose second member hides its bars."""
    return f"""\
site:
  name: Test Co
  url: https://status.test.example
  timezone: {timezone}
  uptime_days: {days}
components:
  - id: api
    name: Public API
  - id: web
    name: Web app
  - group: Dashboard
    components:
      - {{id: login, name: Sign-in}}
      - {{id: search, name: Search, show_uptime: false}}
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def incident(slug: str, title: str, steps: list[tuple[str, str, dict[str, str]]]) -> dict[str, str]:
    """Update files for one incident: (at, status, components it sets) per update."""
    files = {}
    for n, (when, status, components) in enumerate(steps, 1):
        front: dict[str, object] = {"components": components} if components else {}
        if n == 1:
            front.update(title=title, severity="SEV-2")
        files[f"incidents/{slug}/{n:02d}.md"] = update(when, status, **front)
    return files


def built(
    make_site: Callable[..., Path], files: dict[str, str], now: str, **settings: object
) -> Path:
    """Build a throwaway site at `now`; returns the output folder."""
    root = make_site(files, config=config(**settings))
    out = root.parent / "_site"
    build(Project.at(root, out), at(now))
    return out


IDS = {"Public API": "api", "Web app": "web", "Sign-in": "login"}


def detail(site: Path, list_label: str) -> HtmlElement:
    """The page of the component whose bars are named `list_label`, where each day names its
    incidents (the home page's bars say each day in a few words)."""
    return page(site, f"components/{IDS[list_label.split(':')[0]]}/index.html")


def bar_days(doc: HtmlElement, list_label: str) -> list[tuple[str, str]]:
    """(status class, visible label) of each day in the bar list named `list_label`."""
    items = doc.xpath(f"//ol[@aria-label='{list_label}']/li")
    return [(li.get("class") or "", " ".join(li.text_content().split())) for li in items]


def legend(doc: HtmlElement, list_label: str) -> str:
    ol = doc.xpath(f"//ol[@aria-label='{list_label}']")[0]
    return " ".join(ol.getparent().xpath(f"p[{cls('uptime-legend')}]")[0].text_content().split())


def links(doc: HtmlElement, list_label: str, day: int) -> list[tuple[str, str]]:
    li = doc.xpath(f"//ol[@aria-label='{list_label}']/li")[day]
    return [(a.text_content(), a.get("href")) for a in li.xpath(".//a")]


API = "Public API: uptime by day, last 2 days"

OVERLAP = {
    **incident(
        "a",
        "Database down",
        [
            ("2026-02-10T10:00:00Z", "investigating", {"api": "major_outage"}),
            ("2026-02-10T12:00:00Z", "resolved", {}),
        ],
    ),
    **incident(
        "b",
        "Slow requests",
        [
            ("2026-02-10T11:00:00Z", "investigating", {"api": "partial_outage"}),
            ("2026-02-10T13:00:00Z", "resolved", {}),
        ],
    ),
}


def test_overlapping_incidents_count_the_worst_status_once(make_site):
    # 10-12 major (2 h) and 11-13 partial: the shared hour is major, so 2 h + 0.3 x 1 h = 2.3 h.
    site = built(make_site, OVERLAP, "2026-02-11T12:00:00Z")
    home = detail(site, API)
    assert bar_days(home, API) == [
        (
            "u-major_outage",
            "10 February 2026: 90.41% uptime, worst: major outage. Database down; Slow requests",
        ),
        ("", "11 February 2026: 100% uptime. No incidents."),
    ]
    assert links(home, API, 0) == [
        ("Database down", "/incidents/a/"),
        ("Slow requests", "/incidents/b/"),
    ]
    # The window is 24 h + 12 h so far today.
    assert legend(home, API) == "2 days ago 93.61% uptime Today"
    content, _ = load(make_site(OVERLAP, config=config()), at("2026-02-11T12:00:00Z"))
    api = site_uptime(content, at("2026-02-11T12:00:00Z")).component("api")
    assert api.days[0].uptime == 1 - Fraction(23, 10) * HOUR
    assert api.uptime == 1 - Fraction(23, 10) / 36


def test_the_home_page_says_each_day_in_a_few_words(make_site):
    site = built(make_site, OVERLAP, "2026-02-11T12:00:00Z")
    home = page(site, "index.html")
    assert bar_days(home, API) == [
        ("u-major_outage", "10 Feb: 90.41%, major outage"),
        ("", "11 Feb: 100%"),
    ]
    assert home.xpath(f"//ol[@aria-label='{API}']//a") == []  # named on the component's page
    assert legend(home, API) == "2 days ago 93.61% uptime Today"


def test_incident_crossing_midnight_counts_in_both_local_days(make_site):
    # 17:30-20:30 UTC is 23:00-02:00 in Kolkata (UTC+5:30): one hour on the 10th, two on the 11th.
    files = incident(
        "dns",
        "DNS failures",
        [
            ("2026-02-10T17:30:00Z", "investigating", {"web": "major_outage"}),
            ("2026-02-10T20:30:00Z", "resolved", {}),
        ],
    )
    site = built(make_site, files, "2026-02-11T12:30:00Z", timezone="Asia/Kolkata")
    label = "Web app: uptime by day, last 2 days"
    home = detail(site, label)
    # The 11th is 18 hours old at 18:00 local time, so two hours down leave 16/18.
    assert bar_days(home, label) == [
        ("u-major_outage", "10 February 2026: 95.83% uptime, worst: major outage. DNS failures"),
        ("u-major_outage", "11 February 2026: 88.88% uptime, worst: major outage. DNS failures"),
    ]
    assert home.xpath(f"//ol[@aria-label='{label}']/li/span/time/@datetime") == [
        "2026-02-10",
        "2026-02-11",
    ]


def test_a_daylight_saving_day_is_23_hours_long(make_site):
    # New York springs forward on 8 March 2026: one hour down in a 23-hour day.
    files = incident(
        "x",
        "Outage",
        [
            ("2026-03-08T05:00:00Z", "investigating", {"api": "major_outage"}),
            ("2026-03-08T06:00:00Z", "resolved", {}),
        ],
    )
    site = built(make_site, files, "2026-03-09T17:00:00Z", timezone="America/New_York")
    (day, _) = bar_days(detail(site, API), API)
    assert day == ("u-major_outage", "8 March 2026: 95.65% uptime, worst: major outage. Outage")


def test_major_counts_fully_partial_at_three_tenths_degraded_not_at_all(make_site):
    files = incident(
        "mixed",
        "Mixed trouble",
        [
            (
                "2026-02-10T00:00:00Z",
                "investigating",
                {"api": "major_outage", "web": "partial_outage", "login": "degraded_performance"},
            ),
            ("2026-02-10T06:00:00Z", "resolved", {}),
        ],
    )
    site = built(make_site, files, "2026-02-11T00:00:00Z")
    first = {
        name: bar_days(detail(site, f"{name}:"), f"{name}: uptime by day, last 2 days")[0]
        for name in ("Public API", "Web app", "Sign-in")
    }
    assert first["Public API"][0] == "u-major_outage" and "75.00% uptime" in first["Public API"][1]
    assert first["Web app"][0] == "u-partial_outage" and "92.50% uptime" in first["Web app"][1]
    assert first["Sign-in"] == (
        "u-degraded_performance",
        "10 February 2026: 100% uptime, worst: degraded performance. Mixed trouble",
    )


def test_open_incident_runs_until_now_and_today_counts_only_so_far(make_site):
    files = incident(
        "open", "Still broken", [("2026-02-10T06:00:00Z", "investigating", {"api": "major_outage"})]
    )
    site = built(make_site, files, "2026-02-10T12:00:00Z")
    home = detail(site, API)
    assert bar_days(home, API)[1] == (
        "u-major_outage",
        "10 February 2026: 50.00% uptime, worst: major outage. Still broken",
    )
    assert legend(home, API) == "2 days ago 83.33% uptime Today"  # 6 h down in 36 h


def test_escalation_splits_the_interval(make_site):
    root = make_site(
        incident(
            "esc",
            "Escalating",
            [
                ("2026-02-10T10:00:00Z", "investigating", {"api": "partial_outage"}),
                ("2026-02-10T11:00:00Z", "identified", {"api": "major_outage"}),
                ("2026-02-10T12:00:00Z", "resolved", {}),
            ],
        ),
        config=config(),
    )
    now = at("2026-02-11T00:00:00Z")
    day = site_uptime(load(root, now)[0], now).component("api").days[0]
    assert day.uptime == 1 - Fraction(13, 10) * HOUR and percent(day.uptime) == "94.58%"
    assert day.worst is ComponentStatus.MAJOR_OUTAGE


def test_percent_never_rounds_up_to_a_perfect_score():
    assert percent(Fraction(1)) == "100%"
    assert percent(1 - Fraction(1, 10**6)) == "99.99%"
    assert percent(Fraction(9975, 10000)) == "99.75%"
    assert percent(Fraction(0)) == "0.00%"


def test_show_uptime_false_hides_bars_and_leaves_the_group_figure(make_site):
    files = incident(
        "s",
        "Search down",
        [
            (
                "2026-02-10T00:00:00Z",
                "investigating",
                {"search": "major_outage", "login": "partial_outage"},
            ),
            ("2026-02-10T12:00:00Z", "resolved", {}),
        ],
    )
    site = built(make_site, files, "2026-02-11T00:00:00Z")
    home = page(site, "index.html")
    assert home.xpath("//ol[starts-with(@aria-label, 'Search:')]") == []
    assert page(site, "components/search/index.html").xpath(f"//*[{cls('uptime')}]") == []
    # The group shows what its shown members did: Sign-in was partly out 12 h of 24 h so far.
    assert texts(home, f"//summary/span[{cls('group-uptime')}]") == ["85.00% uptime"]
    component = page(site, "components/login/index.html")
    assert texts(component, "//h2[@id='uptime-h']") == ["Uptime"]
    assert (
        legend(component, "Sign-in: uptime by day, last 2 days") == "2 days ago 85.00% uptime Today"
    )


@pytest.fixture
def served(make_site: Callable[..., Path]) -> Iterator[str]:
    """Sixty days of bars with an incident on the last one, served over HTTP."""
    files = incident(
        "dns",
        "DNS failures",
        [
            (
                "2026-02-10T17:30:00Z",
                "investigating",
                {"api": "major_outage", "login": "major_outage"},
            ),
            ("2026-02-10T20:30:00Z", "resolved", {}),
        ],
    )
    with serve(built(make_site, files, "2026-02-10T22:00:00Z", days=60)) as base:
        yield base


# A phone draws the last 30 days; a desktop all 60.
FIRST_DRAWN = {
    320: ("12 January 2026", "30 days ago"),
    390: ("12 January 2026", "30 days ago"),
    1280: ("13 December 2025", "60 days ago"),
}


@pytest.mark.parametrize("width", FIRST_DRAWN)
def test_bars_fit_the_screen_pass_axe_and_label_on_focus(
    browser: Browser, served: str, width: int
) -> None:
    context = browser.new_context(base_url=served, viewport={"width": width, "height": 800})
    page_ = context.new_page()
    for path in ("/", "/components/api/"):
        page_.goto(path)
        sizes = page_.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert sizes[0] <= sizes[1], f"{path} scrolls sideways at {width} px: {sizes}"
        serious = [
            v["id"]
            for v in Axe().run(page_).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], path
    bars = page_.locator("ol.uptime-days").first
    assert bars.locator("li").count() == 60
    link = bars.get_by_role("link", name="DNS failures")
    tip = bars.locator("li:has(a) > span")
    assert tip.bounding_box()["width"] <= 1  # the label waits, visually hidden, until wanted
    link.focus()
    assert tip.is_visible() and "10 February 2026: 86.36% uptime" in tip.inner_text()
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page_.evaluate("document.activeElement.blur()")
    drawn = [b for b in (li.bounding_box() for li in bars.locator("li").all()) if b["width"]]
    first_day, legend_start = FIRST_DRAWN[width]
    assert len(drawn) == (30 if width < 640 else 60) and drawn[0]["width"] >= 8
    page_.mouse.move(drawn[0]["x"] + drawn[0]["width"] / 2, drawn[0]["y"] + 10)
    shown = page_.evaluate("""[...document.querySelectorAll('.uptime-days > li > span')]
        .filter(s => s.getBoundingClientRect().width > 1).map(s => s.innerText)""")
    assert shown == [f"{first_day}: 100% uptime. No incidents."]
    assert page_.locator(".uptime-legend").first.inner_text().split("\n")[0] == legend_start
    page_.context.close()


def test_a_year_of_bars_fits_a_small_phone(browser: Browser, make_site) -> None:
    with serve(built(make_site, {}, "2026-02-10T22:00:00Z", days=365)) as base:
        context = browser.new_context(base_url=base, viewport={"width": 320, "height": 700})
        page_ = context.new_page()
        for path in ("/", "/components/api/"):
            page_.goto(path)
            assert page_.evaluate("document.documentElement.scrollWidth") <= 320, path
        page_.context.close()


def test_incidents_that_began_before_the_window_count_on_the_days_they_reach(make_site):
    # A week-long outage ends six hours into the window; one still open since January runs on
    # to now (partial outage: 0.3 of every hour); one that ended before the window leaves no trace.
    files = {
        **incident(
            "long",
            "Long outage",
            [
                ("2026-02-03T00:00:00Z", "investigating", {"api": "major_outage"}),
                ("2026-02-10T06:00:00Z", "resolved", {}),
            ],
        ),
        **incident(
            "open",
            "Slow since January",
            [("2026-01-05T00:00:00Z", "identified", {"web": "partial_outage"})],
        ),
        **incident(
            "gone",
            "Over before",
            [
                (
                    "2026-02-01T00:00:00Z",
                    "investigating",
                    {"api": "major_outage", "web": "major_outage"},
                ),
                ("2026-02-02T00:00:00Z", "resolved", {}),
            ],
        ),
    }
    site = built(make_site, files, "2026-02-11T12:00:00Z")
    home = detail(site, API)
    assert bar_days(home, API) == [
        ("u-major_outage", "10 February 2026: 75.00% uptime, worst: major outage. Long outage"),
        ("", "11 February 2026: 100% uptime. No incidents."),
    ]
    web = "Web app: uptime by day, last 2 days"
    assert [label for _, label in bar_days(detail(site, web), web)] == [
        "10 February 2026: 70.00% uptime, worst: partial outage. Slow since January",
        "11 February 2026: 70.00% uptime, worst: partial outage. Slow since January",
    ]


def test_a_busy_quarter_keeps_the_home_page_light(make_site):
    # Twelve components, each in trouble every day for 90 days (the 10,000-incident bench corpus
    # has trouble on two days in three): the home page a phone loads at 3 a.m. stays under
    # 100 KB, while each day's incidents stay a click away, on the component's page.
    names = [f"Service number {n:02d}" for n in range(12)]
    components = "".join(f"  - {{id: s{n:02d}, name: {name}}}\n" for n, name in enumerate(names))
    files: dict[str, str] = {}
    for day in range(90):
        for hour in (9,):
            start = datetime(2026, 1, 1, hour, tzinfo=UTC) + timedelta(days=day)
            hit = {f"s{n:02d}": "major_outage" for n in range(12)}
            files |= incident(
                f"{start:%Y-%m-%d}-{hour:02d}",
                "Requests failing",
                [
                    (start.isoformat(), "investigating", hit),
                    ((start + timedelta(minutes=20)).isoformat(), "resolved", {}),
                ],
            )
    root = make_site(
        files,
        config="site:\n  name: Busy Co\n  url: https://status.busy.example\n"
        "  timezone: UTC\n  uptime_days: 90\ncomponents:\n" + components,
    )
    out = root.parent / "_site"
    build(Project.at(root, out), at("2026-03-31T23:00:00Z"))
    assert (out / "index.html").stat().st_size < 100_000
    label = f"{names[0]}: uptime by day, last 90 days"
    days = bar_days(page(out, "index.html"), label)
    assert len(days) == 90 and all(cls_ == "u-major_outage" for cls_, _ in days)
    assert days[0][1] == "1 Jan: 98.61%, major outage"
    full = bar_days(page(out, "components/s00/index.html"), label)
    assert full[0][1] == ("1 January 2026: 98.61% uptime, worst: major outage. Requests failing")
