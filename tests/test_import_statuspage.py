"""`heliograph import statuspage`: real Statuspage data in, a site whose API gives it back.

The proof: githubstatus.com's 50 incidents, imported and built, come back from our
`api/v2/incidents.json` field by field under the same ids. The fields that cannot come back
(and why) are listed in the README under "Moving from Statuspage"; `NOT_KEPT` here is that list.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from builds import build_at
from conftest_browser import serve

from heliograph.cli import main

SAMPLES = Path(__file__).parent / "data" / "statuspage"
NOW = datetime(2026, 8, 1, tzinfo=UTC)
NOW_ARG = "2026-08-01T00:00:00Z"
# Fields of an incident and of an update that Heliograph does not keep (see the README).
NOT_KEPT = {"updated_at", "components", "incident_updates"}
NOT_KEPT_UPDATE = {"created_at", "updated_at", "affected_components"}


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def import_github(site: Path, capsys: pytest.CaptureFixture[str], *more: str) -> str:
    code, out, err = run(
        capsys,
        "import",
        "statuspage",
        str(SAMPLES / "githubstatus-summary.json"),
        str(SAMPLES / "githubstatus-incidents.json"),
        "--into",
        str(site),
        "--now",
        NOW_ARG,
        *more,
    )
    assert code == 0, err
    return out


def affected(update: dict[str, Any]) -> list[tuple[str, str, str, str]] | None:
    listed = update["affected_components"]
    if listed is None:
        return None
    return sorted((a["code"], a["name"], a["old_status"], a["new_status"]) for a in listed)


def test_githubstatus_incidents_come_back_field_by_field(tmp_path: Path, capsys):
    site = tmp_path / "github"
    out = import_github(site, capsys)
    assert "lists 50 incidents: the most a page's public API returns" in out
    built = build_at(site, NOW)
    ours = {
        i["id"]: i for i in json.loads((built / "api/v2/incidents.json").read_text())["incidents"]
    }
    theirs = sample("githubstatus-incidents.json")["incidents"]
    assert len(theirs) == len(ours) == 50
    backfilled = 0
    for old in theirs:
        new = ours[old["id"]]
        assert set(new) >= set(old)  # every key a client reads is there
        for key in ("name", "status", "impact", "shortlink", "page_id", "reminder_intervals"):
            assert new[key] == old[key], (old["id"], key)
        for key in ("resolved_at", "monitoring_at"):
            assert when(new[key]) == when(old[key]), (old["id"], key)
        first = min(when(u["display_at"]) for u in old["incident_updates"])
        if first == when(old["created_at"]):  # backfilled: created when it was shown to begin
            backfilled += 1
            assert when(new["created_at"]) == when(old["created_at"])
        else:  # Statuspage stamps the incident some milliseconds before its first update
            assert when(new["created_at"]) == first
            assert abs((when(old["created_at"]) - first).total_seconds()) < 1
            assert when(new["started_at"]) == when(old["started_at"])
        assert sorted(c["id"] for c in new["components"]) == sorted(
            c["id"] for c in old["components"]
        )
        # Newest first, each with its id, status, message, displayed time and components.
        assert [u["id"] for u in new["incident_updates"]] == [
            u["id"] for u in old["incident_updates"]
        ]
        for u, v in zip(old["incident_updates"], new["incident_updates"], strict=True):
            assert (v["status"], v["body"], v["incident_id"]) == (
                u["status"],
                u["body"],
                u["incident_id"],
            )
            assert when(v["display_at"]) == when(u["display_at"])
            assert affected(v) == affected(u), (old["id"], u["id"])
    assert backfilled == 3


def test_githubstatus_components_and_page_are_kept(tmp_path: Path, capsys):
    site = tmp_path / "github"
    import_github(site, capsys)
    built = build_at(site, NOW)
    summary = json.loads((built / "api/v2/summary.json").read_text())
    old = sample("githubstatus-summary.json")
    assert {k: summary["page"][k] for k in ("id", "name", "url", "time_zone")} == {
        k: old["page"][k] for k in ("id", "name", "url", "time_zone")
    }
    keys = ("id", "name", "position", "description", "showcase", "group_id", "group")
    assert [{k: c[k] for k in keys} for c in summary["components"]] == [
        {k: c[k] for k in keys} for c in old["components"]
    ]


def test_a_page_with_groups_offsets_and_an_open_incident(tmp_path: Path, capsys):
    site = tmp_path / "instructure"
    code, out, err = run(
        capsys,
        "import",
        "statuspage",
        str(SAMPLES / "instructure-summary.json"),
        "--into",
        str(site),
        "--now",
        "2021-12-07T19:00:00Z",
    )
    assert code == 0, err
    config = (site / "components.yaml").read_text(encoding="utf-8")
    assert "timezone: America/Denver" in config
    assert "  - group: Canvas\n    id: canvas\n" in config
    assert "      - id: canvas-canvas\n        name: Canvas\n" in config  # the group has its name
    assert "name: — Catalog" in config  # odd names stay as they were; the id is plain
    [folder] = (site / "incidents").iterdir()
    [was] = sample("instructure-summary.json")["incidents"]
    shown = min(u["display_at"] for u in was["incident_updates"])
    first = (folder / "01-investigating.md").read_text(encoding="utf-8")
    assert f"at: {shown}\n" in first and shown.endswith("-07:00")  # the page's own offset
    built = build_at(site, datetime(2021, 12, 7, 19, tzinfo=UTC))
    summary = json.loads((built / "api/v2/summary.json").read_text())
    old = sample("instructure-summary.json")
    [incident] = summary["incidents"]
    assert (incident["id"], incident["status"], incident["impact"]) == (
        was["id"],
        "identified",
        "minor",
    )
    statuses = {c["id"]: c["status"] for c in summary["components"]}
    assert statuses == {c["id"]: c["status"] for c in old["components"]}
    groups = {c["id"]: c["components"] for c in summary["components"] if c["group"]}
    assert groups == {c["id"]: c["components"] for c in old["components"] if c["group"]}


@pytest.fixture
def page_server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving githubstatus.com's files under /api/v2/."""
    root = tmp_path / "www"
    (root / "api" / "v2").mkdir(parents=True)
    shutil.copy(SAMPLES / "githubstatus-summary.json", root / "api/v2/summary.json")
    shutil.copy(SAMPLES / "githubstatus-incidents.json", root / "api/v2/incidents.json")
    page = sample("githubstatus-summary.json")["page"]
    (root / "api/v2/scheduled-maintenances.json").write_text(
        json.dumps({"page": page, "scheduled_maintenances": []})
    )
    with serve(root) as url:
        yield url


