"""The preview's in-memory build: after any sequence of edits, every page it serves is the page
a cold build writes, while it loads only the folders that changed."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from builds import loads_and_checks
from conftest import REPO, update

from heliograph.authoring.live import LiveSite
from heliograph.build import Project, load_content, render_site

sys.path.insert(0, str(REPO / "bench"))
from corpus import add_open_incident, add_update, corpus_now, stamp, write_corpus  # noqa: E402

NOW = corpus_now()


def cold(source: Path, now=NOW) -> dict[str, bytes]:
    """Every output of a plain build from the files as they are."""
    project = Project.at(source)
    return {p: bytes(b) for p, b in render_site(project, load_content(project, now), now).items()}


def served(live: LiveSite) -> dict[str, bytes]:
    return {path: bytes(data) for path, data in live.outputs.items()}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, LiveSite]]:
    source = write_corpus(tmp_path / "site", 60, seed=11).root
    live = LiveSite(source, tmp_path / "cache")
    assert live.rebuild(NOW) == []
    yield source, live


def slugs(source: Path) -> list[str]:
    return sorted(os.listdir(source / "incidents"))


def new_settings(source: Path, live: LiveSite) -> None:
    """A change to the site's name, which every page shows, and the build after it."""
    config = source / "components.yaml"
    config.write_text(config.read_text().replace("Bench Corp", "Bench Corporation"))
    assert live.rebuild(NOW, [str(config)]) == []


def renders(monkeypatch) -> list[str]:
    """The path of each page (not an incident page) rendered from now on, in order."""
    from heliograph.render import pages

    made: list[str] = []
    real = pages._render

    def recording(env, ctx, path, *args, **data):
        made.append(path)
        return real(env, ctx, path, *args, **data)

    monkeypatch.setattr(pages, "_render", recording)
    return made


def test_every_edit_leaves_the_served_site_equal_to_a_cold_build(
    site: tuple[Path, LiveSite],
) -> None:
    from heliograph.checks.site import check

    source, live = site
    assert served(live) == cold(source)
    incidents = source / "incidents"
    names = slugs(source)
    steps = []

    def step(*changed: Path, now=NOW) -> None:
        assert live.rebuild(now, [str(p) for p in changed]) == []
        steps.append(changed)
        assert served(live) == cold(source, now), f"after step {len(steps)}: {changed}"
        assert live.findings == check(load_content(Project.at(source), now), now)

    edited = incidents / names[5] / "01-investigating.md"
    edited.write_text(edited.read_text().replace("We ", "We now ", 1))
    step(edited)  # an edit to an update
    step(add_update(source, names[8]))  # a new update to an old incident
    opened = add_open_incident(source, NOW)
    posted = next(opened.glob("*.md"))
    posted.write_text(posted.read_text().replace("SEV-3", "SEV-1"))  # updated every 30 min
    step(opened)  # a new, open incident
    closing = opened / "02-resolved.md"
    closing.write_text(update(stamp(NOW - timedelta(minutes=2)), "resolved", "Fixed."))
    step(closing)  # it closes: no open incident on the home page
    closing.unlink()
    step(closing)  # and is open again
    postmortem = incidents / names[30] / "postmortem.md"
    postmortem.write_text(f"---\nat: {stamp(NOW - timedelta(minutes=1))}\n---\nWhat happened.\n")
    step(postmortem)  # an old incident's postmortem, the newest of all
    shutil.rmtree(incidents / names[12])
    step(incidents / names[12])  # a deleted incident
    os.rename(incidents / names[20], incidents / "renamed-incident")
    step(incidents / names[20], incidents / "renamed-incident")  # a renamed one
    theme = source / "theme" / "templates"
    theme.mkdir(parents=True)
    base = REPO / "site_src" / "heliograph" / "theme" / "templates" / "base.html"
    (theme / "base.html").write_text(base.read_text().replace("</footer>", "Hi.</footer>"))
    step(theme / "base.html")  # a theme override
    config = source / "components.yaml"
    config.write_text(config.read_text().replace("Bench Corp", "Bench Corporation"))
    step(config)  # the settings: every page changes
    (theme / "base.html").unlink()
    step(theme / "base.html")  # the override removed again
    step(now=NOW + timedelta(minutes=45))  # the clock alone: the open incident is overdue


