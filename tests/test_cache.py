"""The build cache saves work and nothing else: a warm build writes exactly what a cold one does."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from builds import loads_and_checks
from conftest import EXAMPLE_NOW, REPO

from heliograph.build import Project, build, load_content, render_site
from heliograph.cli import main
from heliograph.content.errors import ContentErrors
from heliograph.incremental import cores
from heliograph.incremental import documents as parsecache
from heliograph.incremental import findings as wordingcache
from heliograph.incremental import pages as pagecache
from heliograph.incremental import sources as sourceindex
from heliograph.render import markup

sys.path.insert(0, str(REPO / "bench"))
from corpus import add_open_incident, add_update, corpus_now, write_corpus  # noqa: E402

NOW = corpus_now()


def tree(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def reference(source: Path, now: datetime) -> dict[str, bytes]:
    """The site as the plain pipeline makes it: no cache, no pool, nothing reused."""
    project = Project.at(source)
    return render_site(project, load_content(project, now), now)


def assert_same_as_cold(source: Path, now: datetime, cache: Path) -> None:
    build(Project.at(source), now, cache_dir=cache)
    assert tree(source / "_site") == reference(source, now)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "site", 50, seed=5).root


def test_warm_build_of_the_example_is_byte_identical(example_source: Path, tmp_path: Path):
    source = tmp_path / "example"
    shutil.copytree(example_source, source)
    cache = tmp_path / "cache"
    cold = build(Project.at(source), EXAMPLE_NOW, cache_dir=cache)
    first = tree(source / "_site")
    assert first == reference(source, EXAMPLE_NOW)
    assert cold.written == cold.files
    again = build(Project.at(source), EXAMPLE_NOW, cache_dir=cache)
    assert tree(source / "_site") == first
    assert again.written == 0 and again.findings == cold.findings
    # An hour later the open incident's page and the home page change; the warm build agrees.
    assert_same_as_cold(source, EXAMPLE_NOW + timedelta(hours=1), cache)


@pytest.mark.parametrize("site", ["example", "bench corpus of 1,000 incidents"])
def test_no_cache_runs_the_plain_pipeline_and_writes_the_same_bytes(
    site: str, example_source: Path, tmp_path: Path
):
    if site == "example":
        fresh = shutil.ignore_patterns(".heliograph-cache", "_site")  # others build the copy
        source = Path(shutil.copytree(example_source, tmp_path / "site", ignore=fresh))
        now = EXAMPLE_NOW
    else:
        source, now = write_corpus(tmp_path / "site", 1000, seed=1).root, NOW
    stamp, cache = now.isoformat(), tmp_path / "cache"
    for _ in range(2):  # cold, then warm: every piece of the cache in use
        assert (
            main(["build", "--source", str(source), "--now", stamp, "--cache-dir", str(cache)]) == 0
        )
    cached = tree(source / "_site")
    plain = tmp_path / "plain"
    assert (
        main(
            ["build", "--source", str(source), "--output", str(plain), "--now", stamp, "--no-cache"]
        )
        == 0
    )
    assert tree(plain) == cached
    assert not (source / ".heliograph-cache").exists()  # neither read nor written
    assert not any(p.name.startswith("spare-") for p in (tmp_path).iterdir())


def test_edits_deletions_renames_and_new_incidents(corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    assert_same_as_cold(corpus, NOW, cache)
    slugs = sorted(p.name for p in (corpus / "incidents").iterdir())
    edited = corpus / "incidents" / slugs[3] / "01-investigating.md"
    edited.write_text(edited.read_text().replace("\n---\n", "\n---\nEdited first line.\n\n", 1))
    assert_same_as_cold(corpus, NOW, cache)
    shutil.rmtree(corpus / "incidents" / slugs[7])
    assert_same_as_cold(corpus, NOW, cache)
    os.rename(corpus / "incidents" / slugs[9], corpus / "incidents" / "renamed-incident")
    assert_same_as_cold(corpus, NOW, cache)
    add_update(corpus, slugs[12])
    add_open_incident(corpus, NOW)
    assert_same_as_cold(corpus, NOW, cache)
    assert_same_as_cold(corpus, NOW + timedelta(minutes=50), cache)  # the open one is overdue
    for f in (corpus / "incidents" / slugs[12]).glob("*-note.md"):
        f.unlink()
    assert_same_as_cold(corpus, NOW + timedelta(minutes=50), cache)


def test_a_retitled_recent_incident_reaches_its_components_uptime_bars(
    corpus: Path, tmp_path: Path
):
    """An edit to a recent incident reaches every page that shows it, its components' uptime
    bars (which name it by title) included: page keys name an incident by its files' hash
    wherever it sits."""
    cache = tmp_path / "cache"
    assert_same_as_cold(corpus, NOW, cache)
    newest = max(
        (p for p in (corpus / "incidents").iterdir() if "-incident-" in p.name),
        key=lambda p: p.name,
    )
    first = min(newest.glob("*.md"))
    text = first.read_text()
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    first.write_text(text.replace(title, "title: Retitled outage"))
    assert_same_as_cold(corpus, NOW, cache)
    bars = [p.read_text() for p in (corpus / "_site" / "components").glob("*/index.html")]
    assert any("Retitled outage" in b for b in bars)


def test_a_theme_change_reaches_every_page(corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    assert_same_as_cold(corpus, NOW, cache)
    bundled = REPO / "site_src" / "heliograph" / "theme" / "templates" / "base.html"
    override = corpus / "theme" / "templates" / "base.html"
    override.parent.mkdir(parents=True)
    override.write_text(bundled.read_text().replace("<body>", "<body class=custom>"))
    assert_same_as_cold(corpus, NOW, cache)
    page = next((corpus / "_site" / "incidents").iterdir()) / "index.html"
    assert b"<body class=custom>" in page.read_bytes()
    (corpus / "theme" / "static").mkdir()
    (corpus / "theme" / "static" / "style.css").write_text("body { color: teal }\n")
    assert_same_as_cold(corpus, NOW, cache)


def test_one_update_rewrites_tens_of_files_not_all(corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    before = inodes(corpus / "_site")
    slug = sorted(p.name for p in (corpus / "incidents").iterdir())[20]
    add_update(corpus, slug)
    result = build(Project.at(corpus), NOW, cache_dir=cache)
    after = inodes(corpus / "_site")
    rewritten = {p for p, ino in after.items() if before.get(p) != ino}
    assert f"incidents/{slug}/index.html" in rewritten
    assert result.written == len(rewritten)
    assert 2 <= len(rewritten) <= 40, sorted(rewritten)
    untouched_pages = [p for p in after if p.startswith("incidents/") and slug not in p]
    assert not rewritten.intersection(untouched_pages)
    assert tree(corpus / "_site") == reference(corpus, NOW)


def test_cli_reports_written_and_unchanged_files(corpus: Path, tmp_path: Path, capsys):
    args = [
        "build",
        "--source",
        str(corpus),
        "--now",
        NOW.isoformat(),
        "--cache-dir",
        str(tmp_path / "c"),
    ]
    assert main(args) == 0
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    built = [line for line in out if line.startswith("Built ")]
    assert "; 0 written, " in built[1] and "unchanged)" in built[1]
    assert (tmp_path / "c" / "cache.sqlite").is_file()
    assert not (corpus / ".heliograph-cache").exists()


def test_cache_dir_from_the_environment(corpus: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HELIOGRAPH_CACHE_DIR", str(tmp_path / "ci-cache"))
    build(Project.at(corpus), NOW)
    assert (tmp_path / "ci-cache" / "cache.sqlite").is_file()
    assert not (corpus / ".heliograph-cache").exists()


def test_default_cache_lives_in_the_site_folder(corpus: Path, monkeypatch):
    monkeypatch.delenv("HELIOGRAPH_CACHE_DIR", raising=False)
    build(Project.at(corpus), NOW)
    assert (corpus / ".heliograph-cache" / "cache.sqlite").is_file()


def test_damaged_cache_entries_are_ignored(corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    with sqlite3.connect(cache / "cache.sqlite") as db:  # same checksums, other bytes
        db.execute("UPDATE entries SET value = zeroblob(length(value))")
    (corpus / "_site" / "index.html").write_bytes(b"stale")
    assert_same_as_cold(corpus, NOW, cache)


def test_an_entry_found_under_another_key_is_ignored(corpus: Path, tmp_path: Path):
    """What a damaged file could do: every key now holds another key's intact value."""
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    with sqlite3.connect(cache / "cache.sqlite") as db:
        rows = db.execute("SELECT key, value, checksum FROM entries ORDER BY key").fetchall()
        moved = [
            (key, value, check)
            for (key, _, _), (_, value, check) in zip(rows, rows[1:] + rows[:1], strict=True)
        ]
        db.executemany(
            "UPDATE entries SET value = ?, checksum = ? WHERE key = ?",
            [(value, check, key) for key, value, check in moved],
        )
    add_update(corpus, sorted(p.name for p in (corpus / "incidents").iterdir())[5])
    assert_same_as_cold(corpus, NOW, cache)


