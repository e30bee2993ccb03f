"""Findings of closed incidents (an imported history) are summed up in one line per rule when
there are many; findings of open incidents are always listed one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, update, write_files

from heliograph.checks.findings import GROUP_AT
from heliograph.cli import main

NOW = datetime(2026, 3, 10, tzinfo=UTC)


def late_incident(slug: str, start: datetime, close: bool) -> dict[str, str]:
    """A SEV-1 incident whose second update comes 45 min after the first (limit 30 min)."""
    files = {
        f"incidents/{slug}/01-investigating.md": update(
            start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "investigating",
            title=f"Outage {slug}",
            severity="SEV-1",
            components={"api": "major_outage"},
        ),
        f"incidents/{slug}/02-monitoring.md": update(
            (start + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%SZ"), "monitoring"
        ),
    }
    if close:
        files[f"incidents/{slug}/03-resolved.md"] = update(
            (start + timedelta(minutes=75)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resolved",
            components={"api": "operational"},
        )
    return files


# the cadence rules only: postmortems are their own rule, with findings of their own
CONFIG = MINIMAL_CONFIG.replace(
    "components:\n",
    "severities:\n  SEV-1: {label: Critical, impact: critical, update_every: 30m, "
    "postmortem_within: false}\ncomponents:\n",
    1,
)


def history_site(tmp_path: Path, closed: int) -> Path:
    files = {"components.yaml": CONFIG}
    for n in range(closed):
        files |= late_incident(
            f"old-{n:02d}", datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n), True
        )
    files |= late_incident("open-now", NOW - timedelta(minutes=50), False)
    return write_files(tmp_path / "site", files)


def lines(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    main([*args, "--now", NOW.strftime("%Y-%m-%dT%H:%M:%SZ")])
    out, err = capsys.readouterr()
    return [
        line for line in (out + err).splitlines() if ": warning: " in line or ": error: " in line
    ]


def test_many_historic_findings_are_one_line_per_rule(tmp_path: Path, capsys):
    site = history_site(tmp_path, GROUP_AT + 5)
    shown = lines(capsys, "check", "--source", str(site))
    summed = [line for line in shown if "summed up" in line]
    # One update_every finding (a 45 min gap) in each closed incident: one line, at the first.
    assert summed == [
        "incidents/old-00/02-monitoring.md:2: warning: 15 update_every findings in 15 closed "
        "incidents, the first here (history, summed up in one line; --all-findings lists each)"
    ]
    # The open incident's findings are what can still be fixed: each on its own line.
    open_lines = [line for line in shown if "incidents/open-now/" in line]
    assert open_lines and all("summed up" not in line for line in open_lines)
    assert any(": error: " in line and "rule update_every" in line for line in open_lines)
    assert len(shown) == 1 + len(open_lines)


def test_all_findings_lists_each_and_few_are_never_summed_up(tmp_path: Path, capsys):
    site = history_site(tmp_path, GROUP_AT + 5)
    every = lines(capsys, "check", "--source", str(site), "--all-findings")
    assert sum("incidents/old-" in line for line in every) == GROUP_AT + 5
    assert not any("summed up" in line for line in every)
    few = history_site(tmp_path / "few", GROUP_AT)
    shown = lines(capsys, "build", "--source", str(few), "--no-cache")
    assert sum("incidents/old-" in line for line in shown) == GROUP_AT
    assert not any("summed up" in line for line in shown)