def test_a_save_loads_only_the_folder_it_touched(site: tuple[Path, LiveSite], monkeypatch) -> None:
    source, live = site
    from heliograph.content import load as loader

    loaded: list[str] = []
    real = loader.load_folder

    def counting(root, slug, *args):
        loaded.append(slug)
        return real(root, slug, *args)

    monkeypatch.setattr(loader, "load_folder", counting)
    name = slugs(source)[30]
    path = add_update(source, name)
    assert live.rebuild(NOW, [str(path)]) == []
    assert loaded == [name]
    assert served(live) == cold(source)


def cold_problems(source: Path, now=NOW) -> list[str]:
    """What a whole load of the files as they are finds wrong."""
    from heliograph.content.errors import ContentErrors

    try:
        load_content(Project.at(source), now)
    except ContentErrors as exc:
        return [str(e) for e in exc.errors]
    return []


def test_a_save_finds_every_problem_a_whole_load_finds(site: tuple[Path, LiveSite]) -> None:
    """Only the entries that changed are read again, yet what is wrong with the site is what a
    whole load finds: a folder's name, a file out of place, a link, an id claimed twice, an
    update dated later than the clock; each fixed, the site is the cold build's again."""
    from heliograph.checks.site import check

    source, live = site
    incidents = source / "incidents"
    names = slugs(source)
    first = min((incidents / names[4]).glob("01-*.md"))

    def step(*changed: Path, now=NOW, wrong: int = 0) -> list[str]:
        problems = live.rebuild(now, [str(p) for p in changed])
        assert problems == cold_problems(source, now)
        assert len(problems) == wrong, problems
        if not wrong:
            assert served(live) == cold(source, now)
            assert live.findings == check(load_content(Project.at(source), now), now)
        return problems

    bad = incidents / "Bad_Name"
    bad.mkdir()
    (bad / "01-investigating.md").write_text(first.read_text())
    assert "is its URL" in step(bad / "01-investigating.md", wrong=1)[0]
    stray = incidents / "02-stray.md"
    stray.write_text(first.read_text())
    step(stray, wrong=2)  # the folder's problem is still there: it did not change
    os.rename(bad, incidents / "good-name")
    step(bad, incidents / "good-name", wrong=1)
    stray.unlink()
    step(stray)
    os.symlink(incidents / names[6], incidents / "a-link")
    assert "not links" in step(incidents / "a-link", wrong=1)[0]
    (incidents / "a-link").unlink()
    step(incidents / "a-link")
    claimed = first.read_text().replace("---\n", "---\nincident_id: kept-id\n", 1)
    first.write_text(claimed)
    step(first)
    other = min((incidents / names[9]).glob("01-*.md"))
    other.write_text(other.read_text().replace("---\n", "---\nincident_id: kept-id\n", 1))
    assert "already used by" in step(other, wrong=1)[0]
    first.write_text(claimed.replace("incident_id: kept-id\n", ""))
    step(first)  # the other's claim is now the only one
    later = NOW + timedelta(minutes=5)
    early = incidents / "good-name" / "02-later.md"
    early.write_text(update(later.strftime("%Y-%m-%dT%H:%M:%SZ"), "resolved", "Fixed."))
    assert "after the build's time" in step(early, wrong=1)[0]
    step(now=later)  # nothing saved: the clock caught up with the update


def test_the_incidents_folder_replaced_whole_is_read_again_whole(
    site: tuple[Path, LiveSite],
) -> None:
    """A folder moved into place (a checkout, say) is one event for `incidents/` itself, none
    for the files in it: the preview reads every folder again."""
    source, live = site
    incidents, names = source / "incidents", slugs(source)
    other = source.parent / "other"  # another site folder's incidents, one gone, one updated
    shutil.copytree(incidents, other / "incidents")
    shutil.rmtree(other / "incidents" / names[10])
    add_update(other, names[11])
    os.rename(incidents, source.parent / "old")
    os.rename(other / "incidents", incidents)
    assert live.rebuild(NOW, [str(incidents)]) == []
    assert served(live) == cold(source)


def test_a_bad_save_keeps_the_last_good_site_and_the_fix_brings_it_back(
    site: tuple[Path, LiveSite],
) -> None:
    source, live = site
    good = served(live)
    name = slugs(source)[3]
    broken = source / "incidents" / name / "09-oops.md"
    broken.write_text(update("2026-11-24T10:00:00", "identified", "No offset."))
    problems = live.rebuild(NOW, [str(broken)])
    assert len(problems) == 1 and problems[0].startswith(f"incidents/{name}/09-oops.md:2: ")
    assert served(live) == good
    broken.unlink()
    assert live.rebuild(NOW, [str(broken)]) == []
    assert served(live) == cold(source) == good