def test_import_by_url_reads_the_public_api(tmp_path: Path, capsys, page_server: str):
    by_url, by_files = tmp_path / "by-url", tmp_path / "by-files"
    code, out, err = run(
        capsys, "import", "statuspage", f"{page_server}/", "--into", str(by_url), "--now", NOW_ARG
    )
    assert code == 0, err
    assert "incidents.json lists 50 incidents: the most a page's public API returns" in out
    import_github(by_files, capsys)
    mine, theirs = tree(by_url), tree(by_files)
    assert mine.keys() == theirs.keys()
    # The same files but for the header of components.yaml, which names the same page.
    assert {k: v for k, v in mine.items() if k.startswith("incidents/")} == {
        k: v for k, v in theirs.items() if k.startswith("incidents/")
    }
    code, out, err = run(
        capsys, "import", "statuspage", f"{page_server}/nothing", "--into", str(tmp_path / "x")
    )
    assert code == 1
    assert f"{page_server[7:]}/nothing/api/v2/summary.json:1: HTTP 404" in err
    assert not (tmp_path / "x").exists()


def folder_of(site: Path, incident_id: str) -> Path:
    """The folder the import wrote the incident with this Statuspage id into."""
    return next(
        p.parent
        for p in (site / "incidents").glob("*/01-*.md")
        if f"incident_id: {incident_id}\n" in p.read_text(encoding="utf-8")
    )


