"""`new`, `update` and `postmortem`: what they write, what they print, and that `build` takes it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heliograph.authoring.drafts import draft_incident, write_draft
from heliograph.build import Project, build, load_content
from heliograph.checks.site import check
from heliograph.cli import main
from heliograph.content import postmortems
from heliograph.content.errors import Abort
from heliograph.content.model import ComponentStatus
from heliograph.state.derive import component_statuses

NOW = "2026-11-24T15:10:00Z"  # conftest's EXAMPLE_NOW: the example's open incident is on time
OPEN = "2026-11-24-scheduled-posts-delayed"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def source(example_source: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(example_source, tmp_path / "site"))


def run(
    capsys: pytest.CaptureFixture[str], source: Path, *argv: str, now: str = NOW
) -> tuple[int, str, str]:
    code = main([*argv, "--source", str(source), "--now", now])
    out, err = capsys.readouterr()
    return code, out, err


def files(source: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(source)): p.read_bytes() for p in sorted(source.rglob("*")) if p.is_file()
    }


def built_page(source: Path, tmp_path: Path, slug: str, now: str) -> str:
    """Build the whole site as `build` would and return the incident's page."""
    out = tmp_path / "_site"
    build(Project.at(source, out), at(now))
    return (out / "incidents" / slug / "index.html").read_text()


def test_new_writes_a_first_update_that_builds_and_keeps_the_cadence(
    capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys,
        source,
        "new",
        "Search results missing",
        "--severity",
        "SEV-2",
        "--component",
        "search=partial_outage",
        "--component",
        "web=degraded_performance",
    )
    path = source / "incidents/2026-11-24-search-results-missing/01-investigating.md"
    assert (code, err) == (0, "")
    assert out == (
        f"Created {path}\n"
        "SEV-2: next update due by 16:10 UTC (11:10 EST), every 1 h until resolved\n"
    )
    assert path.read_text() == (
        "---\n"
        "at: 2026-11-24T15:10:00Z\n"
        "status: investigating\n"
        "title: Search results missing\n"
        "severity: SEV-2\n"
        "components:\n"
        "  search: partial_outage\n"
        "  web: degraded_performance\n"
        "---\n"
        "We are investigating problems affecting Search and Web app. Some requests may fail or "
        "be slow. We will post another update by 11:10 EST.\n"
    )
    page = built_page(source, tmp_path, "2026-11-24-search-results-missing", NOW)
    assert "Search results missing" in page and "affecting Search and Web app" in page
    content = load_content(Project.at(source), at(NOW))
    assert [
        f for f in check(content, at(NOW)) if f.incident.endswith("search-results-missing")
    ] == []
    assert component_statuses(content, at(NOW))["search"] is ComponentStatus.PARTIAL_OUTAGE