def test_pages_of_the_last_good_build_survive_a_broken_template(
    site: tuple[Path, LiveSite],
) -> None:
    source, live = site
    page = next(p for p in live.outputs if p.startswith("incidents/"))  # not rendered yet
    override = source / "theme" / "templates" / "incident.html"
    override.parent.mkdir(parents=True)
    override.write_text("{% if %}broken")
    problems = live.rebuild(NOW, [str(override)])
    assert problems and "template error" in problems[0]
    assert bytes(live.outputs[page]) == cold_without(source, override)[page]


def cold_without(source: Path, override: Path) -> dict[str, bytes]:
    text = override.read_text()
    override.unlink()
    try:
        return cold(source)
    finally:
        override.write_text(text)


def test_a_save_makes_only_the_page_asked_for_and_the_rest_stays_a_cold_builds(
    site: tuple[Path, LiveSite], monkeypatch
) -> None:
    """The open tab's page is made first; the feeds wait for a pause (`finish`). Builds that
    leave parts unmade, one after another, still serve every file as a cold build writes it."""
    from heliograph.render import feeds

    source, live = site
    beside: list[int] = []
    real = feeds.render_feeds

    def counting(*args):
        beside.append(1)
        return real(*args)

    def cold_build() -> dict[str, bytes]:  # its own feeds are not counted
        with monkeypatch.context() as m:
            m.setattr(feeds, "render_feeds", real)
            return cold(source)

    monkeypatch.setattr(feeds, "render_feeds", counting)
    names = slugs(source)
    for n, name in enumerate(names[2:6]):
        path = add_update(source, name, seed=n)
        assert live.rebuild(NOW, [str(path)]) == []
        page = bytes(live.outputs[f"incidents/{name}/index.html"])
        assert page == cold_build()[f"incidents/{name}/index.html"]
        if n == 2:
            assert bytes(live.outputs["index.html"]) == cold_build()["index.html"]
    assert beside == []  # no page asked for the feeds: none were made
    feed = "history.atom"
    assert bytes(live.outputs[feed]) == cold_build()[feed]  # made when asked for
    assert beside == [1]
    assert live.finish() == []
    assert served(live) == cold_build()


def test_pages_asked_for_one_after_another_after_a_save_are_the_cold_builds(
    site: tuple[Path, LiveSite],
) -> None:
    """The first page a tab asks for is made alone (the pass stops there); a second page of
    the same build is then made with all the others, never missed."""
    source, live = site
    opened = add_open_incident(source, NOW)
    assert live.rebuild(NOW, [str(opened)]) == []
    want = cold(source)
    for path in ("index.html", "history/index.html", "components/api/index.html", "history.rss"):
        assert bytes(live.outputs[path]) == want[path], path


def test_a_part_that_fails_later_keeps_the_last_good_files_and_names_its_problem(
    site: tuple[Path, LiveSite],
) -> None:
    """A page made after the save (the home page, when the tab asks) may fail on the new
    content: the last good page is served, and the pause's `finish` reports the problem."""
    source, live = site
    opened = add_open_incident(source, NOW)
    theme = source / "theme" / "templates"
    theme.mkdir(parents=True)
    (theme / "index.html").write_text("{{ 100 // (open_incidents | length) }} open\n")
    assert live.rebuild(NOW, [str(opened), str(theme / "index.html")]) == []
    good = bytes(live.outputs["index.html"])
    assert good.startswith(b"100 open")
    shutil.rmtree(opened.parent)
    assert live.rebuild(NOW, [str(opened.parent)]) == []  # the home page is not made yet
    assert bytes(live.outputs["index.html"]) == good
    problems = live.finish()
    assert len(problems) == 1
    assert problems[0].startswith("theme/templates/index.html:1: ")
    assert "ZeroDivisionError" in problems[0]


def test_after_new_settings_the_page_asked_for_is_made_before_the_others(
    site: tuple[Path, LiveSite], monkeypatch
) -> None:
    """New settings change every page; the tab's page is made alone, the others when the
    author pauses, and all of them are then the cold build's."""
    source, live = site
    new_settings(source, live)
    made = renders(monkeypatch)
    assert b"Bench Corporation" in bytes(live.outputs["index.html"])
    assert made == ["index.html"]
    assert live.finish() == []
    assert "history/index.html" in made and made.count("index.html") == 1
    monkeypatch.undo()
    assert served(live) == cold(source)


