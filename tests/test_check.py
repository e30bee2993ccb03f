"""The update-cadence rule: findings with their lines, levels, the CLI's exit codes and output."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import EXAMPLE_NOW, MINIMAL_CONFIG, update, write_files

from heliograph.build import Project, build, load_content
from heliograph.checks.findings import CheckFailed, Finding, Level, annotation
from heliograph.checks.site import check
from heliograph.cli import main

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
FIRST = {"title": "API errors", "components": {"api": "major_outage"}}


def at(minutes: float) -> str:
    """A time `minutes` after 14:00 UTC on 2 March 2026, as written in front matter."""
    t = datetime(2026, 3, 2, 14, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def incident(
    *steps: tuple, severity: str = "SEV-1", slug: str = "x", **first: object
) -> dict[str, str]:
    """Files of one incident: steps are (minutes after 14:00, status[, severity])."""
    files = {}
    for n, (minutes, status, *sev) in enumerate(steps, 1):
        front = {**FIRST, "severity": severity, **first} if n == 1 else {}
        if sev:
            front["severity"] = sev[0]
        files[f"incidents/{slug}/{n:02d}-{status}.md"] = update(at(minutes), status, **front)
    return files


@pytest.fixture
def findings_of(tmp_path: Path):
    """The findings of a fresh site made of `files`, checked at `now`."""
    sites = itertools.count()

    def run(files, now: datetime = NOW, config: str = MINIMAL_CONFIG):
        root = write_files(tmp_path / f"site{next(sites)}", {"components.yaml": config, **files})
        return check(load_content(Project.at(root), now), now)

    return run


def test_the_connection_pool_scenario_in_the_example_passes(example_source: Path):
    content = load_content(Project.at(example_source), EXAMPLE_NOW)
    pool = next(i for i in content.incidents if "connection-pool" in i.slug)
    assert pool.severity == "SEV-2"
    assert [(u.at - pool.detected).total_seconds() / 60 for u in pool.updates] == [
        0.5,
        2,
        8,
        12,
        15,
        16,
        45,
    ]
    # the cadence rules pass, and so do the wording and the postmortem on time
    assert [(f.rule, f.phrase) for f in check(content, EXAMPLE_NOW) if pool.slug in f.file] == []


def test_the_same_timeline_as_sev1_passes_too(findings_of):
    steps = [
        (0.5, "investigating"),
        (2, "identified"),
        (8, "identified"),
        (12, "identified"),
        (15, "monitoring"),
        (16, "monitoring"),
        (45, "resolved"),
    ]
    assert findings_of(incident(*steps, detected=at(0))) == ()


def test_sev1_gap_of_31_minutes_is_an_error_at_the_late_update(findings_of):
    (f,) = findings_of(
        incident((0, "investigating"), (31, "identified")),
        now=datetime(2026, 3, 2, 14, 40, tzinfo=UTC),
    )
    assert (f.level, f.rule, f.incident) == (Level.ERROR, "update_every", "x")
    assert (str(f.path), f.line) == ("incidents/x/02-identified.md", 2)
    assert (f.gap, f.limit, f.severity) == (timedelta(minutes=31), timedelta(minutes=30), "SEV-1")
    assert str(f) == (
        "incidents/x/02-identified.md:2: error: SEV-1 gap of 31 min between "
        "updates at 14:00 and 14:31 UTC (limit 30 min, rule update_every)"
    )


def test_exactly_the_limit_is_on_time_and_one_second_more_is_not(findings_of):
    ok = incident((0, "investigating"), (30, "identified"), (40, "monitoring"), (70, "resolved"))
    assert findings_of(ok) == ()
    late = incident(
        (0, "investigating"), (30 + 1 / 60, "identified"), (40, "monitoring"), (70, "resolved")
    )
    (f,) = findings_of(late)
    assert "gap of 30 min 1 s between updates at 14:00 and 14:30:01 UTC" in f.message


def test_an_escalation_tightens_the_rule_from_its_update_on(findings_of):
    steps = [
        (0, "investigating"),
        (50, "investigating", "SEV-1"),
        (85, "identified"),
        (100, "monitoring"),
        (140, "resolved"),
    ]
    found = findings_of(incident(*steps, severity="SEV-2"))
    # 50 min under SEV-2 (60) is fine; 35 min after the escalation to SEV-1 (30) is not.
    assert [(str(f.path), f.severity, f.gap) for f in found] == [
        ("incidents/x/03-identified.md", "SEV-1", timedelta(minutes=35)),
        ("incidents/x/05-resolved.md", "SEV-1", timedelta(minutes=40)),
    ]
    assert all(f.level is Level.WARNING for f in found)  # resolved: history only


def test_a_de_escalation_relaxes_the_rule(findings_of):
    steps = [
        (0, "investigating"),
        (20, "identified", "SEV-2"),
        (75, "monitoring"),
        (110, "resolved"),
    ]
    assert findings_of(incident(*steps)) == ()


def test_overdue_at_now_is_an_error_and_goes_once_an_update_is_added(findings_of):
    files = incident((0, "investigating"), (20, "identified"))
    now = datetime(2026, 3, 2, 14, 51, tzinfo=UTC)
    (f,) = findings_of(files, now)
    assert (f.level, f.rule, str(f.path), f.line) == (
        Level.ERROR,
        "overdue",
        "incidents/x/02-identified.md",
        2,
    )
    assert (f.start, f.end, f.gap) == (
        datetime(2026, 3, 2, 14, 20, tzinfo=UTC),
        now,
        timedelta(minutes=31),
    )
    assert f.message == (
        "SEV-1 update overdue: the last public update was 31 min ago (14:20 "
        "UTC, now 14:51 UTC); the next was due by 14:50 UTC (limit 30 min, "
        "rule overdue)"
    )
    files["incidents/x/03-identified.md"] = update(at(49), "identified", "The fix is rolling out.")
    assert findings_of(files, now) == ()


def test_resolved_history_only_warns(findings_of):
    files = incident(
        (0, "investigating"), (31, "identified"), (45, "monitoring"), (80, "resolved")
    )  # gaps of 31 and 35 minutes
    found = findings_of(files)
    assert [(f.level, f.rule) for f in found] == [
        (Level.WARNING, "update_every"),
        (Level.WARNING, "update_every"),
    ]


def test_first_update_is_measured_from_detected_else_started(findings_of):
    files = incident(
        (0, "investigating"), (20, "monitoring"), (50, "resolved"), started=at(-10), detected=at(-6)
    )
    (f,) = findings_of(files)
    assert (f.rule, str(f.path), f.gap, f.limit) == (
        "first_update",
        "incidents/x/01-investigating.md",
        timedelta(minutes=6),
        timedelta(minutes=5),
    )
    assert (
        "first public update came 6 min after the incident was detected (13:54 to 14:00"
        in f.message
    )
    started_only = incident(
        (0, "investigating"), (20, "monitoring"), (50, "resolved"), started=at(-4)
    )
    assert findings_of(started_only) == ()


def test_monitoring_shorter_than_monitor_for_warns(findings_of):
    files = incident((0, "investigating"), (10, "monitoring"), (25, "resolved"))
    (f,) = findings_of(files)
    assert (f.level, f.rule, str(f.path), f.gap, f.limit) == (
        Level.WARNING,
        "monitor_for",
        "incidents/x/03-resolved.md",
        timedelta(minutes=15),
        timedelta(minutes=30),
    )
    skipped = incident((0, "investigating"), (10, "identified"), (25, "resolved"))
    (f,) = findings_of(skipped)
    assert "resolved at 14:25 UTC without a monitoring update" in f.message


def test_severities_without_rules_and_maintenance_are_not_checked(findings_of):
    files = {
        **incident(
            (0, "investigating"),
            (230, "resolved"),
            severity="SEV-3",
            components={"api": "degraded_performance"},
        ),
        "incidents/m/01-scheduled.md": update(
            at(0),
            "scheduled",
            kind="maintenance",
            title="Upgrade",
            components={"api": "under_maintenance"},
            scheduled_for=at(60),
            scheduled_until=at(120),
        ),
    }
    assert findings_of(files) == ()


def test_rules_come_from_components_yaml(findings_of):
    config = (
        MINIMAL_CONFIG + "severities:\n  P1: {label: Urgent, impact: critical, update_every: 10m}\n"
    )
    (f,) = findings_of(
        incident((0, "investigating"), (11, "resolved"), severity="P1"), config=config
    )
    assert "P1 gap of 11 min between updates at 14:00 and 14:11 UTC (limit 10 min" in f.message


# The command line, as a user runs it.


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_on_the_example_passes_the_cadence_rules(example_source: Path, capsys):
    code, out, _ = run(
        capsys, "check", "--source", str(example_source), "--now", "2026-11-24T15:10:00Z"
    )
    assert code == 0
    assert [line.split(": ")[1] for line in out.splitlines()[:-1]] == ["warning"] * len(
        out.splitlines()[:-1]
    )
    assert "error" not in out.splitlines()[-1].replace("0 errors", "")


def test_check_exits_1_on_errors_and_on_warnings_only_with_strict(make_site, capsys):
    root = str(make_site(incident((0, "investigating"), (31, "monitoring"), (70, "resolved"))))
    code, out, _ = run(capsys, "check", "--source", root, "--now", "2026-03-02T18:00:00Z")
    assert code == 0
    assert out.splitlines() == [
        "incidents/x/02-monitoring.md:2: warning: SEV-1 gap of 31 min between updates at 14:00 "
        "and 14:31 UTC (limit 30 min, rule update_every)",
        "incidents/x/03-resolved.md:2: warning: SEV-1 gap of 39 min between updates at 14:31 "
        "and 15:10 UTC (limit 30 min, rule update_every)",
        "Checks: 0 errors, 2 warnings",
    ]
    assert (
        run(capsys, "check", "--strict", "--source", root, "--now", "2026-03-02T18:00:00Z")[0] == 1
    )
    code, out, _ = run(
        capsys, "check", "--source", root, "--now", "2026-03-02T18:00:00Z", "--format", "json"
    )
    doc = json.loads(out)
    assert (code, doc["errors"], doc["warnings"], doc["now"]) == (0, 0, 2, "2026-03-02T18:00:00Z")
    assert doc["findings"][0] == {
        "level": "warning",
        "rule": "update_every",
        "incident": "x",
        "path": "incidents/x/02-monitoring.md",
        "line": 2,
        "message": doc["findings"][0]["message"],
        "severity": "SEV-1",
        "start": "2026-03-02T14:00:00Z",
        "end": "2026-03-02T14:31:00Z",
        "gap_seconds": 1860,
        "limit_seconds": 1800,
        "phrase": None,
        "suggestion": None,
    }


def test_overdue_check_fails_and_github_annotations_appear(make_site, capsys, monkeypatch):
    root = str(make_site(incident((0, "investigating"))))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(capsys, "check", "--source", root, "--now", "2026-03-02T14:45:00Z")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("incidents/x/01-investigating.md:2: error: SEV-1 update overdue")
    assert lines[1] == (
        f"::error file={root}/incidents/x/01-investigating.md,line=2,"
        "title=overdue::SEV-1 update overdue: the last public update was 45 min "
        "ago (14:00 UTC, now 14:45 UTC); the next was due by 14:30 UTC (limit "
        "30 min, rule overdue)"
    )
    code, out, err = run(
        capsys, "check", "--source", root, "--now", "2026-03-02T14:45:00Z", "--format", "json"
    )
    assert json.loads(out)["errors"] == 1  # stdout stays JSON; annotations go to stderr
    assert err.startswith("::error file=")
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert "::" not in run(capsys, "check", "--source", root, "--now", "2026-03-02T14:45:00Z")[1]


def test_build_publishes_with_findings_and_says_so(make_site, capsys, monkeypatch):
    root = make_site(incident((0, "investigating")))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, err = run(capsys, "build", "--source", str(root), "--now", "2026-03-02T14:45:00Z")
    assert code == 0 and (root / "_site" / "incidents" / "x" / "index.html").is_file()
    assert out.splitlines()[0].startswith("Built ")
    assert out.splitlines()[1].startswith("::error file=")
    assert out.splitlines()[-1] == "Checks: 1 error, 0 warnings"
    assert err.startswith("incidents/x/01-investigating.md:2: error: SEV-1 update overdue")


def test_strict_build_writes_nothing_and_keeps_the_previous_site(make_site, capsys):
    root = make_site(incident((0, "investigating")))
    result = build(Project.at(root), datetime(2026, 3, 2, 14, 10, tzinfo=UTC), strict=True)
    assert result.findings == ()
    before = (root / "_site" / "index.html").read_bytes()
    with pytest.raises(CheckFailed) as failed:
        build(Project.at(root), datetime(2026, 3, 2, 14, 45, tzinfo=UTC), strict=True)
    assert [f.rule for f in failed.value.findings] == ["overdue"]
    code, _, err = run(
        capsys, "build", "--strict", "--source", str(root), "--now", "2026-03-02T14:45:00Z"
    )
    assert code == 1
    assert err.splitlines()[-1] == (
        "error: the checks found 1 error, 0 warnings and --strict is set; nothing was written"
    )
    assert (root / "_site" / "index.html").read_bytes() == before


def test_incident_page_promises_the_next_update_and_stays_quiet_when_overdue(make_site):
    root = make_site(incident((0, "investigating"), (10, "identified")))
    page = root / "_site" / "incidents" / "x" / "index.html"
    build(Project.at(root), datetime(2026, 3, 2, 14, 20, tzinfo=UTC))
    assert (
        'Next update expected by <time datetime="2026-03-02T14:40:00Z" data-f="clock_zone">'
        "14:40 (UTC)</time>" in page.read_text()
    )
    result = build(Project.at(root), datetime(2026, 3, 2, 14, 41, tzinfo=UTC))
    assert [f.rule for f in result.findings] == ["overdue"]  # the build shouts ...
    html = page.read_text()
    assert "Next update" not in html and "overdue" not in html.lower()  # ... the page does not
    assert "14:40" not in html


def test_annotations_escape_what_the_runner_would_misread():
    f = Finding(Level.WARNING, "wording:blame", "x", "incidents/x/a.md", 3, "50% done\nnext")
    assert (
        annotation(f, "odd,name:x.md")
        == "::warning file=odd%2Cname%3Ax.md,line=3,title=wording%3Ablame::50%25 done%0Anext"
    )


# Maintenance from 14:00 to 15:00 on 10 February, started by hand and never completed.
OVERRUN = {
    "incidents/m/01.md": update(
        "2026-02-09T10:00:00Z",
        "scheduled",
        kind="maintenance",
        title="Upgrade",
        components={"api": "under_maintenance"},
        scheduled_for="2026-02-10T14:00:00Z",
        scheduled_until="2026-02-10T15:00:00Z",
    ),
    "incidents/m/02.md": update("2026-02-10T14:05:00Z", "in_progress", "Started."),
}


def test_maintenance_left_in_progress_past_its_window_warns(make_site):
    root = make_site(OVERRUN)
    late = datetime(2026, 2, 10, 15, 30, tzinfo=UTC)
    content = load_content(Project.at(root), late)
    assert check(content, datetime(2026, 2, 10, 14, 59, tzinfo=UTC)) == ()
    (finding,) = check(content, late)
    assert str(finding) == (
        "incidents/m/02.md:2: warning: maintenance still in progress 30 min after its window "
        "ended at 15:00 UTC; post 'completed', or a later 'scheduled_until' (rule window)"
    )
