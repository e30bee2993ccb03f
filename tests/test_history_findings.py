"""Findings of closed incidents (an imported history) are summed up in one line per rule when
there are many; findings of open incidents are always listed one by one."""

from __future__ import annotations

import shutil
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


def test_the_preview_condenses_as_the_findings_change(tmp_path: Path):
    """The preview keeps the condensed lines from save to save (incremental.condensed): after
    each change they are what `condensed` gives for all the findings, as a group of historic
    findings crosses the line between listed and summed up, and loses its first finding."""
    from heliograph.authoring.live import LiveSite
    from heliograph.checks.findings import condensed

    site = history_site(tmp_path, GROUP_AT + 1)
    live = LiveSite(site, tmp_path / "cache")

    def shown(changed: list[Path]) -> list[str]:
        assert live.rebuild(NOW, [str(p) for p in changed]) == []
        found, lines = live.checked
        assert [str(f) for f in lines] == [str(f) for f in condensed(found)]
        return [str(f) for f in lines]

    first = shown([])
    assert sum("11 update_every findings in 11 closed incidents" in line for line in first) == 1
    old = site / "incidents" / "old-00"
    moved = shutil.move(old, tmp_path / "old-00")  # the first of the group goes: 10, listed
    listed = shown([old])
    assert not any("summed up" in line for line in listed)
    assert sum("incidents/old-" in line for line in listed) == GROUP_AT
    shutil.move(moved, old)  # and comes back first
    assert shown([old]) == first
    # the open incident closes: its findings are history now, one more in the group
    (site / "incidents/open-now/03-resolved.md").write_text(
        update((NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), "resolved")
    )
    closed = shown([site / "incidents/open-now/03-resolved.md"])
    assert not any("incidents/open-now/" in line and "summed up" not in line for line in closed)
    assert any("12 update_every findings in 12 closed incidents" in line for line in closed)
    # an old incident's gaps are fixed (an update every 20 minutes): its finding goes
    second, third = (
        site / "incidents/old-03/02-monitoring.md",
        site / "incidents/old-03/03-resolved.md",
    )
    second.write_text(update("2026-01-04T00:20:00Z", "monitoring"))
    third.write_text(update("2026-01-04T00:40:00Z", "resolved", components={"api": "operational"}))
    fixed = shown([second, third])
    assert any("11 update_every findings in 11 closed incidents" in line for line in fixed)


def test_condensed_kept_in_memory_matches_condensing_all_after_any_changes():
    """Random changes to the findings of random incidents, historic or not, in groups small
    and large: the kept lines are always those of condensing every finding again."""
    import random

    from heliograph.checks.findings import Finding, Level, condensed, ordered
    from heliograph.incremental.condensed import CondensedInMemory

    rng = random.Random(7)
    rules = ["update_every", "monitor_for", "wording:speculation"]

    def findings_of(slug: str) -> tuple[Finding, ...]:
        historic = rng.random() < 0.8
        return ordered(
            Finding(
                level=rng.choice([Level.WARNING, Level.ERROR]),
                rule=rng.choice(rules),
                incident=slug,
                file=f"incidents/{slug}/0{rng.randint(1, 3)}-update.md",
                line=rng.randint(1, 4),
                message="a message",
                historic=historic,
            )
            for _ in range(rng.randint(0, 3))
        )

    memo = CondensedInMemory(at_least=4)
    now: dict[str, tuple[Finding, ...]] = {}
    for _ in range(300):
        changed = {f"i{rng.randint(0, 30):02d}" for _ in range(rng.randint(1, 4))}
        before = {slug: now[slug] for slug in changed if slug in now}
        for slug in changed:
            if rng.random() < 0.2:
                now.pop(slug, None)
            else:
                now[slug] = findings_of(slug)
        memo.update(before, now, changed)
        every = ordered(f for found in now.values() for f in found)
        assert [str(f) for f in memo.shown] == [str(f) for f in condensed(every, 4)]
