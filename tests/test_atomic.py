"""Writing a site: a build killed with SIGKILL at any moment leaves `_site/` wholly old or
wholly new; the spare tree a write reuses counts only as far as its record still holds; no
output path lands outside the output folder."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, REPO, update, write_files
from test_bad_input import tree_hash
from test_cache import reference, tree

from heliograph.build import Project, build
from heliograph.incremental.sparetree import SpareTree
from heliograph.incremental.treerecord import record_path, recorded
from heliograph.publish.write import UnsafePath, safe_relative, write_site

sys.path.insert(0, str(REPO / "bench"))
from corpus import add_update, corpus_now, write_corpus  # noqa: E402

NOW = datetime(2026, 3, 1, tzinfo=UTC)
INCIDENTS = 150
ROUNDS = 8


def generated_site(root: Path) -> Path:
    """A site big enough that writing it takes a while: many incidents, each with updates."""
    files = {"components.yaml": MINIMAL_CONFIG}
    for n in range(INCIDENTS):
        at = NOW - timedelta(days=n + 1)
        files[f"incidents/incident-{n:03d}/01.md"] = update(
            at.isoformat(),
            "investigating",
            f"Incident {n}: errors on the API. " * 20,
            title=f"Incident {n}",
            severity="SEV-3",
            components={"api": "partial_outage"},
        )
        files[f"incidents/incident-{n:03d}/02.md"] = update(
            (at + timedelta(hours=1)).isoformat(),
            "resolved",
            "Fixed. " * 30,
            components={"api": "operational"},
        )
    return write_files(root, files)


def set_name(source: Path, name: str) -> None:
    """The site name is on every page and feed, so a new name changes nearly every file."""
    config = source / "components.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(text.split("name: ", 1)[1].split("\n", 1)[0], name, 1), encoding="utf-8"
    )


def start_build(source: Path, output: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "site_src")}
    return subprocess.Popen(
        [
            sys.executable,
            str(REPO / "build.py"),
            "build",
            "--source",
            str(source),
            "--output",
            str(output),
            "--now",
            NOW.isoformat(),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


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
        finish(start_build(source, reference / name))
        hashes[name] = tree_hash(reference / name)
    assert hashes["Old Co"] != hashes["New Co"]
    set_name(source, "Old Co")
    finish(start_build(source, output))
    # How long a build of the other name into this output takes, with the cache as warm as in
    # the rounds below: the kills are spread over that.
    set_name(source, "New Co")
    started = time.perf_counter()
    finish(start_build(source, output))
    took = time.perf_counter() - started
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
        assert now_hash in (hashes[current], hashes[target]), (
            f"round {round_}: a kill at {moment:.3f} s left a mixed site"
        )
        if now_hash == hashes[target]:
            seen["new"] += 1
            current = target
        else:
            seen["old"] += 1
    # Kills did land before the swap (how many depends on the machine's load: under two test
    # workers and a browser, half the rounds once became three in eight).
    assert seen["old"] >= 1, seen
    # The next build after all those kills still works and leaves no leftovers beside it.
    set_name(source, "New Co")
    finish(start_build(source, output))
    assert tree_hash(output) == hashes["New Co"]
    # only the build's lock file, which is kept (removing it would let two builds lock apart)
    assert sorted(p.name for p in output.parent.iterdir()) == ["._site.lock", "_site"]


def warm_site(tmp_path: Path) -> tuple[Path, Path]:
    """A 30-incident site built three times (each after one new update), so that its spare tree
    has a record: the state of every large site between builds."""
    source = write_corpus(tmp_path / "site", 30, seed=7).root
    cache = tmp_path / "cache"
    for n in range(3):
        add_update(source, slug_at(source, 3 + n), seed=n)
        build(Project.at(source), corpus_now(), cache_dir=cache)
    (spare,) = cache.glob("spare-*")
    assert recorded(spare, spare) is not None  # the next build trusts it without listing it
    return source, spare


def slug_at(source: Path, n: int) -> str:
    return sorted(p.name for p in (source / "incidents").iterdir())[n]


def assert_builds_as_cold(source: Path, cache: Path) -> None:
    """Two builds (each tree of the pair serves once as the spare) give the cold build's files,
    and nothing else: no stray file, no empty folder."""
    for n in range(2):
        add_update(source, slug_at(source, 10 + n), seed=20 + n)
        build(Project.at(source), corpus_now(), cache_dir=cache)
        site = source / "_site"
        assert tree(site) == reference(source, corpus_now())
        assert all(any(folder.iterdir()) for folder in site.rglob("*") if folder.is_dir())


def test_a_spare_changed_below_its_root_is_not_trusted(tmp_path: Path) -> None:
    source, spare = warm_site(tmp_path)
    page = spare / "incidents" / slug_at(source, 20) / "index.html"
    (page.parent / "stray.html").write_bytes(b"stray")  # deep inside: only its folder shows it
    other = spare / "incidents" / slug_at(source, 21) / "index.html"
    replacement = other.with_name("new.tmp")
    replacement.write_bytes(b"<p>not this</p>")
    os.replace(replacement, other)  # a new file in the old one's place
    (spare / "incidents" / slug_at(source, 22) / "empty").mkdir()
    assert_builds_as_cold(source, spare.parent)


def test_a_stray_in_a_spare_folder_that_the_build_changes_is_not_kept(tmp_path: Path) -> None:
    source, spare = warm_site(tmp_path)
    updated = spare / "incidents" / slug_at(source, 10)  # the next build writes its new page here
    (updated / "stray.html").write_bytes(b"stray")
    assert_builds_as_cold(source, spare.parent)


def test_a_damaged_or_missing_record_only_costs_a_listing(tmp_path: Path) -> None:
    source, spare = warm_site(tmp_path)
    record = record_path(spare, spare)
    record.write_bytes(record.read_bytes()[:-100])
    assert_builds_as_cold(source, spare.parent)
    for record in spare.parent.glob(f".{spare.name}.*.tree"):
        record.unlink()
    assert_builds_as_cold(source, spare.parent)


def test_hand_edits_to_the_live_site_do_not_reach_later_builds(tmp_path: Path) -> None:
    """The live site becomes the next spare: what was done to it is undone, not kept."""
    source, spare = warm_site(tmp_path)
    site = source / "_site"
    folder = site / "incidents" / slug_at(source, 15)
    (folder / "notes.txt").write_text("mine")
    (folder / "index.html").unlink()
    (folder / "index.html").write_text("<p>edited</p>")
    (site / "incidents" / slug_at(source, 16) / "index.html").unlink()
    assert_builds_as_cold(source, spare.parent)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../x.html",
        "a/../../x",
        "a/..",
        ".git/config",
        "a/.hidden",
        "a//b",
        "a/./b",
        "a/b/",
        "back\\slash.html",
        "nul\0.html",
    ],
)
def test_output_paths_that_could_escape_are_refused(path: str, tmp_path: Path) -> None:
    site = tmp_path / "_site"
    write_site({"index.html": b"old"}, site)
    with pytest.raises(UnsafePath):
        write_site({"index.html": b"new", path: b"x"}, site)
    assert tree(site) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_ordinary_output_paths_are_accepted() -> None:
    for path in (
        "index.html",
        "incidents/2026-01-02-db/index.html",
        "a..b/x.y",
        "feed.atom",
        "static/app.0f3a.css",
        "history/2026/01/index.html",
        "-x/y_z",
    ):
        assert safe_relative(path) == path


def test_a_caller_that_knows_each_unchanged_files_stat_spares_the_write_a_stat(
    tmp_path: Path,
) -> None:
    """`unchanged` as a mapping to the (size, mtime_ns, inode) the caller saw: kept files keep
    their inode, changed ones are new, and the report gives every file's stat as it is."""
    site, spare = tmp_path / "_site", SpareTree(tmp_path / "cache" / "spare-x")
    first = {f"incidents/i{n:02d}/index.html": f"<p>{n}</p>".encode() for n in range(20)}
    first["index.html"] = b"home"
    write_site(first, site, (), spare)
    write_site(first, site, (), spare)  # now the spare, as in every later build, has a record
    second = {
        **first,
        "index.html": b"new home",
        "incidents/i03/index.html": b"<p>3 again</p>",
        "incidents/i20/index.html": b"<p>20</p>",
    }
    del second["incidents/i05/index.html"]
    before = {
        path: (st.st_size, st.st_mtime_ns, st.st_ino)
        for path in first
        if (st := (site / path).stat())
    }
    same = {path: before[path] for path in second if first.get(path) == second[path]}
    report = write_site(second, site, same, spare)
    assert tree(site) == second
    after = {
        path: (st.st_size, st.st_mtime_ns, st.st_ino)
        for path in second
        if (st := (site / path).stat())
    }
    assert report.stats == after
    assert {p for p in second if before.get(p) != after[p]} == {
        "index.html",
        "incidents/i03/index.html",
        "incidents/i20/index.html",
    }
    assert report.written == 3 and not (site / "incidents" / "i05").exists()
