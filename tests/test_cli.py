"""The CLI as a user runs it: what it prints, its exit status, and what it leaves on disk."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, update

from heliograph.cli import main

NOW = "2026-03-01T00:00:00Z"
GOOD = {
    "incidents/a/01.md": update(
        "2026-02-10T14:00:00Z",
        "investigating",
        title="Errors",
        severity="SEV-3",
        components={"api": "partial_outage"},
    )
}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_reports_pages_and_place(make_site, capsys):
    root = make_site(GOOD)
    assert main(["build", "--source", str(root), "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Built 9 pages (")
    assert f"into {os.path.relpath(root / '_site')}/ in " in out
    assert (root / "_site/incidents/a/index.html").is_file()


def test_plain_invocation_builds_current_directory(make_site, monkeypatch, capsys):
    root = make_site(GOOD)
    monkeypatch.chdir(root)
    assert main(["--now", NOW]) == 0
    assert "into _site/" in capsys.readouterr().out
    assert (root / "_site/index.html").is_file()


def test_bad_content_exits_1_lists_every_error_and_keeps_the_old_site(make_site, capsys):
    root = make_site(GOOD)
    assert main(["build", "--source", str(root), "--now", NOW]) == 0
    before = tree_digest(root / "_site")
    (root / "incidents/a/02.md").write_text(update("2026-02-10T15:00:00", "fixed"))
    (root / "incidents/b").mkdir()
    (root / "incidents/b/01.md").write_text("---\nat: [\n---\n")
    capsys.readouterr()
    assert main(["build", "--source", str(root), "--now", NOW]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "incidents/a/02.md:2: 'at': time '2026-02-10T15:00:00' has no offset; "
        "add Z for UTC: 2026-02-10T15:00:00Z"
    )
    assert err[1].startswith("incidents/b/01.md:2: malformed YAML: ")
    assert err[2:] == ["error: 2 problems in the content; nothing was written"]
    assert "Traceback" not in "\n".join(err)
    assert tree_digest(root / "_site") == before


def test_same_content_and_now_give_identical_bytes(example_source, tmp_path):
    for name in ("one", "two"):
        assert (
            main(
                [
                    "build",
                    "--source",
                    str(example_source),
                    "--output",
                    str(tmp_path / name),
                    "--now",
                    "2026-11-24T15:10:00Z",
                ]
            )
            == 0
        )
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_bad_now_and_missing_site_are_one_line_errors(tmp_path, capsys):
    assert main(["build", "--source", str(tmp_path), "--now", NOW]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path}/components.yaml not found: run in a "
        "Heliograph site or pass --source DIR\n"
    )


def test_build_py_door_runs_without_install(make_site):
    root = make_site(GOOD)
    run = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--now", "2026-02-10"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "needs an offset" in run.stderr
    run = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--now", NOW],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Built 9 pages")


def test_report_and_check_piped_into_head_exit_quietly(make_site):
    import os
    import subprocess
    import sys

    from conftest import update

    # one incident a month for a century: more report and check output than a pipe holds
    files = {}
    for n in range(1200):
        year, month = divmod(n, 12)
        at = f"{1925 + year}-{month + 1:02d}-01T10:00:00Z"
        front = {
            "title": "Errors",
            "severity": "SEV-3",
            "components": {"api": "degraded_performance"},
        }
        files[f"incidents/i{n}/01.md"] = update(
            at, "resolved", "We are still looking into it.", **front
        )
    root = make_site(files)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for command in ("report", "check"):
        shell = (
            f"{sys.executable} -m heliograph {command} --source {root} "
            "--now 2026-11-24T15:10:00Z | head -n 1"
        )
        done = subprocess.run(
            ["bash", "-c", shell], capture_output=True, text=True, env=env, timeout=120
        )
        assert done.returncode == 0 and done.stderr == "", (command, done.stderr)
        assert len(done.stdout.splitlines()) == 1
