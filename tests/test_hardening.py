"""Tried as an attacker and as an unlucky user would: concurrent builds, damaged cache bytes,
hostile markdown, odd characters, links in the theme, extreme times, failing templates, files
that are skipped, killed builds. Every case is one clear message or a correct site."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, REPO, update

from heliograph.build import Project, build, load_content, render_site
from heliograph.content.errors import ContentErrors
from heliograph.content.schema import describe
from heliograph.publish.lock import held

sys.path.insert(0, str(REPO / "bench"))
from corpus import corpus_now, stamp, write_corpus  # noqa: E402

NOW = corpus_now()
BOUND = 60  # seconds: a build that takes longer than this has hung


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = BOUND
) -> subprocess.CompletedProcess[str]:
    """`python -m heliograph ...` in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "heliograph", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO / "site_src"), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def tree(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def reference(source: Path) -> dict[str, bytes]:
    """The site as the plain pipeline renders it, nothing reused."""
    project = Project.at(source)
    return render_site(project, load_content(project, NOW), NOW)


def one_incident(make_site: Callable[..., Path], body: str, **front: object) -> Path:
    fields = {"title": "Hostile", "severity": "SEV-3", "components": {"api": "major_outage"}}
    return make_site(
        {"incidents/x/01.md": update("2026-02-10T14:32:00Z", "resolved", body, **(fields | front))}
    )


# --- two builds at once


def test_two_builds_of_one_site_at_once_both_finish_and_publish_the_whole_site(
    tmp_path: Path,
) -> None:
    source = write_corpus(tmp_path / "site", 300, seed=3).root
    want = reference(source)
    for trial in range(3):
        shutil.rmtree(source / "_site", ignore_errors=True)
        if trial == 2:
            shutil.rmtree(source / ".heliograph-cache", ignore_errors=True)
        args = ["build", "--source", str(source), "--now", stamp(NOW)]
        env = {**os.environ, "PYTHONPATH": str(REPO / "site_src")}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "heliograph", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=BOUND) for p in procs]
        for p, (_out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0 and "Traceback" not in err, err
        assert tree(source / "_site") == want, f"trial {trial}"


def test_a_build_that_cannot_get_the_lock_says_who_holds_it(make_site: Callable[..., Path]) -> None:
    source = one_incident(make_site, "Fixed.")
    with held(source / "_site", "a build of another copy"):
        done = run(
            "build",
            "--now",
            "2026-03-01T00:00:00Z",
            cwd=source,
            env={"HELIOGRAPH_LOCK_WAIT": "0.3"},
        )
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"error: _site is in use by a build of another copy (process {os.getpid()} on "
    )
    assert "Traceback" not in done.stderr and not (source / "_site").exists()


# --- cached bytes are checked before they are used


def test_damaged_or_edited_compiled_templates_are_compiled_again(tmp_path: Path) -> None:
    source = write_corpus(tmp_path / "site", 30, seed=4).root
    cache = tmp_path / "cache"
    build(Project.at(source), NOW, cache_dir=cache)
    compiled = sorted(cache.glob("templates-*/*.code"))
    assert compiled
    for n, file in enumerate(compiled):
        data = bytearray(file.read_bytes())
        if n % 2:
            for i in range(40, len(data), 97):  # flipped bits
                data[i] ^= 0xFF
        else:  # the same length, the code itself edited
            data[-20:] = b"\x00" * 20
        file.write_bytes(bytes(data))
    shutil.rmtree(source / "_site")  # every page is rendered again, from the templates
    build(Project.at(source), NOW, cache_dir=cache)
    assert tree(source / "_site") == reference(source)


def test_a_database_found_damaged_mid_build_is_replaced_by_a_working_one(tmp_path: Path) -> None:
    source = write_corpus(tmp_path / "site", 40, seed=6).root
    cache = tmp_path / "cache"
    build(Project.at(source), NOW, cache_dir=cache)
    db = cache / "cache.sqlite"
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    data[8192 : len(data) - 4096] = os.urandom(len(data) - 12288)  # the header stays readable
    db.write_bytes(bytes(data))
    slug = next(s for s in sorted(os.listdir(source / "incidents")) if "-incident-" in s)
    (source / "incidents" / slug / "09-note.md").write_text(
        update(stamp(NOW), "resolved", "One more note.")
    )
    first = build(Project.at(source), NOW, cache_dir=cache)
    assert first.written > 0 and tree(source / "_site") == reference(source)
    assert (cache / "cache.sqlite.broken").exists()
    again = build(Project.at(source), NOW, cache_dir=cache)  # answered by the new database
    assert again.written == 0 and again.findings == first.findings


# --- markdown that would hang or crash the renderer