def test_a_rerun_takes_upstream_changes_and_keeps_local_edits(tmp_path: Path, capsys):
    site = tmp_path / "github"
    import_github(site, capsys)
    before = tree(site)
    out = import_github(site, capsys)  # nothing changed upstream: nothing is written
    assert "Incidents: 50 of 50 unchanged upstream" in out and tree(site) == before
    # Upstream: a new update on one incident and an edited message on another.
    data = sample("githubstatus-incidents.json")
    latest, other = data["incidents"][0], data["incidents"][1]
    late = dict(latest["incident_updates"][0], id="newupdate001", body="A late note.")
    late["display_at"] = late["created_at"] = "2026-07-30T11:00:00.000Z"
    latest["incident_updates"].insert(0, late)
    other["incident_updates"][1]["body"] = "Edited upstream."
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    # Here: a correction to the same update upstream edited, and one to another file.
    ours = sorted(folder_of(site, other["id"]).glob("*.md"))
    edited = ours[-2]  # the second newest: the update upstream changed
    edited.write_text(edited.read_text() + "Our correction.\n")
    other_edit = next(iter(sorted((site / "incidents").iterdir()))) / "01-investigating.md"
    other_edit.write_text(other_edit.read_text() + "Ours.\n")
    args = [str(SAMPLES / "githubstatus-summary.json"), str(changed), "--into", str(site)]
    code, out, err = run(capsys, "import", "statuspage", *args, "--now", NOW_ARG, "--dry-run")
    assert code == 0 and tree(site) != before and "Dry run: nothing was written." in out
    dry = tree(site)
    code, out, err = run(capsys, "import", "statuspage", *args, "--now", NOW_ARG)
    assert code == 0, err
    rel = edited.relative_to(site).as_posix()
    assert f"conflict {rel} (you edited it and upstream changed it" in out
    assert "Our correction." in edited.read_text()  # kept
    assert "Ours." in other_edit.read_text()  # upstream did not change it: kept, quietly
    new_file = sorted(
        p.name
        for p in next(
            p for p in (site / "incidents").iterdir() if p.name.startswith("2026-07-30")
        ).glob("*.md")
    )[-1]
    assert new_file == "05-resolved.md"
    assert "Incidents: 48 of 50 unchanged upstream" in out
    assert dry != tree(site)
    code, out, err = run(capsys, "import", "statuspage", *args, "--now", NOW_ARG, "--force")
    assert code == 0 and "Our correction." not in edited.read_text()
    assert "Edited upstream." in edited.read_text()
    built = build_at(site, NOW)
    [incident] = [
        i
        for i in json.loads((built / "api/v2/incidents.json").read_text())["incidents"]
        if i["id"] == latest["id"]
    ]
    assert incident["incident_updates"][0]["id"] == "newupdate001"


def site_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_malformed_input_writes_nothing_and_lists_every_error(tmp_path: Path, capsys):
    site = tmp_path / "github"
    import_github(site, capsys)
    before = site_hash(site)
    data = sample("githubstatus-incidents.json")
    data["incidents"][0]["incident_updates"][1]["status"] = "exploded"
    data["incidents"][3]["incident_updates"][0]["display_at"] = "yesterday"
    del data["incidents"][7]["name"]
    bad = tmp_path / "bad-incidents.json"
    bad.write_text(json.dumps(data, indent=2), encoding="utf-8")
    code, out, err = run(
        capsys,
        "import",
        "statuspage",
        str(SAMPLES / "githubstatus-summary.json"),
        str(bad),
        "--into",
        str(site),
        "--now",
        NOW_ARG,
    )
    assert code == 1 and "Traceback" not in err
    lines = err.splitlines()
    text = bad.read_text()

    def line_of(key: str) -> int:
        return text[: text.index(f'"{key}"')].count("\n") + 1

    u1 = data["incidents"][0]["incident_updates"][1]["id"]
    u2 = data["incidents"][3]["incident_updates"][0]["id"]
    i7 = data["incidents"][7]["id"]
    assert lines == [
        f"{bad}:{line_of(u1)}: incident {data['incidents'][0]['id']} update {u1}.status: "
        "expected one of investigating, identified, monitoring, resolved, scheduled, "
        "in_progress, verifying, completed, postmortem, got 'exploded'",
        f"{bad}:{line_of(u2)}: incident {data['incidents'][3]['id']} update {u2}.display_at: "
        "expected a time like 2026-02-10T14:32:00Z, got 'yesterday'",
        f"{bad}:{line_of(i7)}: incident {i7}.name: missing",
        "error: 3 problems in the content; nothing was written",
    ]
    assert site_hash(site) == before
    broken = tmp_path / "broken.json"
    broken.write_text('{"page": {"id": "x"},\n "incidents": [}\n', encoding="utf-8")
    code, out, err = run(capsys, "import", "statuspage", str(broken), "--into", str(site))
    assert code == 1
    assert err.startswith(f"{broken}:2: malformed JSON: Expecting value (column 16)\n")
    assert site_hash(site) == before


