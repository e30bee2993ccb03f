"""`report`: per-severity figures and the SOPs' record, checked against figures worked out by
hand from the example; unknown times stay unknown; text, JSON and Markdown."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from conftest import EXAMPLE_NOW, MINIMAL_CONFIG, update

from heliograph.build import Project, load_content
from heliograph.checks.report import report
from heliograph.cli import main

MIN = 60
_S = timedelta(seconds=1)

# Worked out by hand from the example's front matter (times are UTC):
# SEV-1: api-and-dashboard-outage (escalated from SEV-2, so it counts as SEV-1): started 20:00,
#   detected 20:04, first update 20:10, resolved 22:15 -> 4 min, 6 min, 2 h 15 min; its
#   postmortem came 19 h 45 min after its due time.
# SEV-2: sso-sign-in-errors 4 / 8 / 102 min; connection-pool 2 / 0.5 / 47 min;
#   publishing-api 1 / 1 / 95 min; dns 5 / 8 / 124 min; scheduled-posts (open) 5 / 8 / -.
#   To detect: mean 17 / 5 = 3.4 min, median 4, p90 (5th of 5) 5. To first update: mean
#   25.5 / 5 = 5.1 min, median 8, p90 8. To resolve: mean 368 / 4 = 92 min, median 98.5,
#   p90 (4th of 4) 124; one unknown (open). Postmortems: sso's late, three missing, one open.
# SEV-3: cdn-purge 15 / 10 / 110 min; email 93, media 90 and webhooks 85 min to resolve, with
#   no started/detected. SEV-4: search-results 90 min to resolve, no times.
EXAMPLE = {
    "SEV-1": {
        "incidents": 1,
        "to_detect": (1, 0, 4 * MIN, 4 * MIN, 4 * MIN),
        "to_first_update": (1, 0, 6 * MIN, 6 * MIN, 6 * MIN),
        "to_resolve": (1, 0, 135 * MIN, 135 * MIN, 135 * MIN),
        "first_update": (1, 1, 0),
        "cadence": (1, 1, 0),
        "postmortems_on_time": (1, 1, 0),
        "targets": {"mttd": (5 * MIN, True), "mttr": (60 * MIN, False)},
    },
    "SEV-2": {
        "incidents": 5,
        "to_detect": (5, 0, 3.4 * MIN, 4 * MIN, 5 * MIN),
        "to_first_update": (5, 0, 5.1 * MIN, 8 * MIN, 8 * MIN),
        "to_resolve": (4, 1, 92 * MIN, 98.5 * MIN, 124 * MIN),
        "first_update": (5, 5, 0),
        "cadence": (5, 5, 0),
        "postmortems_on_time": (4, 4, 1),
        "targets": {"mttd": (5 * MIN, True), "mttr": (240 * MIN, True)},
    },
    "SEV-3": {
        "incidents": 4,
        "to_detect": (1, 3, 15 * MIN, 15 * MIN, 15 * MIN),
        "to_first_update": (1, 3, 10 * MIN, 10 * MIN, 10 * MIN),
        "to_resolve": (4, 0, 94.5 * MIN, 91.5 * MIN, 110 * MIN),
        "first_update": None,
        "cadence": None,
        "postmortems_on_time": None,
        "targets": {"mttd": (None, None), "mttr": (None, None)},
    },
}


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def example(capsys, source: Path, *more: str) -> tuple[int, str]:
    return run(capsys, "report", "--source", str(source), "--now", "2026-11-24T15:10:00Z", *more)


def test_json_figures_match_the_hand_computed_ones(example_source: Path, capsys):
    code, out = example(capsys, example_source, "--format", "json")
    doc = json.loads(out)
    assert (code, doc["version"], doc["since"]) == (0, 2, None)
    rows = {r["severity"]: r for r in doc["severities"]}
    for key, want in EXAMPLE.items():
        row = rows[key]
        assert row["incidents"] == want["incidents"]
        for name in ("to_detect", "to_first_update", "to_resolve"):
            s = row[name]
            got = (s["known"], s["unknown"], s["mean_seconds"], s["median_seconds"])
            assert got + (s["p90_seconds"],) == want[name], (key, name)
        for name in ("first_update", "cadence", "postmortems_on_time"):
            s = row[name]
            assert ((s["met"], s["of"], s["unknown"]) if s["rule"] else None) == want[name]
        targets = {k: (t["limit_seconds"], t["met"]) for k, t in row["targets"].items()}
        assert targets == want["targets"], key


def test_the_text_report_states_every_figure_against_its_target(example_source: Path, capsys):
    code, out = example(capsys, example_source)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "All incidents, as of 2026-11-24T15:10:00Z"
    sev2 = lines[lines.index("SEV-2 Major: 5 incidents") :][:8]
    assert sev2[1:] == [
        "  to detect        mean 3 min 24 s, median 4 min, p90 5 min  target under 5 min: met",
        "  to first update  mean 5 min 6 s, median 8 min, p90 8 min",
        "  to resolve       mean 1 h 32 min, median 1 h 38 min 30 s, p90 2 h 4 min; 1 unknown"
        "  target under 4 h: met",
        "  first update     5 of 5 (100%)",
        "  cadence          5 of 5 (100%)",
        "  monitoring       4 of 4 (100%); 1 still open",
        "  postmortems      4 of 4 (100%); 1 not yet due",
    ]
    assert (
        "  to resolve       mean 2 h 15 min, median 2 h 15 min, p90 2 h 15 min  target under "
        "1 h: missed" in lines
    )
    months = lines[lines.index("Month by month (all severities)") + 1 :]
    assert months[0].split() == ["month", "incidents", "mean", "to", "resolve", "met", "cadence",
                                 "postmortems", "on", "time"]  # fmt: skip
    assert months[1].split() == ["2025-01", "1", "1", "h", "50", "min", "no", "rule", "no", "rule"]
    assert months[-1].split()[:2] == ["2026-11", "2"]


def test_markdown_for_a_job_summary(example_source: Path, capsys):
    code, out = example(capsys, example_source, "--format", "markdown")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "## Incident report: All incidents, as of 2026-11-24T15:10:00Z"
    sev1 = next(line for line in lines if line.startswith("| SEV-1"))
    assert sev1.startswith("| SEV-1 Critical | 1 | 4 min ✅ (target 5 min) | 6 min | 2 h 15 min ❌ "
                           "(target 1 h) | 2 h 15 min |")  # fmt: skip
    assert "| 2025-12 | 1 | 2 h 15 min | 1 of 1 (100%) | 1 of 1 (100%) |" in lines


def test_since_keeps_incidents_that_began_that_day_or_later(example_source: Path):
    content = load_content(Project.at(example_source), EXAMPLE_NOW)
    rows = {r.severity.key: r.figures for r in report(content, EXAMPLE_NOW, date(2026, 1, 1)).rows}
    # 2026: publishing-api 1 / 1 / 95, dns 5 / 8 / 124, scheduled-posts 5 / 8 / open.
    sev2 = rows["SEV-2"]
    assert (sev2.incidents, sev2.to_detect.median, sev2.to_resolve.median) == (
        3,
        5 * MIN * _S,
        109.5 * MIN * _S,
    )
    assert (rows["SEV-1"].incidents, rows["SEV-1"].cadence.share) == (0, None)


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


def test_cadence_monitoring_and_first_update_are_apart_and_unknown_is_never_met(make_site, capsys):
    short_monitoring = incident(
        "a",
        [
            ("2026-03-02T14:00:00Z", "investigating"),
            ("2026-03-02T14:30:00Z", "monitoring"),
            ("2026-03-02T14:40:00Z", "resolved"),
        ],
    )  # the cadence is kept; the monitoring window is not; no detection time
    late = incident(
        "b",
        [
            ("2026-03-03T14:00:00Z", "investigating"),
            ("2026-03-03T14:31:00Z", "monitoring"),
            ("2026-03-03T15:01:00Z", "resolved"),
        ],
        started="2026-03-03T13:58:00Z",
    )
    root = make_site({**short_monitoring, **late})
    code, out = run(
        capsys, "report", "--source", str(root), "--now", "2026-03-04T00:00:00Z", "--format", "json"
    )
    sev1 = json.loads(out)["severities"][0]
    assert code == 0
    assert sev1["cadence"] == {"rule": True, "met": 1, "of": 2, "unknown": 0, "share": 0.5}
    assert sev1["monitoring"] == {"rule": True, "met": 1, "of": 2, "unknown": 0, "share": 0.5}
    assert sev1["first_update"] == {"rule": True, "met": 1, "of": 1, "unknown": 1, "share": 1.0}
    assert sev1["postmortems_on_time"]["unknown"] == 2  # not yet due


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
    assert report(content, now, date(2026, 1, 1)).rows[0].figures.incidents == 0
    assert report(content, now, date(2025, 12, 31)).rows[0].figures.incidents == 1