def test_new_takes_the_message_given(capsys: pytest.CaptureFixture[str], source: Path) -> None:
    code, out, _ = run(
        capsys,
        source,
        "new",
        "Email delays",
        "--severity",
        "SEV-3",
        "--component",
        "email=degraded_performance",
        "--message",
        "Some emails arrive late.",
    )
    assert code == 0
    assert out.endswith("SEV-3: no update cadence is set\n")
    text = (source / "incidents/2026-11-24-email-delays/01-investigating.md").read_text()
    assert text.endswith("---\nSome emails arrive late.\n")


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["new", "X", "--severity", "SEV-9", "--component", "api=major_outage"],
            "error: unknown severity 'SEV-9'; components.yaml defines: "
            "SEV-1, SEV-2, SEV-3, SEV-4\n",
        ),
        (
            ["new", "X", "--severity", "SEV-1", "--component", "apl=major_outage"],
            "error: unknown component 'apl'; components.yaml defines: api, webhooks, web, login, "
            "search, publishing-api, media, scheduler, database, cdn, email, dns\n",
        ),
        (
            ["new", "X", "--severity", "SEV-1", "--component", "api=down"],
            "error: unknown component status 'down' for api; valid: operational, "
            "under_maintenance, degraded_performance, partial_outage, major_outage\n",
        ),
        (
            ["new", "X", "--severity", "SEV-1", "--component", "api"],
            "error: --component 'api': expected id=status, e.g. api=partial_outage\n",
        ),
        (
            ["new", "X", "--severity", "SEV-1"],
            "error: name at least one affected component: --component api=partial_outage\n",
        ),
        (
            ["update", OPEN, "--status", "fixed"],
            f"error: unknown status 'fixed' for incident {OPEN}; valid: investigating, identified, "
            "monitoring, resolved\n",
        ),
        (
            ["update", "2026-12-02-cdn-provider-migration", "--status", "resolved"],
            "error: unknown status 'resolved' for maintenance 2026-12-02-cdn-provider-migration; "
            "valid: scheduled, in_progress, verifying, completed\n",
        ),
        (
            ["update", "no-such-incident", "--status", "resolved"],
            "error: no incident 'no-such-incident' in incidents/; open: "
            f"2026-12-02-cdn-provider-migration, {OPEN}\n",
        ),
        (
            ["update", OPEN, "--status", "monitoring", "--severity", "P1"],
            "error: unknown severity 'P1'; components.yaml defines: SEV-1, SEV-2, SEV-3, SEV-4\n",
        ),
        (
            ["postmortem", "2025-12-09-api-and-dashboard-outage"],
            "error: incidents/2025-12-09-api-and-dashboard-outage/postmortem.md already exists; "
            "edit it instead\n",
        ),
    ],
)
def test_bad_arguments_are_refused_with_the_valid_choices_and_nothing_written(
    capsys: pytest.CaptureFixture[str], source: Path, argv: list[str], message: str
) -> None:
    before = files(source)
    code, out, err = run(capsys, source, *argv)
    assert (code, out, err) == (1, "", message)
    assert files(source) == before


def test_update_adds_the_next_numbered_file_and_an_escalation_tightens_the_cadence(
    capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, source, "update", OPEN, "--status", "monitoring", "--severity", "SEV-1"
    )
    path = source / "incidents" / OPEN / "04-monitoring.md"
    assert code == 0
    assert out == (
        f"Created {path}\n"
        "SEV-1: next update due by 15:40 UTC (10:40 EST), every 30 min until resolved\n"
    )
    assert path.read_text() == (
        "---\nat: 2026-11-24T15:10:00Z\nstatus: monitoring\nseverity: SEV-1\n---\n"
        "A fix for Post scheduler is in place and we are watching to make sure it holds. We "
        "will post another update by 10:40 EST.\n"
    )
    assert "watching to make sure it holds" in built_page(source, tmp_path, OPEN, NOW)


def test_resolving_without_components_returns_every_component_to_operational(
    capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path
) -> None:
    run(
        capsys,
        source,
        "new",
        "Sign-in and search failing",
        "--severity",
        "SEV-1",
        "--component",
        "login=major_outage",
        "--component",
        "search=partial_outage",
        now="2026-11-24T15:06:00Z",
    )
    slug = "2026-11-24-sign-in-and-search-failing"
    code, out, _ = run(
        capsys,
        source,
        "update",
        slug,
        "--status",
        "resolved",
        "--force",
        "--message",
        "Sign-in and search work again.",
        now="2026-11-24T15:09:00Z",
    )
    path = source / "incidents" / slug / "02-resolved.md"
    assert (code, out) == (0, f"Created {path}\nresolved: no further updates are due\n")
    assert path.read_text() == (
        "---\nat: 2026-11-24T15:09:00Z\nstatus: resolved\ncomponents:\n"
        "  login: operational\n  search: operational\n---\nSign-in and search work again.\n"
    )
    assert "Sign-in and search work again." in built_page(source, tmp_path, slug, NOW)
    statuses = component_statuses(load_content(Project.at(source), at(NOW)), at(NOW))
    assert statuses["login"] is statuses["search"] is ComponentStatus.OPERATIONAL