def test_an_export_with_maintenance_postmortems_and_retired_components(tmp_path: Path, capsys):
    """An export of the management API's shape (a bare list, with postmortems) beside the
    public files, maintenance among them, and a component gone from the page since."""
    summary = sample("githubstatus-summary.json")
    page = summary["page"]
    actions = next(c for c in summary["components"] if c["name"] == "Actions")
    gone = {"id": "gonecomp0001", "name": "Legacy Builds", "description": "Retired in 2025"}

    def update(uid: str, status: str, at: str, body: str, comps: Any) -> dict[str, Any]:
        return {
            "id": uid,
            "status": status,
            "body": body,
            "created_at": at,
            "display_at": at,
            "affected_components": comps,
        }

    incident = {
        "id": "oldincident1",
        "name": 'Builds: failing <fast> & "loud"',
        "status": "postmortem",
        "impact": "critical",
        "created_at": "2025-01-10T10:00:00.000Z",
        "updated_at": "2025-01-12T10:00:00.000Z",
        "shortlink": "https://stspg.io/abc123",
        "postmortem_body": "## What happened\n\nA bad deploy.",
        "postmortem_published_at": "2025-01-12T10:00:00.000Z",
        "components": [gone],
        "incident_updates": [
            update(
                "oldupdate002",
                "resolved",
                "2025-01-10T11:00:00.000Z",
                "Fixed.",
                [
                    {
                        "code": "gonecomp0001",
                        "name": "Legacy Builds",
                        "old_status": "major_outage",
                        "new_status": "operational",
                    }
                ],
            ),
            update(
                "oldupdate001",
                "investigating",
                "2025-01-10T10:00:00.000Z",
                "",
                [
                    {
                        "code": "gonecomp0001",
                        "name": "Legacy Builds",
                        "old_status": "operational",
                        "new_status": "major_outage",
                    }
                ],
            ),
        ],
    }
    window = {
        "id": "maint0000001",
        "name": "Database upgrade",
        "status": "scheduled",
        "impact": "maintenance",
        "created_at": "2026-07-20T09:00:00.000Z",
        "scheduled_for": "2026-08-05T02:00:00.000Z",
        "scheduled_until": "2026-08-05T04:00:00.000Z",
        "shortlink": "https://stspg.io/maint1",
        "components": [actions],
        "incident_updates": [
            update(
                "maintupd0001",
                "scheduled",
                "2026-07-20T09:00:00.000Z",
                "We will upgrade the database.",
                [
                    {
                        "code": actions["id"],
                        "name": "Actions",
                        "old_status": "operational",
                        "new_status": "under_maintenance",
                    }
                ],
            )
        ],
    }
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "incidents-2025.json").write_text(json.dumps([incident]))
    (folder / "scheduled-maintenances.json").write_text(
        json.dumps({"page": page, "scheduled_maintenances": [window]})
    )
    site = tmp_path / "site"
    code, out, err = run(
        capsys, "import", "statuspage", str(folder), "--into", str(site), "--now", NOW_ARG
    )
    assert code == 0, err
    assert (
        "component 'Legacy Builds' (gonecomp0001) is named by incidents but not in the summary"
        in err
    )
    assert "update oldupdate001 has no message; wrote 'Investigating.'" in err
    config = (site / "components.yaml").read_text()
    assert "  - group: Not on the old page\n" in config and "name: Legacy Builds" in config
    built = build_at(site, NOW)
    [old] = json.loads((built / "api/v2/incidents.json").read_text())["incidents"]
    assert (old["id"], old["name"], old["status"], old["impact"]) == (
        "oldincident1",
        'Builds: failing <fast> & "loud"',
        "postmortem",
        "critical",
    )
    assert [c["id"] for c in old["components"]] == ["gonecomp0001"]
    page_html = next((built / "incidents").glob("2025-01-10-*/index.html")).read_text()
    assert "A bad deploy." in page_html
    [upcoming] = json.loads((built / "api/v2/scheduled-maintenances/upcoming.json").read_text())[
        "scheduled_maintenances"
    ]
    assert (upcoming["id"], upcoming["status"]) == ("maint0000001", "scheduled")
    assert when(upcoming["scheduled_for"]) == when(window["scheduled_for"])
    assert when(upcoming["scheduled_until"]) == when(window["scheduled_until"])
    assert upcoming["shortlink"] == "https://stspg.io/maint1"
    assert "Database upgrade" in (built / "maintenance.ics").read_text()


