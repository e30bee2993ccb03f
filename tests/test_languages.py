"""The theme in the site's language: complete catalogs compiled from their sources, each
bundled language on the pages, English wherever a catalog lacks a string, and the build cache
keyed by the language."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from conftest import EXAMPLE_NOW, REPO, copy_example, update
from conftest_browser import browser_type_launch_args, serve  # noqa: F401 - pytest fixture
from htmlread import page, texts

from heliograph.build import Project, build
from heliograph.content.config import LANGUAGES
from heliograph.content.errors import ContentErrors
from heliograph.render.theme import DEFAULT_THEME

LOCALE = DEFAULT_THEME / "locale"
# The home page's heading and the open incident's phase, as each catalog words them.
EXPECTED = {
    "en": ("Partial System Outage", "Identified", "24 Nov 2026, 10:10 EST"),
    "de": ("Teilweiser Systemausfall", "Ursache gefunden", "24. Nov. 2026, 10:10 EST"),
    "fr": ("Panne partielle des systèmes", "Cause identifiée", "24 nov. 2026, 10:10 EST"),
    "es": ("Interrupción parcial del sistema", "Causa identificada", "24 nov 2026, 10:10 EST"),
    "pt_BR": ("Interrupção parcial do sistema", "Causa identificada", "24 de nov. de 2026"),
    "ja": ("システムの一部で障害が発生しています", "原因特定", "2026年11月24日 10:10 EST"),
}


def extracted() -> set[str | tuple[str, ...]]:
    """Every message id the theme and the generator's words hold now, as `pybabel extract`
    with the project's babel.cfg finds them."""
    method_map = [("**/render/vocabulary.py", "python"), ("**/theme/templates/**.html", "jinja2")]
    options = {
        "**/theme/templates/**.html": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "True",
            "lstrip_blocks": "True",
        }
    }
    found = extract_from_dir(REPO / "site_src" / "heliograph", method_map, options)
    return {msgid for _, _, msgid, _, _ in found}


def test_every_catalog_is_complete_and_compiled_from_its_source() -> None:
    wanted = extracted()
    assert "Operational" in wanted and ("%(count)s incident", "%(count)s incidents") in wanted
    template = read_po((LOCALE / "messages.pot").open(encoding="utf-8"))
    assert {m.id for m in template if m.id} == wanted, "run pybabel extract (see babel.cfg)"
    for language in LANGUAGES[1:]:
        folder = LOCALE / language / "LC_MESSAGES"
        catalog = read_po((folder / "messages.po").open(encoding="utf-8"))
        untranslated = [
            m.id
            for m in catalog
            if m.id
            and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
        ]
        assert {m.id for m in catalog if m.id} == wanted, f"{language}: run pybabel update"
        assert untranslated == [], f"{language}: untranslated {untranslated}"
        for m in catalog:  # a placeholder lost in translation would raise on the page
            if m.id and not m.pluralizable:
                assert sorted(re.findall(r"%\(\w+\)s", m.id)) == sorted(
                    re.findall(r"%\(\w+\)s", m.string)
                ), f"{language}: {m.id!r}"
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        on_disk = (folder / "messages.mo").read_bytes()
        assert on_disk == compiled.getvalue(), f"{language}: run pybabel compile"
        assert len(read_mo(io.BytesIO(on_disk))) == len(catalog)