def test_resolving_with_a_component_changes_only_that_one(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    # The slug as a shell completes it (incidents/<slug>/) names the incident too.
    code, _, _ = run(
        capsys,
        source,
        "update",
        f"incidents/{OPEN}/",
        "--status",
        "resolved",
        "--force",
        "--component",
        "scheduler=degraded_performance",
    )
    assert code == 0
    text = (source / "incidents" / OPEN / "04-resolved.md").read_text()
    assert "components:\n  scheduler: degraded_performance\n---\n" in text


def test_an_update_older_than_the_latest_is_refused(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    before = files(source)
    code, _, err = run(
        capsys, source, "update", OPEN, "--status", "monitoring", now="2026-11-24T15:05:00Z"
    )
    assert code == 1
    assert err == (
        f"error: the latest update (incidents/{OPEN}/03-identified.md) is at "
        "2026-11-24T15:05:00Z; a new update must be later than that (check the "
        "clock, or pass --now)\n"
    )
    assert files(source) == before


def test_nothing_is_ever_overwritten(capsys: pytest.CaptureFixture[str], source: Path) -> None:
    argv = (
        "new",
        "Webhooks delayed",
        "--severity",
        "SEV-2",
        "--component",
        "webhooks=degraded_performance",
    )
    assert run(capsys, source, *argv)[0] == 0
    before = files(source)
    code, _, err = run(capsys, source, *argv, now="2026-11-24T15:10:30Z")
    assert (code, err) == (
        1,
        "error: incidents/2026-11-24-webhooks-delayed already exists; nothing was written\n",
    )
    assert files(source) == before
    content = load_content(Project.at(source), at(NOW))
    draft = draft_incident(content, "Other", "SEV-2", ["api=major_outage"], "x", at(NOW))
    target = source / draft.path
    target.parent.mkdir(parents=True)
    target.write_text("mine")
    with pytest.raises(Abort, match="already exists; nothing was written"):
        write_draft(source, draft)
    assert target.read_text() == "mine"


def test_postmortem_fills_the_sop_template_from_the_updates(
    capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path
) -> None:
    slug = "2026-09-03-dns-resolution-failures"
    (source / "incidents" / slug / "postmortem.md").unlink()  # one still to write
    code, out, _ = run(capsys, source, "postmortem", slug)
    path = source / "incidents" / slug / "postmortem.md"
    assert (code, out) == (0, f"Created {path}\n")
    text = path.read_text()
    assert text.startswith("---\nat: 2026-11-24T15:10:00Z\ndraft: true\n---\n## Summary\n\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Root cause",
        "## Resolution",
        "## Action items",
        "## Lessons learned",
    ]
    incident = next(
        i for i in load_content(Project.at(source), at(NOW)).incidents if i.slug == slug
    )
    timeline = text.split("## Timeline\n\n")[1].split("\n\n")[0].splitlines()
    statuses = [u.status.value.capitalize() for u in incident.updates]
    assert [line.split("** ")[1].split(":")[0] for line in timeline[-len(statuses) :]] == statuses
    assert timeline[0].startswith("- **3 Sep 2026, ")
    page = built_page(source, tmp_path, slug, NOW)
    assert "Root cause" not in page  # a draft stays off the site
    assert run(capsys, source, "postmortem", slug)[0] == 1  # a second run changes nothing
    assert path.read_text() == text


@pytest.mark.parametrize(
    "title",
    [
        'Search: "stale" results #2',
        "yes",
        "null",
        "123",
        "- dashes",
        "[brackets]",
        "'quoted'",
        "Café & ünïcode — outage",
        "  spaced   out  ",
    ],
)
def test_any_title_reads_back_exactly(source: Path, title: str) -> None:
    content = load_content(Project.at(source), at(NOW))
    draft = draft_incident(content, title, "SEV-3", ["api=degraded_performance"], None, at(NOW))
    write_draft(source, draft)
    reread = load_content(Project.at(source), at(NOW))
    incident = next(i for i in reread.incidents if i.path == draft.path.parent)
    assert incident.title == " ".join(title.split())
    assert incident.slug.startswith("2026-11-24-") and incident.slug.isascii()


def test_the_first_message_follows_the_sop_for_the_severity(source: Path) -> None:
    content = load_content(Project.at(source), at(NOW))

    def body(severity: str) -> str:
        draft = draft_incident(
            content,
            "T",
            severity,
            ["api=major_outage"],
            None,
            datetime(2026, 11, 24, 15, 10, 42, 5, tzinfo=UTC),
        )
        return draft.text.split("---\n")[2]

    assert body("SEV-1") == (
        "We are investigating a major disruption affecting Public API. "
        "Our engineers are working on it with the highest priority. We will "
        "post another update by 10:40 EST.\n"
    )
    assert body("SEV-4") == (
        "We are looking into a minor issue affecting Public API. We will "
        "post another update as soon as we know more.\n"
    )


def test_a_postmortem_of_an_open_incident_says_so_and_still_builds(
    capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path
) -> None:
    assert run(capsys, source, "postmortem", OPEN)[0] == 0
    text = (source / "incidents" / OPEN / "postmortem.md").read_text()
    assert (
        "Scheduled posts publishing late: Post scheduler was affected since 24 Nov 2026, "
        "09:15 EST; the incident is still open. Severity: SEV-2."
    ) in text
    assert "- Post scheduler: partial outage\n" in text
    assert "Post scheduler was affected" not in built_page(source, tmp_path, OPEN, NOW)  # a draft
    done = text.replace("draft: true\n", "")
    for placeholder in postmortems.PLACEHOLDERS:
        done = done.replace(placeholder, "Written by the incident lead.")
    (source / "incidents" / OPEN / "postmortem.md").write_text(done)
    assert "Post scheduler was affected" in built_page(source, tmp_path, OPEN, NOW)


def test_a_published_postmortem_with_placeholders_left_is_refused_at_their_lines(
    capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path
) -> None:
    assert run(capsys, source, "postmortem", OPEN)[0] == 0
    path = source / "incidents" / OPEN / "postmortem.md"
    text = path.read_text().replace("draft: true\n", "")
    path.write_text(text.replace(postmortems.RESOLUTION, "We moved the queue to new servers."))
    lines = path.read_text().splitlines()
    code, _, err = run(capsys, source, "build")
    shown = f"incidents/{OPEN}/postmortem.md"
    assert code == 1
    left = (postmortems.ROOT_CAUSE, postmortems.ACTION_ITEMS, postmortems.LESSONS)
    at_line = [next(n for n, line in enumerate(lines, 1) if p in line) for p in left]
    assert err.splitlines() == [
        f"{shown}:{n}: the postmortem still holds the template's placeholder '{p.strip('_')}': "
        "write that part, or keep 'draft: true' in the front matter until it is done"
        for n, p in zip(at_line, left, strict=True)
    ] + ["error: 3 problems in the content; nothing was written"]
    assert not (source / "_site").exists()


def test_resolving_inside_the_monitoring_window_is_refused_with_the_earliest_time(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    before = files(source)
    code, _, err = run(capsys, source, "update", OPEN, "--status", "resolved")
    assert (code, files(source)) == (1, before)
    assert err == (
        "error: SEV-2 asks for 30 min in monitoring before 'resolved' (rule monitor_for): "
        f"{OPEN} has no monitoring update yet; post 'monitoring' first; posted now, it may "
        "resolve from 15:40 UTC (10:40 EST). Pass --force to resolve anyway (check will still "
        "report it)\n"
    )
    monitoring = "Posts go out on time again; we are watching the queue."
    assert (
        run(capsys, source, "update", OPEN, "--status", "monitoring", "--message", monitoring)[0]
        == 0
    )
    code, _, err = run(
        capsys, source, "update", OPEN, "--status", "resolved", now="2026-11-24T15:30:00Z"
    )
    assert code == 1 and f"{OPEN} is in monitoring; the earliest it may resolve is 15:40 UTC" in err
    code, out, _ = run(
        capsys, source, "update", OPEN, "--status", "resolved", now="2026-11-24T15:40:00Z"
    )
    assert code == 0 and out.startswith("Created ")


def test_new_and_update_show_the_wording_findings_and_strict_refuses(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    before = files(source)
    args = ["new", "Sign-in down due to an AWS outage", "--severity", "SEV-3"]
    args += ["--component", "login=partial_outage", "--message", "We are still looking into it."]
    code, _, err = run(capsys, source, *args, "--strict")
    assert (code, files(source)) == (1, before)
    assert err.splitlines() == [
        'warning: title: "due to an AWS": a provider named as the cause: customers '
        "chose us, not our suppliers; say what failed for them and what we are doing (wording "
        'check vendor); instead: say what customers notice and what we are doing: "Sign-in is '
        'failing; we are working to restore it" (name a provider only as a fact, e.g. that a '
        "region we use is down)",
        'warning: message: "We are still looking into it.": an update that says nothing new: say '
        "what customers notice now, what we are doing and when they will hear from us (wording "
        'check content_free); instead: say what changed: "Uploads still fail for about 1 in 10 '
        'files; we are moving traffic to a second storage region. Next update by 15:30 UTC."',
        "error: the wording checks found 2 problems in the message and --strict is set; nothing "
        "was written",
    ]
    code, out, err = run(capsys, source, *args)
    assert code == 0 and out.startswith("Created ") and err.count("warning: ") == 2


def test_new_records_when_impact_started_and_was_detected_under_a_chosen_slug(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    args = ["new", "Scheduled posts publishing late", "--severity", "SEV-2"]
    args += ["--component", "scheduler=partial_outage", "--slug", "2026-11-24-scheduler-again"]
    args += ["--started", "2026-11-24T14:50:00Z", "--detected", "2026-11-24T14:52:00Z"]
    assert run(capsys, source, *args)[0] == 0
    incident = next(
        i
        for i in load_content(Project.at(source), at(NOW)).incidents
        if i.slug == "2026-11-24-scheduler-again"
    )
    assert (incident.started, incident.detected) == (
        at("2026-11-24T14:50:00Z"),
        at("2026-11-24T14:52:00Z"),
    )
    findings = check(load_content(Project.at(source), at(NOW)), at(NOW))
    assert [f.rule for f in findings if f.incident == incident.slug] == ["first_update"]
    code, _, err = run(capsys, source, *args)
    assert code == 1 and "incidents/2026-11-24-scheduler-again already exists" in err


def test_an_update_to_an_overdue_incident_says_how_late_it_is(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    message = "Posts still go out late; we are adding workers to the queue."
    code, out, _ = run(
        capsys,
        source,
        "update",
        OPEN,
        "--status",
        "identified",
        "--message",
        message,
        now="2026-11-24T16:35:00Z",
    )
    assert code == 0
    assert out.splitlines()[1] == (
        "SEV-2: this update is 30 min late: the last public update was at 15:05 UTC (10:05 EST) "
        "and the next was due by 16:05 UTC (11:05 EST) (every 1 h, rule update_every)"
    )


def test_the_sop_drafts_name_the_impact_and_pass_the_wording_checks(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    from heliograph.authoring import sop
    from heliograph.checks.wordingmatch import find
    from heliograph.content.wordingrules import DEFAULT_RULES

    values = {
        "components": "the Public API",
        "next_update": sop.NEXT_UPDATE.format(due="15:30 UTC"),
        "are": "is",
        "duration": "1 h 5 min",
        "since": "15:10 UTC",
        "all_clear": sop.ALL_CLEAR,
    }
    drafts = [*sop.INITIAL_MESSAGE.values(), *sop.STATUS_MESSAGE.values(), sop.NO_CADENCE]
    texts = [d.format(**values) for d in drafts]
    assert [(t, h.rule) for t in texts for h in find(DEFAULT_RULES, t, "Acme")] == []
    code, _, err = run(capsys, source, "update", OPEN, "--status", "investigating")
    assert (code, err) == (0, "")
    text = (source / "incidents" / OPEN / "04-investigating.md").read_text()
    assert text.endswith(
        "We are still investigating the problems affecting Post scheduler, which is not yet "
        "working normally. We will post another update by 11:10 EST.\n"
    )
    code, _, err = run(
        capsys,
        source,
        "update",
        OPEN,
        "--status",
        "resolved",
        "--force",
        now="2026-11-24T15:20:00Z",
    )
    assert (code, err) == (0, "")
    text = (source / "incidents" / OPEN / "05-resolved.md").read_text()
    assert text.endswith(
        "This incident is resolved: Post scheduler is working normally again. The problems "
        "lasted 1 h 5 min. We are sorry for the disruption this caused. All systems are "
        "operational.\n"
    )