def test_two_pages_at_once_are_refused(tmp_path: Path, capsys):
    code, out, err = run(
        capsys,
        "import",
        "statuspage",
        str(SAMPLES / "githubstatus-summary.json"),
        str(SAMPLES / "instructure-summary.json"),
        "--into",
        str(tmp_path / "site"),
    )
    assert code == 1
    assert (
        "is another page than 'kctbh9vrtdwd' (GitHub)" in err and "import one page at a time" in err
    )
    assert not (tmp_path / "site").exists()


def test_hostile_json_is_refused_in_one_line(tmp_path: Path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    huge_body = sample("githubstatus-incidents.json")
    huge_body["incidents"][0]["incident_updates"][0]["body"] = "x" * 1_000_000
    big = tmp_path / "big.json"
    big.write_text(json.dumps(huge_body))
    for file, message in ((deep, "nested too deeply"), (big, "an update holds at most 900,000")):
        code, out, err = run(
            capsys,
            "import",
            "statuspage",
            str(file),
            "--into",
            str(tmp_path / "s"),
            "--now",
            NOW_ARG,
        )
        assert code == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_an_import_after_which_the_site_would_not_build_writes_nothing(tmp_path: Path, capsys):
    site = tmp_path / "github"
    import_github(site, capsys)
    config = site / "components.yaml"
    config.write_text(
        config.read_text().replace("https://www.githubstatus.com", "https://status.example.org")
    )
    before = site_hash(site)
    # Upstream: a new component, and a new incident on it.
    summary = sample("githubstatus-summary.json")
    summary["components"].append(
        dict(summary["components"][0], id="newcomp00001", name="Models", position=13)
    )
    incidents = sample("githubstatus-incidents.json")
    fresh = json.loads(json.dumps(incidents["incidents"][0]))
    fresh["id"] = "newincident1"
    for n, u in enumerate(fresh["incident_updates"]):
        u["id"] = f"newupd{n:06d}"
        u["affected_components"] = [
            {
                "code": "newcomp00001",
                "name": "Models",
                "old_status": "operational",
                "new_status": "major_outage",
            }
        ]
    incidents["incidents"].insert(0, fresh)
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    (tmp_path / "incidents.json").write_text(json.dumps(incidents))
    code, out, err = run(
        capsys,
        "import",
        "statuspage",
        str(tmp_path / "summary.json"),
        str(tmp_path / "incidents.json"),
        "--into",
        str(site),
        "--now",
        NOW_ARG,
    )
    assert code == 1
    assert "conflict components.yaml (you edited it and upstream changed it" in out
    assert "unknown component 'models'" in err
    assert "the site would not build after this import" in err
    assert site_hash(site) == before
    # Taking upstream's components.yaml (--force) makes it whole; the edit is then redone.
    code, out, err = run(
        capsys,
        "import",
        "statuspage",
        str(tmp_path / "summary.json"),
        str(tmp_path / "incidents.json"),
        "--into",
        str(site),
        "--now",
        NOW_ARG,
        "--force",
    )
    assert code == 0, err
    assert "name: Models" in config.read_text()


def test_a_record_that_points_outside_the_site_is_refused(tmp_path: Path, capsys):
    site = tmp_path / "github"
    import_github(site, capsys)
    record = site / ".heliograph-import.json"
    data = json.loads(record.read_text())
    data["files"]["../../outside.md"] = "0" * 64
    record.write_text(json.dumps(data))
    code, out, err = run(
        capsys,
        "import",
        "statuspage",
        str(SAMPLES / "githubstatus-incidents.json"),
        "--into",
        str(site),
        "--now",
        NOW_ARG,
    )
    assert code == 1
    assert (
        ".heliograph-import.json:1: not an import record (path '../../outside.md' is not a "
        "file of the site)" in err
    )


def test_the_impact_to_severity_map_is_the_users_to_set(tmp_path: Path, capsys):
    site = tmp_path / "github"
    import_github(site, capsys, "--severity", "minor=SEV-2", "--severity", "none=SEV-3")
    minor = [
        i["id"]
        for i in sample("githubstatus-incidents.json")["incidents"]
        if i["impact"] == "minor"
    ]
    firsts = {p.read_text() for p in (site / "incidents").glob("*/01-*.md")}
    for incident_id in minor:
        [text] = [t for t in firsts if f"incident_id: {incident_id}\n" in t]
        assert "severity: SEV-2\n" in text
    assert not any("severity: SEV-4\n" in t for t in firsts)
    code, out, err = run(capsys, "import", "statuspage", "x", "--severity", "minor")
    assert code == 1 and "expected NAME=VALUE" in err
