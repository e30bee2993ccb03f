"""`report`: per-severity medians, checked against figures worked out by hand from the example."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from conftest import EXAMPLE_NOW, MINIMAL_CONFIG, update

from heliograph.build import Project, load_content
from heliograph.checks.report import report
from heliograph.cli import main

MIN = 60

# Worked out by hand from the example's front matter (times are UTC):
# SEV-1: api-and-dashboard-outage (escalated from SEV-2, so it counts as SEV-1): started 20:00,
#   detected 20:04, first update 20:10, resolved 22:15 -> 4 min, 6 min, 2 h 15 min.
# SEV-2: sso-sign-in-errors 4 / 8 / 102 min; connection-pool 2 / 0.5 / 47 min;
#   publishing-api 1 / 1 / 95 min; dns 5 / 8 / 124 min; scheduled-posts (open) 5 / 8 / -.
#   Medians: detect 4 min, first update 8 min, resolve (95 + 102) / 2 = 98.5 min.
# SEV-3: cdn-purge 15 / 10 / 110 min; email 93, media 90 and webhooks 85 min to resolve, with
#   no started/detected. Medians: 15 min, 10 min, (90 + 93) / 2 = 91.5 min.
# SEV-4: search-results 90 min to resolve.
EXAMPLE_FIGURES = {
    "SEV-1": (1, 4 * MIN, 6 * MIN, 135 * MIN, {"rule": True, "met": 1, "of": 1, "share": 1.0}),
    "SEV-2": (5, 4 * MIN, 8 * MIN, 98.5 * MIN, {"rule": True, "met": 5, "of": 5, "share": 1.0}),
    "SEV-3": (
        4,
        15 * MIN,
        10 * MIN,
        91.5 * MIN,
        {"rule": False, "met": None, "of": None, "share": None},
    ),
    "SEV-4": (1, None, None, 90 * MIN, {"rule": False, "met": None, "of": None, "share": None}),
}


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_json_figures_match_the_hand_computed_ones(example_source: Path, capsys):
    code, out = run(
        capsys,
        "report",
        "--source",
        str(example_source),
        "--now",
        "2026-11-24T15:10:00Z",
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert (code, doc["version"], doc["since"]) == (0, 1, None)
    got = {
        r["severity"]: (
            r["incidents"],
            r["median_seconds"]["to_detect"],
            r["median_seconds"]["to_first_update"],
            r["median_seconds"]["to_resolve"],
            r["cadence"],
        )
        for r in doc["severities"]
    }
    assert got == EXAMPLE_FIGURES


def test_the_text_table(example_source: Path, capsys):
    code, out = run(
        capsys, "report", "--source", str(example_source), "--now", "2026-11-24T15:10:00Z"
    )
    assert code == 0
    assert out.splitlines() == [
        "All incidents, as of 2026-11-24T15:10:00Z (times are medians)",
        "severity        incidents  to detect  to first update       to resolve    met cadence",
        "SEV-1 Critical          1      4 min            6 min       2 h 15 min  1 of 1 (100%)",
        "SEV-2 Major             5      4 min            8 min  1 h 38 min 30 s  5 of 5 (100%)",
        "SEV-3 Minor             4     15 min           10 min  1 h 31 min 30 s        no rule",
        "SEV-4 Low               1          -                -       1 h 30 min        no rule",
    ]


def test_since_keeps_incidents_that_began_that_day_or_later(example_source: Path):
    content = load_content(Project.at(example_source), EXAMPLE_NOW)
    rows = {r.severity.key: r for r in report(content, EXAMPLE_NOW, date(2026, 1, 1)).rows}
    # 2026: publishing-api 1 / 1 / 95, dns 5 / 8 / 124, scheduled-posts 5 / 8 / open.
    sev2 = rows["SEV-2"]
    assert (
        sev2.incidents,
        sev2.to_detect.total_seconds(),
        sev2.to_first_update.total_seconds(),
        sev2.to_resolve.total_seconds(),
    ) == (3, 5 * MIN, 8 * MIN, 109.5 * MIN)
    assert (rows["SEV-1"].incidents, rows["SEV-1"].cadence_share) == (0, None)
    assert (rows["SEV-3"].incidents, rows["SEV-3"].to_resolve.total_seconds()) == (2, 87.5 * MIN)


def incident(slug: str, times: list[tuple[str, str]], **first: object) -> dict[str, str]:
    files = {}
    for n, (at, status) in enumerate(times, 1):
        front = (
            {"title": "Errors", "severity": "SEV-1", "components": {"api": "major_outage"}, **first}
            if n == 1
            else {}
        )
        files[f"incidents/{slug}/{n:02d}-{status}.md"] = update(at, status, **front)
    return files


def test_the_cadence_share_counts_incidents_with_no_cadence_finding(make_site, capsys):
    on_time = incident(
        "a",
        [
            ("2026-03-02T14:00:00Z", "investigating"),
            ("2026-03-02T14:30:00Z", "monitoring"),
            ("2026-03-02T14:40:00Z", "resolved"),
        ],
    )  # short monitoring: not cadence
    late = incident(
        "b",
        [
            ("2026-03-03T14:00:00Z", "investigating"),
            ("2026-03-03T14:31:00Z", "monitoring"),
            ("2026-03-03T15:01:00Z", "resolved"),
        ],
    )
    root = make_site({**on_time, **late})
    code, out = run(capsys, "report", "--source", str(root), "--now", "2026-03-04T00:00:00Z")
    sev1 = out.splitlines()[2]
    assert code == 0 and sev1.startswith("SEV-1 Critical") and sev1.endswith("1 of 2 (50%)")
    code, out = run(
        capsys, "report", "--source", str(root), "--now", "2026-03-04T00:00:00Z", "--format", "json"
    )
    assert json.loads(out)["severities"][0]["cadence"] == {
        "rule": True,
        "met": 1,
        "of": 2,
        "share": 0.5,
    }


def test_since_is_a_day_in_the_site_zone(make_site):
    config = MINIMAL_CONFIG.replace("timezone: UTC", "timezone: America/New_York")
    # 03:00 UTC on 1 January is still 31 December in New York.
    root = make_site(
        incident(
            "a",
            [
                ("2026-01-01T03:00:00Z", "investigating"),
                ("2026-01-01T03:20:00Z", "monitoring"),
                ("2026-01-01T03:50:00Z", "resolved"),
            ],
        ),
        config,
    )
    now = datetime(2026, 1, 2, tzinfo=UTC)
    content = load_content(Project.at(root), now)
    assert report(content, now, date(2026, 1, 1)).rows[0].incidents == 0
    assert report(content, now, date(2025, 12, 31)).rows[0].incidents == 1
