"""Maintenance phases the clock moves: each appears as an update at the moment it happened, as
Statuspage posts one, and the incident page, the API and the feeds tell the same timeline."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest
from builds import build_at
from conftest import update
from htmlread import cls, page, texts

SLUG = "2026-03-10-db"
STARTED = "Scheduled maintenance is currently in progress. We will provide updates as necessary."
DONE = "The scheduled maintenance has been completed."
LABELS = {"scheduled": "Scheduled", "in_progress": "In progress", "completed": "Completed"}
LABELS |= {"verifying": "Verifying"}


def window(*posted: tuple[str, str]) -> dict[str, str]:
    """Announced on 1 March for 10 March 06:00-08:00, then `(HH:MM on 10 March, status)` posts."""
    files = {
        f"incidents/{SLUG}/01-scheduled.md": update(
            "2026-03-01T10:00:00Z",
            "scheduled",
            "We will upgrade the database.",
            kind="maintenance",
            title="Database upgrade",
            components={"api": "under_maintenance", "web": "degraded_performance"},
            scheduled_for="2026-03-10T06:00:00Z",
            scheduled_until="2026-03-10T08:00:00Z",
        )
    }
    for n, (hhmm, status) in enumerate(posted, 2):
        files[f"incidents/{SLUG}/{n:02d}.md"] = update(
            f"2026-03-10T{hhmm}:00Z", status, f"Posted {status}."
        )
    return files


def at(hhmm: str, day: int = 10) -> datetime:
    return datetime.fromisoformat(f"2026-03-{day:02d}T{hhmm}:00+00:00")


def api_maintenance(site: Path) -> dict:
    data = json.loads((site / "api/v2/scheduled-maintenances.json").read_bytes())
    [m] = data["scheduled_maintenances"]
    return m


def timelines(site: Path) -> dict[str, list[tuple[str, str]]]:
    """(status, time) of each update, newest first, as the page, the API and the feed show it."""
    doc = page(site, f"incidents/{SLUG}/index.html")
    shown = [
        (texts(li, "h3")[0], li.xpath("p[@class='meta']/time/@datetime")[0])
        for li in doc.xpath(f"//ol[{cls('timeline')}]/li")
    ]
    api = [
        (LABELS[u["status"]], u["created_at"].replace(".000Z", "Z"))
        for u in api_maintenance(site)["incident_updates"]
    ]
    [entry] = feedparser.parse((site / "history.atom").read_bytes()).entries
    content = lxml.html.fromstring(f"<div>{entry.content[0].value}</div>")
    fed = [(p.findtext("strong"), p.xpath("time/@datetime")[0]) for p in content.xpath("p[strong]")]
    pill = texts(doc, f"//header/p[{cls('meta')}]/span[{cls('pill')}]")[0]
    summary = entry.summary.split(":")[0]
    return {"page": shown, "api": api, "feed": fed, "now": [(pill, ""), (summary, "")]}


@pytest.mark.parametrize(
    "posted, now, expected",
    [
        ((), at("05:59"), [("Scheduled", "2026-03-01T10:00:00Z")]),
        (
            (),
            at("07:00"),
            [("In progress", "2026-03-10T06:00:00Z"), ("Scheduled", "2026-03-01T10:00:00Z")],
        ),
        (
            (),
            at("09:00"),
            [
                ("Completed", "2026-03-10T08:00:00Z"),
                ("In progress", "2026-03-10T06:00:00Z"),
                ("Scheduled", "2026-03-01T10:00:00Z"),
            ],
        ),
        # The team started it by hand: the clock posts nothing, and an overrun stays open.
        (
            (("05:55", "in_progress"),),
            at("09:00"),
            [("In progress", "2026-03-10T05:55:00Z"), ("Scheduled", "2026-03-01T10:00:00Z")],
        ),
        # A `scheduled` update posted once the window has begun: the clock's in progress
        # follows it at its own moment, so no `scheduled` update is the newest under the pill.
        (
            (("06:30", "scheduled"),),
            at("07:00"),
            [
                ("In progress", "2026-03-10T06:30:00Z"),
                ("Scheduled", "2026-03-10T06:30:00Z"),
                ("In progress", "2026-03-10T06:00:00Z"),
                ("Scheduled", "2026-03-01T10:00:00Z"),
            ],
        ),
        # Completed by hand after the clock had opened the window.
        (
            (("07:40", "completed"),),
            at("09:00"),
            [
                ("Completed", "2026-03-10T07:40:00Z"),
                ("In progress", "2026-03-10T06:00:00Z"),
                ("Scheduled", "2026-03-01T10:00:00Z"),
            ],
        ),
    ],
)
def test_the_page_the_api_and_the_feed_tell_one_timeline(make_site, posted, now, expected):
    told = timelines(build_at(make_site(window(*posted)), now))
    assert told["page"] == told["api"] == told["feed"] == expected
    # the newest update is what the pill and the feed entry say the maintenance is
    assert told["now"] == [(expected[0][0], ""), (expected[0][0], "")]


def test_clock_updates_read_like_statuspages_and_keep_their_ids(make_site):
    source = make_site(window())
    during = api_maintenance(build_at(source, at("07:00"), "during"))
    after = api_maintenance(build_at(source, at("09:00"), "after"))
    assert [u["body"] for u in after["incident_updates"]] == [
        DONE,
        STARTED,
        "We will upgrade the database.",
    ]
    assert [u["id"] for u in after["incident_updates"]][1:] == [
        u["id"] for u in during["incident_updates"]
    ]
    assert len({u["id"] for u in after["incident_updates"]}) == 3
    assert (after["status"], after["resolved_at"], after["updated_at"]) == (
        "completed",
        "2026-03-10T08:00:00.000Z",
        "2026-03-10T08:00:00.000Z",  # never earlier than resolved_at
    )
    assert (during["status"], during["resolved_at"], during["updated_at"]) == (
        "in_progress",
        None,
        "2026-03-10T06:00:00.000Z",
    )


def test_components_are_under_maintenance_only_from_the_window(make_site):
    m = api_maintenance(build_at(make_site(window()), at("09:00")))
    # Statuspage starts a maintenance when it is announced, not when its window opens
    assert (m["created_at"], m["started_at"]) == ("2026-03-01T10:00:00.000Z",) * 2
    changes = [
        {a["name"]: (a["old_status"], a["new_status"]) for a in u["affected_components"]}
        for u in reversed(m["incident_updates"])
    ]
    assert changes == [
        {"Public API": ("operational", "operational"), "Dashboard - Web app": ("operational",) * 2},
        {
            "Public API": ("operational", "under_maintenance"),
            "Dashboard - Web app": ("operational", "degraded_performance"),
        },
        {
            "Public API": ("under_maintenance", "operational"),
            "Dashboard - Web app": ("degraded_performance", "operational"),
        },
    ]


def test_the_page_shows_what_the_clock_set(make_site):
    doc = page(build_at(make_site(window()), at("09:00")), f"incidents/{SLUG}/index.html")
    updates = doc.xpath(f"//ol[{cls('timeline')}]/li")
    assert texts(updates[0], "div") == [DONE]
    assert texts(updates[0], "p[@class='affects']") == [
        "Public API: Operational; Web app: Operational"
    ]
    assert texts(updates[1], "p[@class='affects']") == [
        "Public API: Under maintenance; Web app: Degraded performance"
    ]