def test_a_broken_cache_file_is_set_aside(corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cache.sqlite").write_bytes(b"not a database at all" * 100)
    assert_same_as_cold(corpus, NOW, cache)
    assert_same_as_cold(corpus, NOW, cache)


def test_a_changed_output_file_is_rebuilt(corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    page = next((corpus / "_site" / "incidents").iterdir()) / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<h1>", b"<h1>X"))
    assert_same_as_cold(corpus, NOW, cache)


def test_a_changed_output_file_is_rebuilt_along_with_a_change(corpus: Path, tmp_path: Path):
    """A page edited in the output is made again by a build that has work to do besides: the
    pages it keeps are only those found as the last build left them."""
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    slugs = sorted(p.name for p in (corpus / "incidents").iterdir())
    page = corpus / "_site" / "incidents" / slugs[3] / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<h1>", b"<h1>X"))
    add_update(corpus, slugs[7])
    assert_same_as_cold(corpus, NOW, cache)


def test_a_file_added_to_the_output_is_not_kept(corpus: Path, tmp_path: Path):
    """A build with the last one's inputs takes that build's output only as it left it: a file
    added to one of its folders (which a deploy would publish) makes it build again."""
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    planted = next((corpus / "_site" / "incidents").iterdir()) / "planted.html"
    planted.write_text("not from the sources")
    assert_same_as_cold(corpus, NOW, cache)
    assert not planted.exists()


def test_worker_processes_give_the_same_bytes(corpus: Path, tmp_path: Path, monkeypatch):
    """The process pools (used for large sites) parse, check and render exactly as one process
    does."""
    alone = build(Project.at(corpus), NOW).findings
    for module in (parsecache, pagecache, wordingcache, sourceindex, cores):
        monkeypatch.setattr(module, "workers", lambda: 2)
    for module in (parsecache, pagecache, wordingcache):
        monkeypatch.setattr(module, "POOL_FROM", 1)
    monkeypatch.setattr(sourceindex, "SPLIT_FROM", 1)
    assert_same_as_cold(corpus, NOW, tmp_path / "cache")
    assert build(Project.at(corpus), NOW, cache_dir=tmp_path / "other").findings == alone
    assert alone  # the corpus breaks some rules, so the comparison has something to compare
    add_update(corpus, sorted(p.name for p in (corpus / "incidents").iterdir())[4])
    shutil.rmtree(corpus / "_site")
    assert_same_as_cold(corpus, NOW, tmp_path / "cache")


def test_one_core_gives_the_same_bytes(corpus: Path, tmp_path: Path, monkeypatch):
    """Without a second core, the work meant for it is done in the build's own process."""
    for module in (parsecache, pagecache, wordingcache, sourceindex, cores):
        monkeypatch.setattr(module, "workers", lambda: 1)
    monkeypatch.setattr(sourceindex, "SPLIT_FROM", 1)
    assert_same_as_cold(corpus, NOW, tmp_path / "cache")
    add_update(corpus, sorted(p.name for p in (corpus / "incidents").iterdir())[7])
    assert_same_as_cold(corpus, NOW, tmp_path / "cache")


def test_messages_a_worker_uses_are_kept_for_the_next_build(
    corpus: Path, tmp_path: Path, monkeypatch
):
    """The feeds are made in a worker process, from the messages the last build used; what
    the worker uses is kept for the next build too, so a one-update build renders only the
    new message (once in each process) and never the feeds' older ones again."""
    monkeypatch.setattr(cores, "workers", lambda: 2)
    log = tmp_path / "rendered"
    real = markup._render

    def counted(source: str) -> str:
        with log.open("a") as f:  # appended to by both processes
            f.write(f"{os.getpid()} {source[:30]!r}\n")
        return real(source)

    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    monkeypatch.setattr(markup, "_render", counted)
    for n in (3, 9):
        log.write_text("")
        add_update(corpus, sorted(p.name for p in (corpus / "incidents").iterdir())[n], seed=n)
        build(Project.at(corpus), NOW, cache_dir=cache)
        assert 1 <= len(log.read_text().splitlines()) <= 2, log.read_text()


def test_a_tampered_spare_site_is_not_trusted(corpus: Path, tmp_path: Path):
    """The retired tree kept for the next build only counts where it is the live site's file."""
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    add_update(corpus, sorted(p.name for p in (corpus / "incidents").iterdir())[2])
    build(Project.at(corpus), NOW, cache_dir=cache)
    (spare,) = cache.glob("spare-*")
    page = next((spare / "incidents").iterdir()) / "index.html"
    page.unlink()
    page.write_bytes(b"<p>not this</p>")  # a new inode, so the live site is untouched
    (spare / "stray.html").write_bytes(b"stray")
    (spare / "404.html").unlink()
    (spare / "404.html").mkdir()  # a folder where a file belongs
    add_update(corpus, sorted(p.name for p in (corpus / "incidents").iterdir())[30])
    assert_same_as_cold(corpus, NOW, cache)
    gone = sorted(p.name for p in (corpus / "incidents").iterdir())[8]
    shutil.rmtree(corpus / "incidents" / gone)
    assert_same_as_cold(corpus, NOW, cache)
    assert_same_as_cold(corpus, NOW, cache)
    assert not (corpus / "_site" / "incidents" / gone).exists()  # no empty folder is left


def errors_of(source: Path, now: datetime, cache: Path) -> list[str]:
    with pytest.raises(ContentErrors) as warm:
        build(Project.at(source), now, cache_dir=cache)
    with pytest.raises(ContentErrors) as cold:
        load_content(Project.at(source), now)
    assert [str(e) for e in warm.value.errors] == [str(e) for e in cold.value.errors]
    return [str(e) for e in warm.value.errors]


def test_cached_incidents_still_meet_every_rule(corpus: Path, tmp_path: Path):
    """A stored incident is reused only where loading its folder would raise nothing new."""
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    folder = sorted((corpus / "incidents").iterdir())[6]
    first = sorted(folder.glob("*.md"))[0]
    (folder / "zz-link.md").symlink_to(first)
    assert any("must not be links" in e for e in errors_of(corpus, NOW, cache))
    (folder / "zz-link.md").unlink()
    assert_same_as_cold(corpus, NOW, cache)
    earliest = min(p.name for p in (corpus / "incidents").iterdir())
    assert any(
        "after the build's" in e
        for e in errors_of(corpus, datetime.fromisoformat(earliest[:10] + "T00:00:00+00:00"), cache)
    )
    config = corpus / "components.yaml"
    config.write_text(
        config.read_text().replace("{id: database, name: Database}", "{id: db, name: Database}")
    )
    assert any("unknown component 'database'" in e for e in errors_of(corpus, NOW, cache))


@pytest.mark.parametrize("stray", ["file", "linked folder"])
def test_a_misplaced_entry_in_incidents_is_refused_warm_as_cold(
    corpus: Path, tmp_path: Path, stray: str
):
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    before = tree(corpus / "_site")
    if stray == "file":
        (corpus / "incidents" / "stray.md").write_text("---\nat: 2020-01-01T00:00:00Z\n---\n")
    else:
        first = sorted((corpus / "incidents").iterdir())[0]
        (corpus / "incidents" / "linked-incident").symlink_to(first, target_is_directory=True)
    with pytest.raises(ContentErrors):
        build(Project.at(corpus), NOW, cache_dir=cache)
    assert tree(corpus / "_site") == before


def test_edits_in_a_linked_theme_folder_reach_a_warm_build(corpus: Path, tmp_path: Path):
    """A site may link its theme/ from elsewhere (a shared theme): edits there count."""
    cache = tmp_path / "cache"
    shared = tmp_path / "shared-theme"
    (shared / "static").mkdir(parents=True)
    (shared / "static" / "extra.txt").write_text("first\n")
    (corpus / "theme").symlink_to(shared, target_is_directory=True)
    assert_same_as_cold(corpus, NOW, cache)
    (shared / "static" / "extra.txt").write_text("second\n")
    assert_same_as_cold(corpus, NOW, cache)
    assert (corpus / "_site" / "static" / "extra.txt").read_text() == "second\n"


def test_hidden_theme_folders_are_not_published(corpus: Path, tmp_path: Path):
    hidden = corpus / "theme" / "static" / ".well-known"
    hidden.mkdir(parents=True)
    (hidden / "security.txt").write_text("Contact: mailto:security@example.com\n")
    assert_same_as_cold(corpus, NOW, tmp_path / "cache")
    assert not (corpus / "_site" / "static" / ".well-known").exists()


def test_the_default_output_folder_is_no_input_of_a_build_elsewhere(
    tmp_path: Path, monkeypatch
) -> None:
    """`_site` is where `build` writes, never what it reads: a build into another folder (the
    preview starts as one) is not run again because `_site` changed, nor reads its files."""
    from heliograph import build as recipe

    source = write_corpus(tmp_path / "site", 20, seed=3).root
    elsewhere = Project.at(source, tmp_path / "elsewhere")
    cache = tmp_path / "cache"
    build(elsewhere, NOW, cache_dir=cache)
    build(Project.at(source), NOW, cache_dir=cache)  # writes _site
    runs: list[int] = []
    real = recipe._pipeline

    def counting(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(recipe, "_pipeline", counting)
    assert build(elsewhere, NOW, cache_dir=cache).written == 0
    assert runs == []  # the last build of `elsewhere` still stands


def test_new_settings_reload_and_check_again_only_what_reads_them(
    tmp_path: Path, monkeypatch
) -> None:
    """The cached incidents are kept while the settings have every component and severity they
    name (see content.model.still_loads), their findings under settings alike in what the checks
    read (the wording rules, the severities, and which provider the site's name is): a new
    component name, site address or site name reloads and checks nothing, a name that is a
    provider's checks every incident again; a new component or zone reloads nothing either,
    while removing a component that incidents name loads their folders again; each build
    writes, and finds, what a build without the cache does."""
    source = write_corpus(tmp_path / "site", 30, seed=4).root
    config, cache = source / "components.yaml", tmp_path / "cache"
    first = sorted(p for p in (source / "incidents").iterdir() if "-incident-" in p.name)[0]
    blamed = first / "01-investigating.md"
    blamed.write_text(
        blamed.read_text().rstrip("\n") + "\n\nThe delays were caused by an outage at GitHub.\n"
    )
    loaded, checked = loads_and_checks(monkeypatch, wordingcache)

    def rebuilt(old: str, new: str) -> tuple[int, int]:
        config.write_text(config.read_text().replace(old, new))
        loaded.clear(), checked.clear()
        found = build(Project.at(source), NOW, cache_dir=cache).findings
        counts = len(set(loaded)), len(set(checked))
        plain = tmp_path / "plain"
        assert build(Project.at(source, plain), NOW, use_cache=False).findings == found
        assert tree(source / "_site") == tree(plain)
        return counts

    def blames_github() -> bool:
        return any(f.rule == "wording:vendor" and f.file.endswith(blamed.name) for f in found)

    found = build(Project.at(source), NOW, cache_dir=cache).findings
    assert blames_github()
    assert rebuilt("name: Api}", "name: Public API}") == (0, 0)
    assert rebuilt("https://status.bench.example", "https://status.bench.example/x") == (0, 0)
    assert rebuilt("name: Bench Corp", "name: Bench Corporation") == (0, 0)
    assert rebuilt("name: Bench Corporation", "name: GitHub") == (0, 30)
    found = build(Project.at(source), NOW, cache_dir=cache).findings
    assert not blames_github()  # GitHub's own page may name GitHub
    assert rebuilt("name: GitHub", "name: Bench Corp") == (0, 30)
    sms = "{id: api, name: Public API}\n      - {id: sms, name: SMS}"
    assert rebuilt("{id: api, name: Public API}", sms) == (0, 0)  # named by no incident yet
    assert rebuilt("Europe/Berlin", "Asia/Tokyo") == (0, 0)  # every time shown moves
    # a component that incidents name, gone: each of their folders is loaded again, and fails
    config.write_text(config.read_text().replace("      - {id: api, name: Public API}\n", ""))
    loaded.clear()
    with pytest.raises(ContentErrors) as cached:
        build(Project.at(source), NOW, cache_dir=cache)
    with pytest.raises(ContentErrors) as plain:
        build(Project.at(source, tmp_path / "plain"), NOW, use_cache=False)
    assert [str(e) for e in cached.value.errors] == [str(e) for e in plain.value.errors]
    assert "unknown component 'api'" in str(cached.value.errors[0])
    assert loaded  # the cache kept no incident that names it


def test_a_build_renders_again_only_the_history_month_a_change_reaches(
    tmp_path: Path, monkeypatch
) -> None:
    """A changed incident changes the history's page, whose months are fragments: the cache
    keeps them, so a one-update build renders its incident's month again, not every month;
    and writes what a build without the cache does."""
    source = write_corpus(tmp_path / "site", 200, seed=8).root
    cache = tmp_path / "cache"
    build(Project.at(source), NOW, cache_dir=cache)
    made: list[tuple[str, int, int]] = []
    real = pagecache.PageCache.fragment

    def counting(self, template, when, data, make):
        def making():
            made.append((template, data.get("year"), data.get("month")))
            return make()

        return real(self, template, when, data, making)

    monkeypatch.setattr(pagecache.PageCache, "fragment", counting)
    name = sorted(os.listdir(source / "incidents"))[40]
    add_update(source, name)
    build(Project.at(source), NOW, cache_dir=cache)
    months = [(y, m) for t, y, m in made if t == "history-month.html"]
    assert months == [(int(name[:4]), int(name[5:7]))]
    plain = tmp_path / "plain"
    build(Project.at(source, plain), NOW, use_cache=False)
    assert tree(source / "_site") == tree(plain)


@pytest.mark.parametrize("split", [False, True], ids=["one process", "two processes"])
def test_a_settled_folder_is_listed_again_only_when_it_or_a_file_in_it_changed(
    corpus: Path, tmp_path: Path, monkeypatch, split: bool
) -> None:
    """A folder whose own stat and whose files' stats are as a settled scan left them is not
    listed; an edit in place, a new file, a removed file or a link instead of a file lists it
    again, a removed or renamed folder is seen, and the build still writes what a cold one
    does, with the folders looked at by one process or shared with a second."""
    monkeypatch.setattr(sourceindex, "RACY_NS", 0)  # every scan settled: no waiting seconds
    if split:
        monkeypatch.setattr(sourceindex, "SPLIT_FROM", 1)
    log = tmp_path / "listed"  # a file: a second process lists folders too
    real = sourceindex._folder_entries

    def listing(path: str):
        with open(log, "a") as f:
            f.write(os.path.basename(path) + "\n")
        return real(path)

    def listed() -> list[str]:
        return log.read_text().split() if log.exists() else []

    monkeypatch.setattr(sourceindex, "_folder_entries", listing)
    cache = tmp_path / "cache"
    assert_same_as_cold(corpus, NOW, cache)
    assert len(listed()) == 50
    slugs = sorted(os.listdir(corpus / "incidents"))

    def after(change) -> list[str]:
        log.unlink(missing_ok=True)
        change()
        assert_same_as_cold(corpus, NOW, cache)
        return sorted(set(listed()))

    assert after(lambda: None) == []
    first = corpus / "incidents" / slugs[2] / "01-investigating.md"
    text = first.read_text()
    head, body = text.split("\n---\n", 1)
    same_size = f"{head}\n---\n{body.upper()}"
    assert len(same_size) == len(text) and same_size != text
    assert after(lambda: first.write_text(same_size)) == [slugs[2]]
    assert after(lambda: add_update(corpus, slugs[5])) == [slugs[5]]
    assert after(lambda: next((corpus / "incidents" / slugs[5]).glob("*-note.md")).unlink()) == [
        slugs[5]
    ]
    assert after(lambda: shutil.rmtree(corpus / "incidents" / slugs[8])) == []
    moved = corpus / "incidents" / "renamed-incident"
    assert after(lambda: (corpus / "incidents" / slugs[9]).rename(moved)) == [moved.name]
    kept = tmp_path / "kept.md"
    shutil.copy(first, kept)

    def linked() -> None:
        first.unlink()
        first.symlink_to(kept)

    with pytest.raises(ContentErrors, match="link"):
        after(linked)
    assert listed() == [slugs[2]]


def test_a_file_changed_just_after_a_scan_is_read_again_though_its_stat_looks_the_same(
    corpus: Path, tmp_path: Path, monkeypatch
) -> None:
    """On a file system with a coarse clock, an edit right after a scan can leave a file's size
    and times as the scan saw them (here: its ctime read as its mtime, which is put back). As in
    git's racy-clean rule, such a file is read again until a scan saved after it has settled,
    so the build shows the edit."""
    from operator import attrgetter

    coarse = attrgetter("st_size", "st_mtime_ns", "st_ino", "st_mtime_ns")
    monkeypatch.setattr(sourceindex, "_stat_key", coarse)
    cache = tmp_path / "cache"
    slug = sorted(os.listdir(corpus / "incidents"))[4]
    file = corpus / "incidents" / slug / "01-investigating.md"
    text = file.read_text()
    head, body = text.split("\n---\n", 1)
    t = time.time_ns()
    os.utime(file, ns=(t, t))
    assert_same_as_cold(corpus, NOW, cache)
    file.write_text(f"{head}\n---\n{body.upper()}")
    os.utime(file, ns=(t, t))
    assert coarse(file.stat()) == (len(text), t, file.stat().st_ino, t)
    assert_same_as_cold(corpus, NOW, cache)


def test_a_tree_hashes_the_same_whatever_the_cache_saw_before(corpus: Path, tmp_path: Path):
    """The scan's hash is the tree's, not its history's: after a folder came and went (its
    shard stored full, then empty) it equals a scan without a cache, so a build with the
    inputs of the last one is still seen to have nothing to do."""
    from heliograph.incremental.cache import Cache

    def scanned(cache: Path | None) -> bytes:
        store = Cache(cache)
        try:
            found = sourceindex.scan(corpus, store)
            store.commit()
            return found.digest({})
        finally:
            store.close()

    used = {sourceindex.shard_of(p.name) for p in (corpus / "incidents").iterdir()}
    free = next(n for n in range(sourceindex.SHARDS) if n not in used)
    slug = next(
        name for i in range(10_000) if sourceindex.shard_of(name := f"2025-01-01-extra-{i}") == free
    )
    first = scanned(tmp_path / "cache")
    extra = corpus / "incidents" / slug
    shutil.copytree(next((corpus / "incidents").iterdir()), extra)
    assert scanned(tmp_path / "cache") != first
    shutil.rmtree(extra)
    assert scanned(tmp_path / "cache") == first == scanned(None)


def test_the_cache_does_not_grow_with_every_build(corpus: Path, tmp_path: Path) -> None:
    """Builds at ever later moments each have new inputs; the cache keeps the last build's
    result, not one per build, so it stays the same size."""
    cache = tmp_path / "cache"

    def entries() -> int:
        with sqlite3.connect(cache / "cache.sqlite") as db:
            return db.execute("SELECT count(*) FROM entries").fetchone()[0]

    counts = []
    for minutes in range(0, 50, 10):
        build(Project.at(corpus), NOW + timedelta(minutes=minutes), cache_dir=cache)
        counts.append(entries())
    assert len(set(counts[1:])) == 1, counts
    assert_same_as_cold(corpus, NOW + timedelta(minutes=50), cache)


def test_a_one_update_build_makes_the_search_entry_of_that_incident_alone(
    corpus: Path, tmp_path: Path, monkeypatch
) -> None:
    """The search index lists every incident; the cache keeps each one's entry, so a build
    after one new update makes that incident's entry again and writes what a cold build does."""
    from heliograph.render import search

    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    made: list[str] = []
    real = search._entry

    def counted(incident, now):
        made.append(incident.slug)
        return real(incident, now)

    monkeypatch.setattr(search, "_entry", counted)
    name = sorted(os.listdir(corpus / "incidents"))[20]
    add_update(corpus, name)
    build(Project.at(corpus), NOW, cache_dir=cache)
    assert made == [name]
    assert tree(corpus / "_site") == reference(corpus, NOW)


def test_a_build_without_the_cache_in_between_is_not_taken_for_the_last_one(
    corpus: Path, tmp_path: Path
) -> None:
    """The cache's last result stands for its output folder only while no other build wrote
    that folder: a build without the cache (with an extra asset, say) writes a new tree, and
    the next cached build with the first inputs builds again instead of keeping that tree."""
    cache = tmp_path / "cache"
    build(Project.at(corpus), NOW, cache_dir=cache)
    extra = corpus / "theme" / "static" / "logo-extra.png"
    extra.parent.mkdir(parents=True)
    extra.write_bytes(b"\x89PNG\r\n\x1a\n")
    build(Project.at(corpus), NOW, use_cache=False)
    assert (corpus / "_site" / "static" / "logo-extra.png").exists()
    shutil.rmtree(corpus / "theme")
    assert_same_as_cold(corpus, NOW, cache)


def test_a_build_with_nothing_to_do_shows_the_findings_the_last_build_showed(
    corpus: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    """A build with the inputs of the last one prints its findings as that build did: summed
    up, one by one with --all-findings, as annotations under GitHub Actions, and failing with
    --strict (where no build is kept: a strict build with findings writes nothing). It reads
    the findings themselves only to show more than the summary."""
    from heliograph.checks import findings

    args = ["build", "--source", str(corpus), "--now", NOW.isoformat()]
    args += ["--cache-dir", str(tmp_path / "c")]
    read: list[int] = []
    real = findings.KeptFindings._findings

    def counted(self):
        read.append(1)
        return real(self)

    monkeypatch.setattr(findings.KeptFindings, "_findings", counted)

    def shown(*more: str) -> tuple[int, list[str], str]:
        code = main(args + list(more))
        out, err = capsys.readouterr()
        return code, [line for line in out.splitlines() if not line.startswith("Built ")], err

    for more in [(), ("--all-findings",), ("--strict",)]:
        for env in [None, "true"]:
            if env:
                monkeypatch.setenv("GITHUB_ACTIONS", env)
            else:
                monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
            (tmp_path / "c").exists() and shutil.rmtree(tmp_path / "c")
            first = shown(*more)
            read.clear()
            assert shown(*more) == first, (more, env)
            assert bool(read) == (more == ("--all-findings",)), (more, env)
    code, lines, err = first
    assert code == 1 and "--strict is set" in err and lines[0].startswith("::warning file=")
    summed = shown()[2]
    assert "summed up in one line" in summed and len(summed.splitlines()) < len(
        shown("--all-findings")[2].splitlines()
    )


def test_a_build_with_nothing_to_do_gives_back_every_finding(corpus: Path, tmp_path: Path):
    """Its findings are the last build's, each one, in order, though only what that build
    showed of them is kept: the rest is worked out again when asked for."""
    cache = tmp_path / "c"
    first = build(Project.at(corpus), NOW, cache_dir=cache)
    again = build(Project.at(corpus), NOW, cache_dir=cache)
    assert again.written == 0 and len(again.findings) == len(first.findings) > 10
    assert list(again.findings) == list(first.findings)
    assert list(build(Project.at(corpus), NOW, use_cache=False).findings) == list(first.findings)


def test_a_build_with_nothing_to_do_parses_and_renders_nothing(
    corpus: Path, tmp_path: Path, monkeypatch
):
    """Such a build answers from the last one: it never unpickles the source index (only the
    scan's hash of each shard) and never loads the parsers, the templates or the model
    (imported where first needed); at 10,000 incidents these were a fifth of it."""
    import subprocess

    args = ["build", "--source", str(corpus), "--now", NOW.isoformat()]
    args += ["--cache-dir", str(tmp_path / "c")]
    assert main(args) == 0
    with monkeypatch.context() as m:
        m.setattr(sourceindex.Scan, "index", lambda *a: pytest.fail("the index was made"))
        assert main(args) == 0
    script = (
        "import sys; from heliograph.cli import main; code = main(sys.argv[1:]); "
        "print(code, *sorted(sys.modules), file=sys.stderr)"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
        )
        .stderr.splitlines()[-1]
        .split()
    )
    assert out[0] == "0"
    heavy = {"yaml", "jinja2", "markdown_it", "heliograph.content.model", "heliograph.render.theme"}
    assert heavy.isdisjoint(out[1:]), heavy & set(out[1:])


def test_a_one_update_build_stores_again_only_the_parts_it_changed(
    corpus: Path, tmp_path: Path, monkeypatch
) -> None:
    """The page fragments and the last build's messages are kept in parts: after one new
    update, a part is stored again only if it gained or lost an entry."""
    from heliograph.incremental.cache import Cache
    from heliograph.incremental.messages import RECENT_PARTS
    from heliograph.incremental.pages import FRAGMENT_PARTS

    cache = tmp_path / "cache"
    site = str((corpus / "_site").absolute())
    keys = Cache(cache)
    parts = {
        "fragments": [keys.key("fragments", site, str(n)) for n in range(FRAGMENT_PARTS)],
        "messages": [keys.key("markdown-recent", site, str(n)) for n in range(RECENT_PARTS)],
    }

    def entries(key: bytes) -> set:
        found = Cache(cache).get(key)
        part = found[1] if isinstance(found, tuple) else found
        return set(part or ())

    build(Project.at(corpus), NOW, cache_dir=cache)
    before = {key: entries(key) for key in parts["fragments"] + parts["messages"]}
    stored: list[bytes] = []
    real = Cache.put
    monkeypatch.setattr(Cache, "put", lambda self, k, v: stored.append(k) or real(self, k, v))
    add_update(corpus, sorted(os.listdir(corpus / "incidents"))[20])
    assert_same_as_cold(corpus, NOW, cache)
    for name, those in parts.items():
        again = {key for key in those if entries(key) != before[key]}
        assert again and len(again) < len(those), name
        assert {key for key in those if key in stored} == again, name


def test_another_release_of_a_library_that_shapes_output_reads_no_old_entry(
    tmp_path: Path, monkeypatch
):
    """The cache's keys hold the version of each library that shapes the bytes, as imports
    find it: the first one installed on the path."""
    from heliograph.incremental.cache import code_version

    before = code_version()
    shadow = tmp_path / "newer"
    (shadow / "Jinja2-99.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(shadow))
    assert code_version() != before
    (shadow / "Jinja2-99.0.dist-info").rename(shadow / "unrelated")
    assert code_version() == before
    # A library installed the older way, as Debian's python3-* packages install them.
    (shadow / "Jinja2-99.0-py3.11.egg-info").mkdir()
    assert code_version() != before
    (shadow / "Jinja2-99.0-py3.11.egg-info").rename(shadow / "Jinja2.egg-info")
    assert code_version() == before
