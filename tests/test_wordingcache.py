"""Findings kept in the build cache stay exactly those of a fresh check: after an edit, after a
rule change, as `now` moves, and wherever the site folder is."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from conftest import MINIMAL_CONFIG, update
from test_check import OVERRUN

from heliograph.build import Project, build, load_content
from heliograph.checks.findings import Finding, span
from heliograph.checks.site import check
from heliograph.incremental.session import BuildSession

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
FIRST = {"title": "API errors", "severity": "SEV-1", "components": {"api": "major_outage"}}


def resolved(
    slug: str, second_at: str = "14:40", second_body: str = "It is probably the cache."
) -> dict[str, str]:
    """A resolved SEV-1 incident: first update 10 min after the start, a gap from 14:00 to the
    second update, another to 15:30, resolved without monitoring; its postmortem on time."""
    day = "2026-03-02T"
    return {
        f"incidents/{slug}/01.md": update(
            f"{day}14:00:00Z", "investigating", started=f"{day}13:50:00Z", **FIRST
        ),
        f"incidents/{slug}/02.md": update(f"{day}{second_at}:00Z", "identified", second_body),
        f"incidents/{slug}/03.md": update(f"{day}15:30:00Z", "resolved", "Fixed."),
        f"incidents/{slug}/postmortem.md": f"---\nat: {day}17:00:00Z\n---\nWhat happened.\n",
    }


def through_cache(root: Path, cache: Path, now: datetime = NOW) -> tuple[list[str], int]:
    """The findings as a build checks them, which must be those of a check from scratch, and
    how many incidents the build checked rather than answered from the cache."""
    session = BuildSession.start(root, root / "_site", now, (), cache)
    try:
        content = load_content(Project.at(root), now, *session.loaders())
        memo = session.findings(content, now)
        found = check(content, now, memo)
    finally:
        session.close()
    assert found == check(load_content(Project.at(root), now), now)  # every field, in order
    return [describe(f) for f in found], memo.checked


def describe(f: Finding) -> str:
    """A finding in short: `x/02.md:2 warning update_every 40 min`."""
    detail = f.phrase or (span(f.gap) if f.gap else "")
    return f"{f.path.relative_to('incidents')}:{f.line} {f.level.value} {f.rule} {detail}".rstrip()


ALL_OF_X = [
    "x/01.md:2 warning first_update 10 min",
    "x/02.md:2 warning update_every 40 min",
    "x/02.md:5 warning wording:speculation probably",
    "x/03.md:2 warning monitor_for",
    "x/03.md:2 warning update_every 50 min",
]


def test_an_unchanged_resolved_incident_is_answered_from_the_cache(make_site, tmp_path: Path):
    root = make_site({**resolved("x"), **resolved("y", "14:20", "The cache failed.")})
    cache = tmp_path / "cache"
    found, checked = through_cache(root, cache)
    assert checked == 2 and found == [
        *ALL_OF_X,
        "y/01.md:2 warning first_update 10 min",
        "y/03.md:2 warning monitor_for",
        "y/03.md:2 warning update_every 1 h 10 min",
    ]
    assert through_cache(root, cache) == (found, 0)


def test_findings_follow_an_edit_to_an_update(make_site, tmp_path: Path):
    root = make_site({**resolved("x"), **resolved("y")})
    cache = tmp_path / "cache"
    assert through_cache(root, cache)[1] == 2
    (root / "incidents/x/02.md").write_text(
        update("2026-03-02T14:20:00Z", "identified", "The cache failed.")
    )
    found, checked = through_cache(root, cache)
    assert [f for f in found if f.startswith("x/")] == [
        "x/01.md:2 warning first_update 10 min",
        "x/03.md:2 warning monitor_for",
        "x/03.md:2 warning update_every 1 h 10 min",
    ] and checked == 1
    shutil.rmtree(root / "incidents/y")
    assert through_cache(root, cache) == (found[:3], 0)


def test_findings_follow_a_cadence_rule_change(make_site, tmp_path: Path):
    root = make_site(resolved("x"))
    cache = tmp_path / "cache"
    assert through_cache(root, cache) == (ALL_OF_X, 1)
    (root / "components.yaml").write_text(
        MINIMAL_CONFIG + "severities:\n  SEV-1: {label: Critical, impact: critical, "
        "update_every: 45m}\n"
    )
    assert through_cache(root, cache) == (
        ["x/02.md:5 warning wording:speculation probably", "x/03.md:2 warning update_every 50 min"],
        1,
    )
    (root / "components.yaml").write_text(MINIMAL_CONFIG)
    assert through_cache(root, cache) == (ALL_OF_X, 1)


def test_findings_follow_a_wording_rule_change(make_site, tmp_path: Path):
    root = make_site(
        resolved("x", second_body="We think the network is the cause; the ETA is 16:00.")
    )
    cache = tmp_path / "cache"
    wording = [f for f in through_cache(root, cache)[0] if "wording" in f]
    assert wording == [
        "x/02.md:5 warning wording:fix_time eta",
        "x/02.md:5 warning wording:speculation we think",
    ]
    (root / "components.yaml").write_text(
        MINIMAL_CONFIG + "wording:\n  speculation: false\n"
        "  jargon: {message: say it plainly, phrases: [cache, ETA]}\n"
    )
    assert [f for f in through_cache(root, cache)[0] if "wording" in f] == [
        "x/02.md:5 warning wording:fix_time eta",
        "x/02.md:5 warning wording:jargon ETA",
    ]


def test_an_open_incident_is_checked_afresh_as_now_moves(make_site, tmp_path: Path):
    root = make_site(
        {
            "incidents/x/01.md": update("2026-03-02T14:00:00Z", "investigating", **FIRST),
            "incidents/x/02.md": update("2026-03-02T14:20:00Z", "identified", "Found it."),
        }
    )
    cache = tmp_path / "cache"

    def at(hh_mm: str) -> datetime:
        return datetime.fromisoformat(f"2026-03-02T{hh_mm}:00+00:00")

    assert through_cache(root, cache, at("14:40")) == ([], 1)
    assert through_cache(root, cache, at("14:55")) == (["x/02.md:2 error overdue 35 min"], 1)
    assert through_cache(root, cache, at("15:30")) == (["x/02.md:2 error overdue 1 h 10 min"], 1)
    (root / "incidents/x/03.md").write_text(update("2026-03-02T15:35:00Z", "resolved", "Fixed."))
    settled = ["x/03.md:2 warning monitor_for", "x/03.md:2 warning update_every 1 h 15 min"]
    assert through_cache(root, cache, at("15:40")) == (settled, 1)
    # its postmortem is due within 48 h: until then the findings still depend on `now`
    assert through_cache(root, cache, at("18:00")) == (settled, 1)
    late = datetime(2026, 3, 5, 16, tzinfo=UTC)
    after = [settled[0], "x/03.md:2 warning postmortem_within 48 h", settled[1]]
    assert through_cache(root, cache, late) == (after, 1)
    assert through_cache(root, cache, late) == (after, 0)
    assert through_cache(root, cache, at("18:00")) == (settled, 1)  # not the later answer


def test_a_check_before_the_resolution_is_not_answered_from_the_cache(make_site, tmp_path: Path):
    root = make_site(resolved("x"))
    cache = tmp_path / "cache"
    assert through_cache(root, cache) == (ALL_OF_X, 1)
    content, before = load_content(Project.at(root), NOW), datetime(2026, 3, 2, 15, 10, tzinfo=UTC)
    session = BuildSession.start(root, root / "_site", NOW, (), cache)
    try:
        session.loaders()
        found = check(content, before, session.findings(content, before))
    finally:
        session.close()
    assert found == check(content, before)
    assert "x/02.md:2 error update_every 40 min" in [describe(f) for f in found]


def test_maintenance_past_its_window_is_checked_as_now_moves(make_site, tmp_path: Path):
    root = make_site(OVERRUN)
    cache = tmp_path / "cache"
    assert through_cache(root, cache, datetime(2026, 2, 10, 14, 59, tzinfo=UTC)) == ([], 1)
    assert through_cache(root, cache, datetime(2026, 2, 10, 15, 30, tzinfo=UTC)) == (
        ["m/02.md:2 warning window 30 min"],
        1,
    )


def test_a_moved_site_reuses_the_cache_with_its_own_paths(make_site, tmp_path: Path):
    root = make_site(resolved("x"))
    cache = tmp_path / "cache"
    assert through_cache(root, cache) == (ALL_OF_X, 1)
    moved = shutil.copytree(root, tmp_path / "elsewhere" / "site")
    assert through_cache(moved, cache) == (ALL_OF_X, 0)
    (moved / "incidents/x").rename(moved / "incidents/z")
    assert through_cache(moved, cache) == ([f.replace("x/", "z/") for f in ALL_OF_X], 1)


def test_a_build_reports_what_a_fresh_check_finds_after_an_edit(make_site, tmp_path: Path):
    root = make_site(resolved("x"))
    cache = tmp_path / "cache"
    assert build(Project.at(root), NOW, cache_dir=cache).findings == check(
        load_content(Project.at(root), NOW), NOW
    )
    (root / "incidents/x/02.md").write_text(
        update("2026-03-02T14:40:00Z", "identified", "The blame lies with\nhuman error.")
    )
    warm = build(Project.at(root), NOW, cache_dir=cache).findings
    assert warm == check(load_content(Project.at(root), NOW), NOW)
    assert [(f.line, f.phrase) for f in warm if f.phrase] == [(5, "blame"), (6, "human error")]
