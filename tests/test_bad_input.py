"""Broken content: every case in tests/data/bad/ fails the build with its own `path:line: message`,
exit status 1, no traceback, and the previous site left exactly as it was.

A case is a folder holding a small site (components.yaml defaults to the minimal one) and a file
`expected`: one line per error the build must print, each a fragment of that error's line.
A case is built `--now` NOW, or, if it holds a file `clock`, at the clock (without `--now`).
Add a case for every bug found in the loader; the test picks it up by itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, REPO, update

from heliograph.cli import main

CORPUS = Path(__file__).parent / "data" / "bad"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
NOW = "2026-03-01T00:00:00Z"
ERROR_LINE = re.compile(r"^\S.*?:\d+: ")  # `path:line: message`, as the CLI prints each error
FIRST = dict(title="API errors", severity="SEV-2", components={"api": "partial_outage"})


def tree_hash(root: Path) -> str:
    """One digest of every path and byte under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare(case: str, dest: Path) -> Path:
    """A copy of a corpus case as a site folder with an old `_site/` already in it."""
    source = dest / "site"
    shutil.copytree(CORPUS / case, source, ignore=shutil.ignore_patterns("expected", "clock"))
    if not (source / "components.yaml").exists():
        (source / "components.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    old = source / "_site"
    (old / "incidents" / "kept").mkdir(parents=True)
    (old / "index.html").write_bytes(b"<!DOCTYPE html><title>the site as it was</title>\n")
    (old / "incidents" / "kept" / "index.html").write_bytes(b"kept\n")
    return source


def test_corpus_is_large_and_every_case_says_what_it_expects() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        lines = (CORPUS / case / "expected").read_text(encoding="utf-8").splitlines()
        assert lines and all(ERROR_LINE.match(line) for line in lines), case


@pytest.mark.parametrize("case", CASES)
def test_bad_case_fails_with_its_located_message(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = prepare(case, tmp_path)
    before = tree_hash(source / "_site")
    at = [] if (CORPUS / case / "clock").exists() else ["--now", NOW]
    status = main(["build", "--source", str(source), *at])
    out, err = capsys.readouterr()
    expected = (CORPUS / case / "expected").read_text(encoding="utf-8").splitlines()
    errors = [line for line in err.splitlines() if ERROR_LINE.match(line)]
    assert status == 1 and out == ""
    missing = [e for e in expected if not any(e in line for line in errors)]
    assert missing == [], f"stderr was:\n{err}"
    assert len(errors) == len(expected), f"one message per problem; stderr was:\n{err}"
    assert "Traceback" not in err
    assert tree_hash(source / "_site") == before


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python build.py ...` in a separate process, as a user types it."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "site_src")}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_contract_for_a_broken_edit(tmp_path: Path) -> None:
    source = prepare("unknown-component", tmp_path)
    shutil.rmtree(source / "_site")
    good = source / "incidents" / "api-errors" / "01-investigating.md"
    broken = good.read_bytes()
    good.write_text(update("2026-02-10T14:32:00Z", "investigating", **FIRST), encoding="utf-8")
    assert run_cli("build", "--now", NOW, cwd=source).returncode == 0
    before = tree_hash(source / "_site")
    good.write_bytes(broken)
    run = run_cli("build", "--now", NOW, cwd=source)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.splitlines()[0].startswith(
        "incidents/api-errors/01-investigating.md:7: unknown component 'apx'"
    )
    assert "Traceback" not in run.stderr
    assert tree_hash(source / "_site") == before


def test_ten_megabyte_update_is_refused_quickly(make_site, capsys) -> None:
    body = ("We are investigating. " * 50 + "\n\n") * 9_100  # about 10 MB of plain paragraphs
    root = make_site(
        {
            "incidents/huge/01-investigating.md": update(
                "2026-02-10T14:32:00Z", "investigating", body, **FIRST
            )
        }
    )
    assert (root / "incidents/huge/01-investigating.md").stat().st_size > 10_000_000
    started = time.perf_counter()
    status = main(["build", "--source", str(root), "--now", NOW])
    assert time.perf_counter() - started < 5
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("incidents/huge/01-investigating.md:1: file is over 200 kB")
    assert not (root / "_site").exists()


def test_nesting_that_would_crash_libyaml_is_an_error(tmp_path: Path) -> None:
    """60,000 nested brackets overflow libyaml's C stack: a segfault, unless refused first."""
    source = prepare("yaml-deep-nesting", tmp_path)
    update_file = source / "incidents" / "api-errors" / "01-investigating.md"
    text = update_file.read_text(encoding="utf-8")
    update_file.write_text(
        text.replace("[" * 2000 + "]" * 2000, "[" * 60_000 + "]" * 60_000), encoding="utf-8"
    )
    run = run_cli("build", "--now", NOW, cwd=source)
    assert run.returncode == 1, run.stderr
    assert "01-investigating.md:2: malformed YAML: values nested more than" in run.stderr


def test_five_thousand_components_build_in_bounded_time(make_site, capsys) -> None:
    rows = "".join(f"  - {{id: c{i}, name: Component {i}}}\n" for i in range(5000))
    config = MINIMAL_CONFIG.split("components:")[0] + "components:\n" + rows
    root = make_site(
        {
            "incidents/outage/01-investigating.md": update(
                "2026-02-10T14:32:00Z",
                "investigating",
                title="Outage",
                severity="SEV-3",
                components={"c42": "major_outage"},
            )
        },
        config=config,
    )
    started = time.perf_counter()
    status = main(["build", "--source", str(root), "--now", NOW])
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"5,000 components took {elapsed:.1f} s"
    if status == 0:
        home = (root / "_site" / "index.html").read_text(encoding="utf-8")
        assert "Component 4999" in home
    else:  # refused: with one located message, and nothing written
        assert status == 1 and not (root / "_site").exists()
        assert capsys.readouterr().err.startswith("components.yaml:")