def set_language(source: Path, language: str) -> None:
    config = source / "components.yaml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"\n  language: .*", "", text)
    config.write_text(
        text.replace("  uptime_days:", f"  language: {language}\n  uptime_days:", 1),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example built at EXAMPLE_NOW in each bundled language."""
    built = {}
    for language in LANGUAGES:
        root = tmp_path_factory.mktemp(f"lang-{language}")
        source = copy_example(root / "src", EXAMPLE_NOW)
        set_language(source, language)
        built[language] = root / "_site"
        build(Project.at(source, built[language]), EXAMPLE_NOW, use_cache=False)
    return built


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_speak_the_sites_language(sites: dict[str, Path], language: str) -> None:
    heading, phase, moment = EXPECTED[language]
    home = (sites[language] / "index.html").read_text(encoding="utf-8")
    doc = page(sites[language], "index.html")
    assert doc.get("lang") == language.replace("_", "-")
    assert texts(doc, "//h1") == [heading]
    assert phase in texts(doc, "//span[contains(@class, 'pill')]")
    assert any(t.startswith(moment) for t in texts(doc, "//main//time")), texts(doc, "//time")
    # incident text stays as written, whatever the language
    assert "Scheduled posts publishing late" in home
    if language != "en":
        english = (sites["en"] / "index.html").read_text(encoding="utf-8")
        for words in ("Open incidents", "Components", "Past incidents", "Skip to content"):
            assert words in english and words not in home, (language, words)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "language: klingon",
            "'language': expected one of en, de, fr, es, pt_BR, ja, got 'klingon'",
        ),
        (
            "stale_after: soon",
            "'stale_after': expected a duration such as 30m, 1h or 1h30m, got 'soon'",
        ),
    ],
)
def test_a_bad_page_setting_is_a_located_error(make_site, setting: str, message: str) -> None:
    root = make_site(
        config=f"site:\n  name: X\n  url: https://s.example\n  {setting}\n"
        "components:\n  - {id: api, name: API}\n"
    )
    with pytest.raises(ContentErrors) as caught:
        build(Project.at(root), EXAMPLE_NOW)
    assert [str(e) for e in caught.value.errors] == [f"components.yaml:4: {message}"]


def test_stale_after_sets_when_the_script_warns(make_site) -> None:
    root = make_site(
        config="site:\n  name: X\n  url: https://s.example\n  stale_after: 1h\n"
        "components:\n  - {id: api, name: API}\n"
    )
    build(Project.at(root), EXAMPLE_NOW)
    assert page(root / "_site", "index.html").get("data-stale") == "3600"


def test_a_string_missing_from_a_catalog_is_english(make_site) -> None:
    """A site's own catalog that knows one string: that one is German, the rest English."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="de")
    catalog.add("Components", "Komponenten")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    root = make_site(
        {"theme/locale/de/LC_MESSAGES/messages.mo": compiled.getvalue()},
        config="site:\n  name: X\n  url: https://s.example\n  language: de\n"
        "components:\n  - {id: api, name: API}\n",
    )
    build(Project.at(root), EXAMPLE_NOW)
    doc = page(root / "_site", "index.html")
    assert "Komponenten" in texts(doc, "//h2")
    assert "Past incidents" in texts(doc, "//h2")
    assert texts(doc, "//h1") == ["All Systems Operational"]


def test_a_new_language_renders_every_page_again(make_site, tmp_path: Path) -> None:
    """The cache keys pages by the language: a cached build after the switch equals a fresh one."""
    root = make_site(
        {
            "incidents/x/01.md": update(
                "2026-11-20T10:00:00Z",
                "resolved",
                title="Slow API",
                severity="SEV-3",
                components={"api": "degraded_performance"},
            )
        }
    )
    build(Project.at(root), EXAMPLE_NOW)
    config = root / "components.yaml"
    config.write_text(config.read_text().replace("timezone: UTC", "timezone: UTC\n  language: fr"))
    build(Project.at(root), EXAMPLE_NOW)
    fresh = tmp_path / "fresh"
    build(Project.at(root, fresh), EXAMPLE_NOW, use_cache=False)
    for path in ("index.html", "incidents/x/index.html", "history/index.html"):
        cached = (root / "_site" / path).read_bytes()
        assert cached == (fresh / path).read_bytes(), path
        assert b'lang="fr"' in cached, path


# The visitor's browser in each language, in Tokyo: 14:15 UTC, the open incident's latest
# update, is 23:15 there.
BROWSER_LOCALES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "pt_BR": "pt-BR"}
BROWSER_LOCALES["ja"] = "ja-JP"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_reads_in_chromium_in_the_visitors_zone(
    browser, sites: dict[str, Path], language: str
) -> None:
    with serve(sites[language]) as base:
        context = browser.new_context(
            base_url=base, timezone_id="Asia/Tokyo", locale=BROWSER_LOCALES[language]
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.clock.install(time=EXAMPLE_NOW)  # running, not paused: axe waits on timers
        for path in ("/", "/incidents/2026-11-24-scheduled-posts-delayed/", "/history/"):
            page.goto(path)
            page.wait_for_function("document.readyState === 'complete'")
            assert page.locator("html").get_attribute("lang") == language.replace("_", "-")
            toggle = page.locator(".zone-toggle")
            if path != "/history/":
                shown = page.locator("main time").all_inner_texts()
                assert any("23:15" in t for t in shown), (language, path, shown)
                label = toggle.inner_text()
                assert "America/New_York" in label, label  # the site's zone, offered back
                assert ("Show times" in label) == (language == "en"), label
            for v in Axe().run(page).response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    problems.append(f"{path}: axe {v['impact']} {v['id']}: {v['help']}")
        context.close()
    assert problems == [], "\n".join(problems)