HOSTILE_BODIES = {
    "brackets": "[" * 20000 + "](x)",
    "stars": "*" * 5000 + "x" + "*" * 5000,
    "underscores": "_" * 5000 + "x" + "_" * 5000,
    "open links": "[a](" * 5000,
    "quotes": "> " * 20000 + "deep",
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_markdown_that_hung_or_crashed_the_renderer_builds(
    make_site: Callable[..., Path], name: str
) -> None:
    source = one_incident(make_site, HOSTILE_BODIES[name] + "\n\nStill readable.")
    done = run("build", "--now", "2026-03-01T00:00:00Z", cwd=source)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "Still readable." in (source / "_site" / "incidents" / "x" / "index.html").read_text()


def test_an_update_larger_than_the_bound_is_one_error(make_site: Callable[..., Path]) -> None:
    source = one_incident(make_site, "word " * 50_000)
    done = run("build", "--now", "2026-03-01T00:00:00Z", cwd=source)
    assert done.returncode == 1
    assert done.stderr.startswith("incidents/x/01.md:1: file is over 200 kB")


def test_an_incident_of_ten_thousand_updates_builds_in_time_linear_in_them(
    make_site: Callable[..., Path],
) -> None:
    files = {}
    for n in range(10_000):
        at = stamp(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=5 * n))
        extra = {"title": "Long", "severity": "SEV-2", "components": {"api": "partial_outage"}}
        files[f"incidents/long/{n:05d}.md"] = update(
            at,
            "resolved" if n == 9999 else "identified",
            f"Update {n}.",
            **(extra if n == 0 else {}),
        )
    source = make_site(files)
    done = run("build", "--now", "2026-03-01T00:00:00Z", cwd=source)  # 278 s when quadratic
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Update 9999." in (source / "_site" / "incidents" / "long" / "index.html").read_text()


# --- characters no feed can carry


@pytest.mark.parametrize("ref", ["&#x1b;", "&#x1;", "&#xFFFE;", "&#0;", "&#27;", "&#xD800;"])
def test_a_reference_to_an_unusable_character_is_one_error(
    make_site: Callable[..., Path], ref: str
) -> None:
    source = one_incident(make_site, f"First line.\n\nThe {ref} character.")
    done = run("build", "--now", "2026-03-01T00:00:00Z", cwd=source)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"incidents/x/01.md:11: {ref} stands for a character that no")
    assert not (source / "_site").exists()


def test_references_to_usable_characters_are_kept(make_site: Callable[..., Path]) -> None:
    source = one_incident(make_site, "Tabs &#9; and &#x26; and &#233;t&#xE9;.")
    build(Project.at(source), NOW)
    page = (source / "_site" / "incidents" / "x" / "index.html").read_text()
    assert "&amp; and été." in page


# --- links in the theme, links in the built site


def test_a_link_in_the_theme_is_refused(make_site: Callable[..., Path], tmp_path: Path) -> None:
    source = one_incident(make_site, "Fixed.")
    secret = tmp_path / "secret.txt"
    secret.write_text("AWS_SECRET_ACCESS_KEY=not-for-the-web\n")
    static = source / "theme" / "static"
    static.mkdir(parents=True)
    (static / "passwd").symlink_to(secret)
    (source / "theme" / "templates").mkdir()
    (source / "theme" / "templates" / "shared").symlink_to(tmp_path, target_is_directory=True)
    done = run("build", "--now", "2026-03-01T00:00:00Z", cwd=source)
    assert done.returncode == 1
    assert done.stderr.splitlines()[:2] == [
        "theme/static/passwd:1: a link in the theme is refused (it could publish any file of "
        "the machine); copy what it points to into theme/ instead",
        "theme/templates/shared:1: a link in the theme is refused (it could publish any file "
        "of the machine); copy what it points to into theme/ instead",
    ]
    assert not (source / "_site").exists()


# --- times, templates, files, settings


def as_a_user(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`run`, without root's power to read what a mode forbids (the tests may run as root)."""
    limited = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    return subprocess.run(
        [*(limited if os.geteuid() == 0 else []), sys.executable, "-m", "heliograph", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO / "site_src")},
        capture_output=True,
        text=True,
        timeout=BOUND,
    )