def test_the_pause_gives_way_to_the_next_save_and_keeps_what_it_made(
    site: tuple[Path, LiveSite], monkeypatch
) -> None:
    """What the pause makes stops between two pages when a change waits; the next build keeps
    the pages made so far and makes only the others."""
    source, live = site
    new_settings(source, live)  # every page is new
    made = renders(monkeypatch)
    assert live.finish(lambda: len(made) >= 3) == []
    assert len(made) == 3 and not live.outputs.complete
    assert live.rebuild(NOW, []) == []
    assert live.finish() == []
    assert len(made) > 6 and not set(made[:3]) & set(made[3:])
    monkeypatch.undo()
    assert served(live) == cold(source)


def test_a_preview_starts_with_the_templates_a_build_compiled(tmp_path: Path, monkeypatch) -> None:
    """The build cache keeps compiled templates; a preview on the same cache reads them rather
    than compiling every template again at start (0.2 s), and a template edited since is
    compiled anew."""
    import jinja2

    from heliograph.build import build

    source = write_corpus(tmp_path / "site", 20, seed=5).root
    build(Project.at(source), NOW, cache_dir=tmp_path / "cache")
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self, text, name=None, *args, **kwargs):
        compiled.append(name)
        return real(self, text, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    live = LiveSite(source, tmp_path / "cache")
    assert live.rebuild(NOW) == []
    page = bytes(live.outputs["index.html"])
    assert compiled == []
    theme = source / "theme" / "templates"
    theme.mkdir(parents=True)
    base = REPO / "site_src" / "heliograph" / "theme" / "templates" / "base.html"
    (theme / "base.html").write_text(base.read_text().replace("</footer>", "Hi.</footer>"))
    assert live.rebuild(NOW, [str(theme / "base.html")]) == []
    assert compiled == ["base.html"]
    monkeypatch.undo()
    assert page != bytes(live.outputs["index.html"]) == cold(source)["index.html"]


def test_a_preview_of_a_past_moment_checks_what_it_shows(tmp_path: Path) -> None:
    """`serve --now`: an incident with updates after that moment is shown, and checked, as it
    stood then; the others are answered from the build cache, as the same moment's build."""
    from heliograph.checks.site import check

    source = write_corpus(tmp_path / "site", 60, seed=11).root
    later = add_open_incident(source, NOW)  # posted ten minutes before NOW
    name = slugs(source)[7]
    update_at = NOW + timedelta(hours=1)
    (source / "incidents" / name / "08-later.md").write_text(
        update(update_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "resolved", "A later word.")
    )
    project = Project.at(source)
    # a fresh preview each time, the second from the cache the first left
    for now in (NOW - timedelta(minutes=15), NOW):  # `later` not posted yet; then posted
        live = LiveSite(source, tmp_path / "cache", as_of=True)
        assert live.rebuild(now) == []
        content = load_content(project, now, as_of=True)
        assert live.findings == tuple(check(content, now))
        assert served(live) == {p: bytes(b) for p, b in render_site(project, content, now).items()}
    assert later.parent.name in "".join(served(live))
    # saves while it runs: nothing after its moment, then a postmortem, then an update dated
    # after it, which stay out
    first_later = source / "incidents" / name / "08-later.md"
    first_later.unlink()
    pm = source / "incidents" / slugs(source)[11] / "postmortem.md"
    pm.write_text(f"---\nat: {stamp(update_at)}\n---\nWhat happened.\n")
    other = source / "incidents" / slugs(source)[9] / "08-later.md"
    other.write_text(update(stamp(update_at), "resolved", "Another later word."))
    for path in (first_later, pm, other):
        assert live.rebuild(NOW, [str(path)]) == []
        content = load_content(project, NOW, as_of=True)
        assert served(live) == {p: bytes(b) for p, b in render_site(project, content, NOW).items()}
    assert "Another later word" not in "".join(map(bytes.decode, served(live).values()))


def test_new_settings_load_and_check_again_only_what_reads_them(
    site: tuple[Path, LiveSite], monkeypatch
) -> None:
    """A new site name is no input of loading a folder, nor of the checks (unless it is a
    provider's): the preview keeps every incident and finding and makes the pages again. New
    wording rules check every incident again; a new zone, a new component, or one that no
    incident names removed, loads nothing again, and one that incidents name removed loads
    every folder again and finds what a whole load finds. After each, the site served is a
    cold build's, and so are its findings."""
    from heliograph.checks.site import check
    from heliograph.incremental import memory

    source, live = site
    config = source / "components.yaml"
    loaded, checked = loads_and_checks(monkeypatch, memory)

    def changed(old: str, new: str) -> tuple[int, int]:
        config.write_text(config.read_text().replace(old, new))
        loaded.clear(), checked.clear()
        assert live.rebuild(NOW, [str(config)]) == []
        pages = served(live)
        counts = len(set(loaded)), len(set(checked))  # before the cold build's own
        assert pages == cold(source)
        assert live.findings == check(load_content(Project.at(source), NOW), NOW)
        return counts

    assert changed("name: Bench Corp", "name: Bench Corporation") == (0, 0)
    assert changed("Europe/Berlin", "America/New_York") == (0, 0)  # every time shown moves
    wording = "\nwording:\n  vendor: {add: [Bench Cloud]}\ncomponents:"
    assert changed("\ncomponents:", wording) == (0, 60)
    sms = "{id: api, name: Api}\n      - {id: sms, name: SMS}"
    assert changed("{id: api, name: Api}", sms) == (0, 0)
    assert changed("\n      - {id: sms, name: SMS}", "") == (0, 0)  # named by no incident
    levels = ("critical", "major", "minor", "none", "none")
    five = "".join(f"  SEV-{n}: {{label: L{n}, impact: {i}}}\n" for n, i in enumerate(levels, 1))
    assert changed("\ncomponents:", f"\nseverities:\n{five}components:") == (0, 60)
    before = config.read_text()
    config.write_text(before.replace("  SEV-4: {label: L4, impact: none}\n", ""))
    problems = live.rebuild(NOW, [str(config)])  # a severity incidents name, gone
    assert problems and all("unknown severity 'SEV-4'" in p for p in problems), problems
    assert problems == cold_problems(source)
    assert changed(config.read_text(), before) == (0, 0)  # settings the build cache knows
    # a component an incident names, gone: every folder is loaded again (and that one fails)
    config.write_text(config.read_text().replace("      - {id: api, name: Api}\n", ""))
    problems = live.rebuild(NOW, [str(config)])
    assert problems and all("unknown component 'api'" in p for p in problems), problems
    assert problems == cold_problems(source)


def test_what_the_preview_keeps_of_the_model_is_what_walking_it_finds(
    site: tuple[Path, LiveSite],
) -> None:
    """The newest update, the open incidents, those begun since a moment and those ending after
    it, as the preview's folders keep them from save to save (Content.knowing), are what the
    same model without them finds by walking every incident, after saves that add, close,
    remove and rename incidents, at every moment where an answer changes."""
    from heliograph.content.model import Content, Kind
    from heliograph.state.uptime import in_window, reaches

    source, live = site
    incidents = source / "incidents"
    names = slugs(source)
    opened = add_open_incident(source, NOW)
    shutil.rmtree(incidents / names[3])
    os.rename(incidents / names[4], incidents / "renamed-incident")
    add_update(source, names[6])
    changed = [opened, incidents / names[3], incidents / names[4], incidents / "renamed-incident"]
    for step in (changed, [incidents / names[6]]):
        live._incidents.forget(p.name for p in step)
        known = live._folders.load([p.name for p in step], NOW, live._incidents)
        walked = Content(known.site, known.incidents)
        assert known.newest_update == walked.newest_update
        assert known.newest_postmortem == walked.newest_postmortem
        assert known.not_closed == walked.not_closed
        moments = {m for i in known.incidents for m in (i.began, i.last_moment)}
        for t in sorted(moments)[::3] + [NOW - timedelta(days=90), NOW]:
            for at in (t - timedelta(seconds=1), t, t + timedelta(seconds=1)):
                assert known.began_since(at) == walked.began_since(at)
                assert known.ending_after(at) == walked.ending_after(at)
                # and the window's incidents as the uptime defines them
                reaching = tuple(
                    i
                    for i in known.incidents
                    if (i.resolved_at is None or i.resolved_at > at or i.kind is not Kind.INCIDENT)
                    and reaches(i, at)
                )
                assert in_window(known, NOW, at) == in_window(walked, NOW, at) == reaching
