"""The bundled example as a newcomer meets it: the first `python build.py` on a fresh clone is
clean at any time, and the example's incident is live one `--now` away, as it stood then."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import EXAMPLE_NOW, REPO, copy_example, update
from htmlread import page, texts

from heliograph.build import Project, build
from heliograph.cli import main
from heliograph.cli.common import clock

LIVE = "2026-11-24T15:10:00Z"  # the README's moment; conftest's EXAMPLE_NOW


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The example as a fresh clone has it: every file, its last incident resolved."""
    return copy_example(tmp_path / "clone")


def latest_file_time() -> datetime:
    found = (
        re.search(r"^at: (\S+)$", p.read_text(encoding="utf-8"), re.M)
        for p in (REPO / "incidents").glob("*/*.md")
    )
    return max(datetime.fromisoformat(m.group(1)) for m in found if m)


@pytest.mark.parametrize("now", [None, "2026-11-25T17:00:00Z", "2031-06-01T00:00:00Z"])
def test_the_first_build_is_clean_whenever_it_runs(clone: Path, capsys, now):
    # None is the clock: a newcomer's first `python build.py`
    assert now is not None or clock() >= latest_file_time(), "the example is dated ahead"
    assert main(["build", "--source", str(clone), *(["--now", now] if now else [])]) == 0
    out, err = capsys.readouterr()
    assert re.fullmatch(r"Built \d+ pages \(.*\) into \S+/ in [\d.]+ s\nChecks: no findings\n", out)
    assert err == ""
    home = page(clone / "_site", "index.html")
    assert texts(home, "//h1") == ["All Systems Operational"]


def test_the_live_moment_is_one_now_away_as_it_stood_then(clone: Path, example_source, capsys):
    assert main(["build", "--source", str(clone), "--now", LIVE]) == 0
    assert capsys.readouterr().out.endswith("Checks: no findings\n")
    home = page(clone / "_site", "index.html")
    assert texts(home, "//h1") == ["Partial System Outage"]
    assert texts(home, "//section[@aria-labelledby='open-h']//h3") == [
        "Scheduled posts publishing late"
    ]
    # the very site a checkout of that moment builds, byte for byte
    then = example_source.parent / "then"
    build(Project.at(example_source, then), EXAMPLE_NOW)
    assert tree(clone / "_site") == tree(then)


def test_the_readme_tells_what_the_first_build_prints(clone: Path, capsys, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install -e . && python build.py\n" in readme
    assert f"python build.py --now {LIVE}" in readme
    monkeypatch.chdir(clone)  # where a newcomer runs it
    main(["build", "--now", "2031-06-01T00:00:00Z"])
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1] in readme and re.sub(r"[\d.]+", "N", printed[0]) in re.sub(
        r"[\d.]+", "N", readme
    )


FIRST = dict(title="API errors", severity="SEV-2", components={"api": "partial_outage"})


def test_a_build_now_a_past_time_leaves_later_files_out(make_site, capsys):
    source = make_site(
        {
            "incidents/a/01.md": update("2026-02-10T14:00:00Z", "investigating", **FIRST),
            "incidents/a/02.md": update("2026-02-10T14:30:00Z", "resolved"),
            "incidents/a/postmortem.md": "---\nat: 2026-02-12T10:00:00Z\n---\nWhy.\n",
            "incidents/b/01.md": update("2026-02-11T09:00:00Z", "investigating", **FIRST),
        }
    )
    assert main(["build", "--source", str(source), "--now", "2026-02-10T14:20:00Z"]) == 0
    capsys.readouterr()
    site = source / "_site"
    summary = json.loads((site / "api/v2/summary.json").read_bytes())
    assert [i["name"] for i in summary["incidents"]] == ["API errors"]
    assert len(summary["incidents"][0]["incident_updates"]) == 1
    assert not (site / "incidents/b").exists()
    assert main(["build", "--source", str(source), "--now", "2026-02-11T00:00:00Z"]) == 0
    assert "Postmortem" not in texts(page(site, "incidents/a/index.html"), "//h2")
    assert main(["check", "--source", str(source), "--now", "2026-02-10T14:20:00Z"]) == 0
    # the library keeps refusing a later file unless asked to look back
    with pytest.raises(Exception, match="is after the build's time"):
        build(Project.at(source), datetime(2026, 2, 10, 14, 20, tzinfo=UTC))


def test_cached_builds_that_look_back_match_cold_ones(clone: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    moments = [EXAMPLE_NOW, datetime(2026, 12, 3, tzinfo=UTC), EXAMPLE_NOW]
    for n, now in enumerate(moments):
        build(Project.at(clone), now, cache_dir=cache, as_of=True)
        cold = tmp_path / f"cold{n}"
        build(Project.at(clone, cold), now, use_cache=False, as_of=True)
        assert tree(clone / "_site") == tree(cold), now
