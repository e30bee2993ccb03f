"""Scheduled maintenance at several moments: what the built pages tell a visitor in each phase."""

from __future__ import annotations

import pytest
from conftest import update
from htmlread import cls, page, texts
from test_uptime import bar_days, built, incident

WINDOW = "10 Feb 2026, 14:00 UTC – 10 Feb 2026, 15:00 UTC"
PAGE = "incidents/db-upgrade/index.html"


def maintenance(*posted: tuple[str, str]) -> dict[str, str]:
    """A window 14:00-15:00 on 10 Feb announced the day before, then `(HH:MM, status)` posts."""
    files = {
        "incidents/db-upgrade/01.md": update(
            "2026-02-09T10:00:00Z",
            "scheduled",
            "We will upgrade the database.",
            kind="maintenance",
            title="Database upgrade",
            components={"api": "under_maintenance"},
            scheduled_for="2026-02-10T14:00:00Z",
            scheduled_until="2026-02-10T15:00:00Z",
        ),
        **incident(
            "feb-outage",
            "Sign-in errors",
            [
                ("2026-02-03T09:00:00Z", "investigating", {"login": "partial_outage"}),
                ("2026-02-03T10:00:00Z", "resolved", {}),
            ],
        ),
    }
    for n, (hhmm, status) in enumerate(posted, 2):
        files[f"incidents/db-upgrade/{n:02d}.md"] = update(
            f"2026-02-10T{hhmm}:00Z", status, f"Now {status}."
        )
    return files


def seen(site) -> dict[str, object]:
    """The visitor's view: banner, the API's status and bar today, where the window is listed."""
    home = page(site, "index.html")
    api_row = f"//li[{cls('component')}][a='Public API']"
    return {
        "banner": texts(home, "//h1")[0],
        "api": texts(home, f"{api_row}/span[{cls('pill')}]")[0],
        "today": home.xpath(f"{api_row}//ol/li")[-1].get("class") or "operational",
        "upcoming": texts(home, "//section[@aria-labelledby='upcoming-h']//h3"),
        "in progress": texts(home, "//section[@aria-labelledby='active-h']//h3"),
        "phase": texts(page(site, PAGE), f"//header/p[{cls('meta')}]/span[{cls('pill')}]")[0],
    }


SCHEDULED = {
    "banner": "All Systems Operational",
    "api": "Operational",
    "today": "operational",
    "upcoming": ["Database upgrade"],
    "in progress": [],
    "phase": "Scheduled",
}
UNDERWAY = {
    "banner": "Service Under Maintenance",
    "api": "Under maintenance",
    "today": "u-under_maintenance",
    "upcoming": [],
    "in progress": ["Database upgrade"],
}
DONE = {
    "banner": "All Systems Operational",
    "api": "Operational",
    "upcoming": [],
    "in progress": [],
    "phase": "Completed",
}


@pytest.mark.parametrize(
    ("now", "posted", "expected"),
    [
        # Nobody posts after the announcement: the clock moves the phase.
        ("13:59", (), SCHEDULED),
        # At 14:00 sharp the window has begun but lasted no time yet, so today's bar is still green.
        ("14:00", (), {**UNDERWAY, "phase": "In progress", "today": "operational"}),
        ("14:30", (), {**UNDERWAY, "phase": "In progress"}),
        ("15:00", (), {**DONE, "today": "u-under_maintenance"}),
        # The team's posts win over the clock: an early start, an overrun, an early finish.
        ("13:55", (("13:50", "in_progress"),), {**UNDERWAY, "phase": "In progress"}),
        (
            "15:30",
            (("14:00", "in_progress"), ("14:50", "verifying")),
            {**UNDERWAY, "phase": "Verifying"},
        ),
        (
            "16:00",
            (("14:00", "in_progress"), ("14:50", "verifying"), ("15:40", "completed")),
            {**DONE, "today": "u-under_maintenance"},
        ),
        (
            "14:45",
            (("14:00", "in_progress"), ("14:40", "completed")),
            {**DONE, "today": "u-under_maintenance"},
        ),
    ],
)
def test_phase_banner_and_component_status_at_each_moment(make_site, now, posted, expected):
    site = built(make_site, maintenance(*posted), f"2026-02-10T{now}:00Z")
    assert seen(site) == expected


def test_upcoming_window_shows_its_time_range_and_has_its_own_page(make_site):
    site = built(make_site, maintenance(), "2026-02-10T12:00:00Z")
    home = page(site, "index.html")
    card = texts(home, "//section[@aria-labelledby='upcoming-h']//article")[0]
    assert WINDOW in card and "Affects: Public API" in card
    doc = page(site, PAGE)
    assert texts(doc, "//h1") == ["Database upgrade"]
    assert texts(doc, "//dl//div[dt='Window']/dd") == [WINDOW]
    assert texts(doc, f"//header//span[{cls('sev')}]") == ["Scheduled maintenance"]
    # Not history yet: February holds only the incident.
    history = page(site, "history/index.html")
    assert texts(history, f"//section[{cls('month')}]/p") == ["1 incident"]
    assert texts(page(site, "history/2026-02/index.html"), "//article//h3") == ["Sign-in errors"]


def test_history_lists_maintenance_apart_from_incidents(make_site):
    site = built(make_site, maintenance(), "2026-02-11T00:00:00Z")
    history = page(site, "history/index.html")
    (month,) = history.xpath(f"//section[{cls('month')}]")
    assert texts(month, "h2") == ["February 2026"]
    assert texts(month, "p") == ["1 incident · 1 scheduled maintenance"]
    api = page(site, "components/api/index.html")  # where each day names its incidents
    assert bar_days(api, "Public API: uptime by day, last 2 days")[0] == (
        "u-under_maintenance",
        "10 February 2026: 100% uptime, worst: under maintenance. Maintenance: Database upgrade",
    )
    archive = page(site, "history/2026-02/index.html")
    assert texts(archive, "//section[@aria-labelledby='inc-h']//h3") == ["Sign-in errors"]
    assert texts(archive, "//section[@aria-labelledby='maint-h']//h3") == ["Database upgrade"]
