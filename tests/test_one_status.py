"""One status everywhere: the banner, the badge, `status.json`, `summary.json` and the feeds say
the same thing, by Statuspage's rule (the worst of the open incidents' impacts and the
components' statuses; `maintenance` when maintenance underway is all there is)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from builds import build_at
from conftest import update
from htmlread import cls, page, texts
from test_api import WINDOW  # a window of 10 March 06:00-08:00 on the API, announced on 1 March

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 3, 10, 7, tzinfo=UTC)
COLOURS = {
    "operational": "#4c1",
    "under_maintenance": "#007ec6",
    "degraded_performance": "#dfb317",
    "partial_outage": "#fe7d37",
    "major_outage": "#e05d44",
}


def seen(site: Path) -> dict[str, object]:
    """The status as each output tells it."""
    home = page(site, "index.html")
    (banner,) = home.xpath(f"//section[{cls('banner')}]")
    worn = next(c.removeprefix("s-") for c in banner.get("class").split() if c.startswith("s-"))
    svg = ET.fromstring((site / "badges/status.svg").read_bytes())
    summary = json.loads((site / "api/v2/summary.json").read_bytes())
    status = json.loads((site / "api/v2/status.json").read_bytes())
    assert summary["status"] == status["status"]
    feeds = [
        feedparser.parse((site / f).read_bytes()).feed for f in ("history.atom", "history.rss")
    ]
    return {
        "banner": (texts(home, "//h1")[0], worn),
        "badge": (svg.findtext(f"{SVG}title"), svg.findall(f"{SVG}g/{SVG}rect")[1].get("fill")),
        "api": (status["status"]["indicator"], status["status"]["description"]),
        "feeds": [f.get("subtitle") or f.get("description") for f in feeds],
    }


def told(indicator: str, description: str, colour: str, name: str = "Test Co") -> dict:
    """What every output says for one status."""
    feed = f"Incidents and scheduled maintenance for {name} Status. Current status: {description}."
    return {
        "banner": (description, colour),
        "badge": (f"{name}: {description}", COLOURS[colour]),
        "api": (indicator, description),
        "feeds": [feed, feed],
    }


def incident(slug: str, severity: str, status: str = "investigating", **components: str) -> dict:
    return {
        f"incidents/{slug}/01.md": update(
            "2026-03-10T06:30:00Z",
            status,
            title=f"Incident {slug}",
            severity=severity,
            components=components or {"web": "operational"},
        )
    }


@pytest.mark.parametrize(
    "files, expected",
    [
        # the case: a SEV-2 (major impact) whose component is only degraded
        (
            incident("a", "SEV-2", api="degraded_performance"),
            told("major", "Partial System Outage", "partial_outage"),
        ),
        # an open incident of no impact: the degraded component decides
        (
            incident("a", "SEV-4", api="degraded_performance"),
            told("minor", "Partially Degraded Service", "degraded_performance"),
        ),
        # a minor incident with a component down: the component decides
        (
            incident("a", "SEV-3", api="major_outage"),
            told("critical", "Major System Outage", "major_outage"),
        ),
        # an open incident that names no impaired component still counts by its impact
        (incident("a", "SEV-1"), told("critical", "Major System Outage", "major_outage")),
        # maintenance underway and nothing else
        (WINDOW, told("maintenance", "Service Under Maintenance", "under_maintenance")),
        # maintenance underway beside a minor incident: the incident outranks it
        (
            WINDOW | incident("a", "SEV-3", web="degraded_performance"),
            told("minor", "Partially Degraded Service", "degraded_performance"),
        ),
        # resolved incidents count for nothing
        (
            incident("a", "SEV-1", "resolved", api="major_outage"),
            told("none", "All Systems Operational", "operational"),
        ),
    ],
)
def test_every_output_tells_the_same_status(make_site, files, expected):
    assert seen(build_at(make_site(files), NOW)) == expected


def test_an_upcoming_window_is_no_maintenance_yet(make_site):
    site = build_at(make_site(WINDOW), datetime(2026, 3, 9, tzinfo=UTC))
    assert seen(site) == told("none", "All Systems Operational", "operational")


def test_the_example_at_its_open_incident_says_partial_system_outage_everywhere(example_site):
    # 24 Nov 2026 15:10 UTC: an open SEV-2 incident, its only component degraded
    assert seen(example_site) == told("major", "Partial System Outage", "partial_outage", "Acme")
    summary = json.loads((example_site / "api/v2/summary.json").read_bytes())
    statuses = {c["name"]: c["status"] for c in summary["components"]}
    assert {s for s in statuses.values() if s != "operational"} == {"degraded_performance"}
