"""What an incident says of itself agrees with the rules: severity and components, the promised
next update and the cadence, a fix that held and the resolution."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import MINIMAL_CONFIG, update

from heliograph.build import Project, load_content
from heliograph.checks.site import check

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def first(severity: str, status: str = "major_outage", body: str | None = None) -> str:
    return update(
        "2026-03-02T14:00:00Z",
        "investigating",
        body,
        title="API errors",
        severity=severity,
        components={"api": status},
    )


def found(make_site, files, rule: str, now: datetime = NOW, config: str = MINIMAL_CONFIG):
    root = make_site(files, config)
    return [
        (f.file, f.line, f.level.value, f.message)
        for f in check(load_content(Project.at(root), now), now)
        if f.rule == rule
    ]


def test_a_sev4_with_a_major_outage_disagrees_and_an_escalation_mends_it(make_site):
    files = {"incidents/x/01.md": first("SEV-4")}
    assert found(make_site, files, "impact") == [
        (
            "incidents/x/01.md",
            2,
            "error",
            "SEV-4 (Low, impact none) is lower than its components show (worst: major outage); "
            "change the severity or the component statuses so that customers read one story "
            "(rule impact)",
        )
    ]
    files["incidents/x/02.md"] = update("2026-03-02T14:10:00Z", "identified", severity="SEV-1")
    assert [f[0] for f in found(make_site, files, "impact", NOW)] == ["incidents/x/01.md"]
    files["incidents/x/02.md"] = update(
        "2026-03-02T14:10:00Z",
        "identified",
        severity="SEV-3",
        components={"api": "degraded_performance"},
    )  # a minor severity for degraded performance agrees
    assert [f[0] for f in found(make_site, files, "impact")] == ["incidents/x/01.md"]


def test_a_promise_of_the_next_update_later_than_the_cadence_allows(make_site):
    body = "Uploads fail for some files.\n\nNext update in 2 hours."
    files = {"incidents/x/01.md": first("SEV-2", "partial_outage", body)}
    (f,) = found(make_site, files, "promise", datetime(2026, 3, 2, 14, 30, tzinfo=UTC))
    assert f[:3] == ("incidents/x/01.md", 11, "error")
    assert f[3] == (
        '"Next update in 2 hours": promises the next update 2 h after this one, but SEV-2 asks '
        "for one every 1 h; promise one by 15:00 UTC instead (rule promise)"
    )
    ok = {
        "incidents/x/01.md": first(
            "SEV-2", "partial_outage", "Uploads fail. Next update in 45 minutes."
        )
    }
    assert found(make_site, ok, "promise", datetime(2026, 3, 2, 14, 30, tzinfo=UTC)) == []


def test_resolve_within_flags_a_fix_left_in_monitoring(make_site):
    config = MINIMAL_CONFIG + (
        "severities:\n  SEV-2: {label: Major, impact: major, resolve_within: 2h}\n"
    )
    files = {
        "incidents/x/01.md": first("SEV-2", "partial_outage"),
        "incidents/x/02.md": update("2026-03-02T14:30:00Z", "monitoring", "A fix is out."),
    }
    assert (
        found(make_site, files, "resolve_within", datetime(2026, 3, 2, 16, 0, tzinfo=UTC), config)
        == []
    )
    (f,) = found(
        make_site, files, "resolve_within", datetime(2026, 3, 2, 17, 0, tzinfo=UTC), config
    )
    assert (
        f[2] == "error" and "still in monitoring 2 h 30 min after monitoring began at 14:30" in f[3]
    )
    files["incidents/x/03.md"] = update("2026-03-02T20:30:00Z", "resolved", "All good.")
    (f,) = found(make_site, files, "resolve_within", datetime(2026, 3, 3, tzinfo=UTC), config)
    assert (f[0], f[2]) == ("incidents/x/03.md", "warning") and "resolved 6 h after" in f[3]
