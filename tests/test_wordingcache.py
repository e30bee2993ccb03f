"""Wording findings kept in the build cache stay exactly those of a fresh check."""

from __future__ import annotations

from pathlib import Path

from conftest import MINIMAL_CONFIG, update
from test_wording import NOW, site_files

from heliograph.build import Project, build, load_content
from heliograph.buildcache import BuildSession
from heliograph.check import check
from heliograph.wordingcache import WordingMemo


def warm_and_fresh(root: Path, cache: Path) -> tuple[list[str], list[str]]:
    """The wording findings of a cached build, and of a check of the same content from scratch."""
    warm = build(Project.at(root), NOW, cache_dir=cache).findings
    fresh = check(load_content(Project.at(root), NOW), NOW)
    return ([str(f) for f in warm if f.rule.startswith("wording:")],
            [str(f) for f in fresh if f.rule.startswith("wording:")])


def test_findings_follow_an_edited_message(make_site, tmp_path: Path):
    root = make_site(site_files("We think a cache is involved."))
    cache = tmp_path / "cache"
    warm, fresh = warm_and_fresh(root, cache)
    assert warm == fresh and [w.split(": ")[2] for w in warm] == ['"We think"']
    second = root / "incidents/x/02-identified.md"
    second.write_text(update("2026-03-02T14:20:00Z", "identified",
                             "A cache is involved.\nIt is probably the cache."))
    warm, fresh = warm_and_fresh(root, cache)
    assert warm == fresh and warm == [
        'incidents/x/02-identified.md:6: warning: "probably": speculation about the cause: say '
        "what is known, or that the cause is still under investigation (wording check "
        "speculation)"]
    second.write_text(update("2026-03-02T14:20:00Z", "identified", "A cache is involved."))
    assert warm_and_fresh(root, cache) == ([], [])


def test_findings_follow_a_wording_rule_change(make_site, tmp_path: Path):
    root = make_site(site_files("We think the ETA is 16:00."))
    cache = tmp_path / "cache"
    warm, fresh = warm_and_fresh(root, cache)
    assert warm == fresh and len(warm) == 2
    (root / "components.yaml").write_text(
        MINIMAL_CONFIG + "wording:\n  speculation: false\n"
        "  jargon: {message: say it plainly, phrases: [cache, ETA]}\n")
    warm, fresh = warm_and_fresh(root, cache)
    assert warm == fresh and [w.split("(wording check ")[1] for w in warm] == [
        "fix_time)", "jargon)"]
    (root / "components.yaml").write_text(MINIMAL_CONFIG)
    warm, fresh = warm_and_fresh(root, cache)
    assert warm == fresh and len(warm) == 2


def test_an_unchanged_incident_is_not_read_again(make_site, tmp_path: Path):
    root = make_site(site_files("We think a cache is involved."))
    cache = tmp_path / "cache"
    build(Project.at(root), NOW, cache_dir=cache)
    content = load_content(Project.at(root), NOW)
    session = BuildSession.start(root, root / "_site", NOW, (), cache)
    try:
        memo = session.wording_memo()
        assert check(content, NOW, memo) == check(content, NOW)
        assert isinstance(memo, WordingMemo) and memo.checked == 0
    finally:
        session.close()
