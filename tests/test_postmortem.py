"""Postmortems: due within `postmortem_within` of the resolution, drafts kept private."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from conftest import MINIMAL_CONFIG, update

from heliograph.build import Project, build, load_content
from heliograph.checks.site import check
from heliograph.cli import main

RESOLVED = "2026-03-02T15:00:00Z"


def incident(severity: str = "SEV-2") -> dict[str, str]:
    return {
        "incidents/x/01.md": update(
            "2026-03-02T14:00:00Z",
            "investigating",
            "Sign-in fails for some accounts.",
            title="Sign-in errors",
            severity=severity,
            components={"login": "partial_outage"},
        ),
        "incidents/x/02.md": update(RESOLVED, "resolved", "Sign-in works again for everyone."),
    }


def postmortem(at: str, draft: bool = False) -> str:
    return f"---\nat: {at}\n{'draft: true' + chr(10) if draft else ''}---\nWhat happened.\n"


def findings(make_site, files, now: datetime, config: str = MINIMAL_CONFIG) -> list[str]:
    root = make_site(files, config)
    return [
        f"{f.file}:{f.line}: {f.level.value}: {f.message}"
        for f in check(load_content(Project.at(root), now), now)
        if f.rule == "postmortem_within"
    ]


def test_a_postmortem_is_due_48_hours_after_a_sev2_resolves(make_site):
    files = incident()
    assert findings(make_site, files, datetime(2026, 3, 4, 15, tzinfo=UTC)) == []  # on the dot
    assert findings(make_site, files, datetime(2026, 3, 4, 15, 1, tzinfo=UTC)) == [
        "incidents/x/02.md:2: warning: SEV-2 incident resolved at 2026-03-02T15:00:00Z has no "
        "published postmortem; it was due by 2026-03-04T15:00:00Z (48 h after the resolution, "
        "rule postmortem_within); write one with 'postmortem x'"
    ]


def test_a_late_postmortem_is_a_warning_at_the_postmortem(make_site):
    files = {**incident("SEV-1"), "incidents/x/postmortem.md": postmortem("2026-03-05T17:30:00Z")}
    assert findings(make_site, files, datetime(2026, 3, 9, tzinfo=UTC)) == [
        "incidents/x/postmortem.md:2: warning: SEV-1 postmortem published 26 h 30 min late, at "
        "2026-03-05T17:30:00Z (due by 2026-03-04T15:00:00Z, 48 h after the resolution; rule "
        "postmortem_within)"
    ]
    on_time = {**files, "incidents/x/postmortem.md": postmortem("2026-03-03T09:00:00Z")}
    assert findings(make_site, on_time, datetime(2026, 3, 9, tzinfo=UTC)) == []


def test_a_draft_does_not_count_and_the_finding_says_so(make_site):
    files = {**incident(), "incidents/x/postmortem.md": postmortem("2026-03-03T09:00:00Z", True)}
    (found,) = findings(make_site, files, datetime(2026, 3, 9, tzinfo=UTC))
    assert found.endswith(
        "; incidents/x/postmortem.md is still a draft (remove 'draft: true' to publish)"
    )


def test_the_window_is_set_per_severity_and_minor_ones_need_none(make_site):
    config = MINIMAL_CONFIG + (
        "severities:\n"
        "  SEV-1: {label: Critical, impact: critical, postmortem_within: 24h}\n"
        "  SEV-2: {label: Major, impact: major, postmortem_within: false}\n"
        "  SEV-3: {label: Minor, impact: minor}\n"
    )
    late = datetime(2026, 3, 3, 15, 1, tzinfo=UTC)
    assert len(findings(make_site, incident("SEV-1"), late, config)) == 1
    assert findings(make_site, incident("SEV-2"), late, config) == []
    assert findings(make_site, incident("SEV-3"), datetime(2026, 9, 1, tzinfo=UTC), config) == []


def test_check_fails_on_a_missing_postmortem_only_under_strict(make_site, capsys):
    root = str(make_site(incident()))
    args = ["check", "--source", root, "--now", "2026-03-09T00:00:00Z"]
    assert main(args) == 0
    assert main([*args, "--strict"]) == 1


def test_a_draft_postmortem_stays_off_the_site_feeds_and_api(make_site, tmp_path):
    text = "We traced the sign-in errors to an expired signing key."
    files = {
        **incident(),
        "incidents/x/postmortem.md": postmortem("2026-03-03T09:00:00Z", True).replace(
            "What happened.", text
        ),
    }
    root = make_site(files)
    out = tmp_path / "out"
    build(Project.at(root, out), datetime(2026, 3, 4, tzinfo=UTC))
    every = "".join(p.read_text() for p in out.rglob("*") if p.is_file() and p.suffix != ".svg")
    assert text not in every and "Postmortem" not in (out / "incidents/x/index.html").read_text()
    (incident_json,) = json.loads((out / "api/v2/incidents.json").read_text())["incidents"]
    assert incident_json["status"] == "resolved"
    (root / "incidents/x/postmortem.md").write_text(postmortem("2026-03-03T09:00:00Z"))
    build(Project.at(root, out), datetime(2026, 3, 4, tzinfo=UTC))
    (incident_json,) = json.loads((out / "api/v2/incidents.json").read_text())["incidents"]
    assert incident_json["status"] == "postmortem"
    assert "What happened." in (out / "history.atom").read_text()