@pytest.mark.parametrize("cache", [True, False], ids=["with the cache", "without"])
def test_a_folder_that_cannot_be_read_is_one_error(
    make_site: Callable[..., Path], cache: bool
) -> None:
    """An incident folder, or `incidents/` itself, that the build may not list is one error
    naming it, and the site built before stays as it was."""
    source = one_incident(make_site, "All systems are back.")
    build_args = ["build", "--now", "2026-03-01T00:00:00Z", *([] if cache else ["--no-cache"])]
    assert as_a_user(*build_args, cwd=source).returncode == 0
    before = tree(source / "_site")
    for folder, mode, shown in [
        (source / "incidents" / "x", 0o000, "incidents/x"),
        (source / "incidents", 0o311, "incidents"),
    ]:
        folder.chmod(mode)
        try:
            done = as_a_user(*build_args, cwd=source)
        finally:
            folder.chmod(0o755)
        assert done.returncode == 1, done.stderr
        assert done.stderr.splitlines()[0] == f"{shown}:1: cannot read folder: Permission denied"
        assert "Traceback" not in done.stderr
        assert tree(source / "_site") == before


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z"])
def test_times_off_the_calendar_are_one_error(make_site: Callable[..., Path], at: str) -> None:
    source = make_site(
        {
            "incidents/x/01.md": update(
                at,
                "resolved",
                "Fixed.",
                title="T",
                severity="SEV-3",
                components={"api": "major_outage"},
            )
        }
    )
    done = run("build", "--now", "2026-03-01T00:00:00Z", cwd=source)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(
        f"incidents/x/01.md:2: 'at': time {at[:19]}+00:00 is not "
        "between 1900 and 2999; check the year"
    )


def test_now_off_the_calendar_is_a_usage_error(make_site: Callable[..., Path]) -> None:
    source = one_incident(make_site, "Fixed.")
    done = run("build", "--now", "9999-12-31T23:00:00Z", cwd=source)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --now: '9999-12-31T23:00:00Z' is not between 1900 and 2999" in done.stderr


def test_a_template_that_raises_is_one_line_with_its_place(make_site: Callable[..., Path]) -> None:
    source = one_incident(make_site, "Fixed.")
    bundled = REPO / "site_src" / "heliograph" / "theme" / "templates" / "incident.html"
    text = bundled.read_text()
    line = text.index("{% block main %}")
    row = text[:line].count("\n") + 1
    override = source / "theme" / "templates" / "incident.html"
    override.parent.mkdir(parents=True)
    override.write_text(text.replace("{% block main %}", "{% block main %}{{ 1 // 0 }}", 1))
    done = run("build", "--now", "2026-03-01T00:00:00Z", cwd=source)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.splitlines() == [
        f"theme/templates/incident.html:{row}: template error: ZeroDivisionError: "
        "integer division or modulo by zero",
        "error: 1 problem in the content; nothing was written",
    ]


def test_skipped_update_files_are_named_in_a_finding(make_site: Callable[..., Path]) -> None:
    source = one_incident(make_site, "Fixed.")
    folder = source / "incidents" / "x"
    for name in ("02.MD", "03.markdown", ".04.md", "notes.txt", "05.md~"):
        (folder / name).write_text(update("2026-02-10T15:00:00Z", "resolved", "Late."))
    result = build(Project.at(source), NOW)
    skipped = [(f.file, f.message) for f in result.findings if f.rule == "ignored_file"]
    assert skipped == [
        (
            "incidents/x/.04.md",
            "not read: hidden files are not read; remove the leading '.' to publish it",
        ),
        (
            "incidents/x/02.MD",
            "not read: only files ending in '.md' are updates; rename it to 02.md to publish it",
        ),
        (
            "incidents/x/03.markdown",
            "not read: only files ending in '.md' are updates; rename it to 03.md to publish it",
        ),
    ]


@pytest.mark.parametrize(
    "url",
    [
        'https://status.example/"><script>alert(1)</script>',
        "https://status.example/<b>",
        "https://sta'tus.example",
        "https://status.example/a b",
    ],
)
def test_a_site_url_that_would_break_out_of_markup_is_refused(
    make_site: Callable[..., Path], url: str
) -> None:
    config = MINIMAL_CONFIG.replace("url: https://status.test.example", f"url: {json.dumps(url)}")
    source = make_site(config=config)
    with pytest.raises(ContentErrors) as caught:
        build(Project.at(source), NOW)
    assert [str(e) for e in caught.value.errors] == [
        "components.yaml:3: 'url': expected an absolute http(s) URL with no quotes, brackets, "
        f"spaces, query or fragment, got {describe(url)}"
    ]


# --- a killed build leaves nothing running


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_die_with_a_killed_build(tmp_path: Path) -> None:
    source = write_corpus(tmp_path / "site", 1500, seed=8).root
    proc = subprocess.Popen(
        [sys.executable, "-m", "heliograph", "build", "--source", str(source), "--now", stamp(NOW)],
        env={**os.environ, "PYTHONPATH": str(REPO / "site_src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + BOUND
    workers: set[int] = set()
    while not workers and time.monotonic() < deadline and proc.poll() is None:
        workers = children(proc.pid)
        time.sleep(0.005)
    assert workers, "the build forked no worker"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers)
