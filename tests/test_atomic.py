"""A build killed with SIGKILL at any moment leaves `_site/` wholly old or wholly new."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import MINIMAL_CONFIG, REPO, update, write_files
from test_bad_input import tree_hash

NOW = datetime(2026, 3, 1, tzinfo=UTC)
INCIDENTS = 150
ROUNDS = 8


def generated_site(root: Path) -> Path:
    """A site big enough that writing it takes a while: many incidents, each with updates."""
    files = {"components.yaml": MINIMAL_CONFIG}
    for n in range(INCIDENTS):
        at = NOW - timedelta(days=n + 1)
        files[f"incidents/incident-{n:03d}/01.md"] = update(
            at.isoformat(), "investigating", f"Incident {n}: errors on the API. " * 20,
            title=f"Incident {n}", severity="SEV-3", components={"api": "partial_outage"})
        files[f"incidents/incident-{n:03d}/02.md"] = update(
            (at + timedelta(hours=1)).isoformat(), "resolved", "Fixed. " * 30,
            components={"api": "operational"})
    return write_files(root, files)


def set_name(source: Path, name: str) -> None:
    """The site name is on every page and feed, so a new name changes nearly every file."""
    config = source / "components.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(text.split("name: ", 1)[1].split("\n", 1)[0], name, 1),
                      encoding="utf-8")


def start_build(source: Path, output: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "site_src")}
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--source",
                             str(source), "--output", str(output), "--now", NOW.isoformat()],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()


def kill_at(proc: subprocess.Popen[bytes], moment: float, fresh: Path) -> None:
    """SIGKILL the build `moment` seconds in; a negative moment waits for the write to start."""
    started = time.perf_counter()
    if moment < 0:  # land inside the write: wait until the fresh folder is filling up
        while proc.poll() is None and not (fresh.is_dir() and any(fresh.iterdir())):
            time.sleep(0.001)
        moment = time.perf_counter() - started - moment
    while proc.poll() is None and time.perf_counter() - started < moment:
        time.sleep(0.001)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


def test_killed_builds_leave_the_old_site_or_the_new(tmp_path: Path) -> None:
    source = generated_site(tmp_path / "src")
    output = tmp_path / "out" / "_site"
    reference = tmp_path / "reference"
    hashes = {}
    for name in ("Old Co", "New Co"):  # what each version's site is, built without a kill
        set_name(source, name)
        started = time.perf_counter()
        finish(start_build(source, reference / name))
        took = time.perf_counter() - started
        hashes[name] = tree_hash(reference / name)
    assert hashes["Old Co"] != hashes["New Co"]
    set_name(source, "Old Co")
    finish(start_build(source, output))
    rng = random.Random(20261124)
    seen = {"old": 0, "new": 0}
    current = "Old Co"
    fresh = output.with_name(f".{output.name}.new")
    for round_ in range(ROUNDS):
        target = "New Co" if current == "Old Co" else "Old Co"
        set_name(source, target)
        moment = rng.uniform(0, took) if round_ % 2 else -rng.uniform(0, 0.05)
        kill_at(start_build(source, output), moment, fresh)
        assert output.is_dir(), f"round {round_}: no site at all after a kill at {moment:.3f} s"
        now_hash = tree_hash(output)
        assert now_hash in (hashes[current], hashes[target]), \
            f"round {round_}: a kill at {moment:.3f} s left a mixed site"
        if now_hash == hashes[target]:
            seen["new"] += 1
            current = target
        else:
            seen["old"] += 1
    assert seen["old"] >= ROUNDS // 2, seen  # most kills landed before the swap
    # The next build after all those kills still works and leaves no leftovers beside it.
    set_name(source, "New Co")
    finish(start_build(source, output))
    assert tree_hash(output) == hashes["New Co"]
    assert sorted(p.name for p in output.parent.iterdir()) == ["_site"]
