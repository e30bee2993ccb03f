"""Corrections in the open, from the site's own git history (a real repository per test)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from conftest import update

from heliograph.build import Project, build, corrected_content
from heliograph.checks.site import check

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
FIRST = "incidents/x/01.md"


def git(root: Path, *args: str, when: str = "2026-03-02T14:05:00Z") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Comms",
        "GIT_AUTHOR_EMAIL": "comms@test.example",
        "GIT_COMMITTER_NAME": "Comms",
        "GIT_COMMITTER_EMAIL": "comms@test.example",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def first(body: str, at: str = "2026-03-02T14:00:00Z", status: str = "investigating") -> str:
    return update(
        at,
        status,
        body,
        title="Sign-in errors",
        severity="SEV-3",
        components={"login": "degraded_performance"},
    )


def repo(make_site) -> Path:
    root = make_site({FIRST: first("Sign-in fails for some accounts.")})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Investigating sign-in errors")
    return root


def built(root: Path, tmp_path: Path) -> tuple[str, dict]:
    out = tmp_path / "out"
    build(Project.at(root, out), NOW)
    page = (out / "incidents/x/index.html").read_text()
    (incident,) = json.loads((out / "api/v2/incidents.json").read_text())["incidents"]
    return page, incident["incident_updates"][0]


def test_a_message_changed_after_publishing_says_corrected_and_when(make_site, tmp_path):
    root = repo(make_site)
    page, api = built(root, tmp_path)
    assert "Corrected" not in page and api["updated_at"] == "2026-03-02T14:00:00.000Z"
    (root / FIRST).write_text(first("Sign-in fails for accounts that use SSO."))
    page, api = built(root, tmp_path)  # previewed before the commit: not published yet
    assert "accounts that use SSO" in page and "Corrected" not in page
    git(root, "commit", "-qam", "Correct the scope", when="2026-03-02T14:20:00Z")
    page, api = built(root, tmp_path)  # the same files, a new history: built anew
    assert "Sign-in fails for accounts that use SSO." in page
    assert 'Corrected <time datetime="2026-03-02T14:20:00Z">' in page
    assert (api["created_at"], api["updated_at"]) == (
        "2026-03-02T14:00:00.000Z",
        "2026-03-02T14:20:00.000Z",
    )
    assert check(corrected_content(Project.at(root), NOW), NOW) == ()  # a correction is fine


def test_a_published_time_or_status_changed_later_is_a_warning(make_site):
    root = repo(make_site)
    (root / FIRST).write_text(
        first("Sign-in fails for some accounts.", at="2026-03-02T13:50:00Z", status="identified")
    )
    git(root, "commit", "-qam", "Backdate", when="2026-03-02T15:00:00Z")
    (f,) = check(corrected_content(Project.at(root), NOW), NOW)
    assert (f.rule, f.level.value, str(f.path), f.line) == ("rewritten", "warning", FIRST, 2)
    assert f.message.startswith(
        "this update was published, then changed: 'at' from 2026-03-02T14:00:00+00:00 to "
        "2026-03-02T13:50:00+00:00 and 'status' from investigating to identified"
    )


def test_a_site_that_is_no_git_work_tree_has_no_corrections(make_site, tmp_path):
    root = make_site({FIRST: first("Sign-in fails for some accounts.")})
    page, api = built(root, tmp_path)
    assert "Corrected" not in page and api["updated_at"] == api["created_at"]


def test_the_preview_shows_corrections_as_a_build_does(make_site, tmp_path):
    from heliograph.authoring.live import LiveSite

    root = repo(make_site)
    (root / FIRST).write_text(first("Sign-in fails for accounts that use SSO."))
    git(root, "commit", "-qam", "Correct the scope", when="2026-03-02T14:20:00Z")
    live = LiveSite(root, tmp_path / "cache")
    assert live.rebuild(NOW) == []

    def same_as_a_build(corrected_at: str) -> None:
        page, _ = built(root, tmp_path)
        assert f'Corrected <time datetime="{corrected_at}">' in page
        assert bytes(live.outputs["incidents/x/index.html"]).decode() == page
        # and every other file: the open incident, as corrected, on the home page and in the
        # API's unresolved incidents, as the preview's model knows it after each save
        out = tmp_path / "out"
        files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        assert files == set(live.outputs)
        for name in sorted(files):
            assert bytes(live.outputs[name]) == (out / name).read_bytes(), name

    same_as_a_build("2026-03-02T14:20:00Z")
    # Corrected again and committed: the save shows it...
    (root / FIRST).write_text(first("Sign-in fails for SSO accounts in Europe."))
    git(root, "commit", "-qam", "Narrow the scope", when="2026-03-02T14:40:00Z")
    assert live.rebuild(NOW, [str(root / FIRST)]) == []
    same_as_a_build("2026-03-02T14:40:00Z")
    # ...and a new commit of the same files (an amended date) at the next rebuild, whatever
    # it was for: the incident's history moved, so its page is made again.
    git(
        root,
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--date=2026-03-02T14:50:00Z",
        when="2026-03-02T14:50:00Z",
    )
    assert live.rebuild(NOW, []) == []
    same_as_a_build("2026-03-02T14:50:00Z")


def test_the_history_is_read_once_per_commit(make_site, tmp_path, monkeypatch):
    import heliograph.incremental.history as history

    reads = []
    read = history.history_at
    monkeypatch.setattr(history, "history_at", lambda *a: reads.append(a[1].commit) or read(*a))
    root = repo(make_site)
    built(root, tmp_path)
    (root / FIRST).write_text(first("Sign-in fails for accounts that use SSO."))
    page, _ = built(root, tmp_path)  # an edit, no commit: the same history
    assert len(reads) == 1 and "Corrected" not in page
    git(root, "commit", "-qam", "Correct the scope", when="2026-03-02T14:20:00Z")
    page, _ = built(root, tmp_path)
    assert len(reads) == 2 and reads[0] != reads[1] and "Corrected" in page
    built(root, tmp_path)
    assert len(reads) == 2
