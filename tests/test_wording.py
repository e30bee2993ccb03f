"""Public-wording checks: default phrases, their lines, and `wording:` in components.yaml."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import MINIMAL_CONFIG, update

from heliograph.build import Project, load_content
from heliograph.checks.findings import Level
from heliograph.checks.site import check
from heliograph.cli import main
from heliograph.content.errors import ContentErrors

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
FIRST = update(
    "2026-03-02T14:00:00Z",
    "investigating",
    "We are investigating errors.",
    title="API errors",
    severity="SEV-3",
    components={"api": "partial_outage"},
)


def site_files(second_body: str) -> dict[str, str]:
    """An incident whose second update (front matter on lines 1-4) has `second_body` from line 5."""
    return {
        "incidents/x/01-investigating.md": FIRST,
        "incidents/x/02-identified.md": update("2026-03-02T14:20:00Z", "identified", second_body),
    }


def wording(make_site, body: str, config: str = MINIMAL_CONFIG):
    root = make_site(site_files(body), config)
    return [
        f for f in check(load_content(Project.at(root), NOW), NOW) if f.rule.startswith("wording:")
    ]


def test_each_default_check_quotes_the_phrase_and_its_line(make_site):
    body = (
        "The database failed over.\n"
        "This was caused by human error during a deploy.\n"
        "\n"
        "We think a cache is involved. It will be fixed by 16:00."
    )
    found = wording(make_site, body)
    assert [(f.rule, f.line, f.phrase) for f in found] == [
        ("wording:blame", 6, "human error"),
        ("wording:fix_time", 8, "will be fixed by"),  # by file, line, then rule
        ("wording:speculation", 8, "we think"),
    ]
    assert all(f.level is Level.WARNING for f in found)
    assert str(found[2]) == (
        'incidents/x/02-identified.md:8: warning: "We think": speculation about the cause: say '
        "what is known, or that the cause is still under investigation (wording check "
        "speculation)"
    )


def test_phrases_match_whole_words_in_any_case_across_line_breaks(make_site):
    found = wording(
        make_site,
        "Our blameless review is in beta.\nWe\nbelieve it is PROBABLY fine; an ETA follows.",
    )
    assert [(f.line, f.message.split(":")[0]) for f in found] == [
        (6, '"We believe"'),
        (7, '"ETA"'),
        (7, '"PROBABLY"'),
    ]


def test_a_longer_phrase_is_reported_once(make_site):
    found = wording(make_site, "Nobody is to blame.")
    assert [f.phrase for f in found] == ["to blame"]


def test_the_first_update_is_checked_at_its_own_body_line(make_site):
    files = {
        "incidents/x/01-investigating.md": update(
            "2026-03-02T14:00:00Z",
            "investigating",
            "Service is probably degraded.",
            title="API errors",
            severity="SEV-3",
            components={"api": "partial_outage"},
        )
    }
    root = make_site(files)
    (f,) = check(load_content(Project.at(root), NOW), NOW)
    assert (str(f.path), f.line) == ("incidents/x/01-investigating.md", 9)


def test_maintenance_may_state_when_it_ends(make_site):
    files = {
        "incidents/m/01-scheduled.md": update(
            "2026-03-02T14:00:00Z",
            "scheduled",
            "Sign-in will be back by 07:00; guaranteed.",
            kind="maintenance",
            title="Upgrade",
            components={"login": "under_maintenance"},
            scheduled_for="2026-03-03T06:00:00Z",
            scheduled_until="2026-03-03T07:00:00Z",
        )
    }
    root = make_site(files)
    assert check(load_content(Project.at(root), NOW), NOW) == ()


def test_components_yaml_switches_replaces_extends_and_adds_checks(make_site):
    config = (
        MINIMAL_CONFIG
        + """\
wording:
  blame: false
  speculation: {phrases: [our hunch]}
  fix_time: {add: [any minute now]}
  jargon: {message: say it plainly, phrases: [k8s]}
"""
    )
    body = "Human error, probably. Our hunch: k8s. Back any minute now, we promise."
    found = wording(make_site, body, config)
    assert [(f.rule, f.phrase) for f in found] == [
        ("wording:fix_time", "any minute now"),
        ("wording:fix_time", "we promise"),
        ("wording:jargon", "k8s"),
        ("wording:speculation", "our hunch"),
    ]
    assert '"k8s": say it plainly (wording check jargon)' in next(
        f.message for f in found if f.rule == "wording:jargon"
    )


@pytest.mark.parametrize(
    "section, expected",
    [
        (
            "wording: [blame]\n",
            "components.yaml:12: wording: expected a mapping of check name to false or "
            "{phrases: [...]}, e.g. 'blame: false'",
        ),
        (
            "wording:\n  jargon: true\n",
            "components.yaml:13: wording check 'jargon' is not built in (those are blame, "
            "speculation, fix_time); give it phrases: [...] and a message:",
        ),
        (
            "wording:\n  blame: {phrases: we think}\n",
            "components.yaml:13: 'phrases': expected a list of phrases such as "
            "[we think, probably], got 'we think'",
        ),
        (
            "wording:\n  blame: {phrase: [x]}\n",
            "components.yaml:13: unknown key 'phrase' in wording check 'blame'; known keys: "
            "enabled, message, phrases, add",
        ),
    ],
)
def test_bad_wording_settings_are_one_clear_error_each(make_site, section, expected):
    root = make_site({}, MINIMAL_CONFIG + section)
    with pytest.raises(ContentErrors) as failed:
        load_content(Project.at(root), NOW)
    assert [str(e) for e in failed.value.errors] == [expected]


def test_wording_only_warns_so_check_passes_unless_strict(make_site, capsys):
    root = str(make_site(site_files("We suspect the network.")))
    assert main(["check", "--source", root, "--now", "2026-03-02T18:00:00Z"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        'incidents/x/02-identified.md:5: warning: "We suspect": speculation about the cause: '
        "say what is known, or that the cause is still under investigation (wording check "
        "speculation)",
        "Checks: 0 errors, 1 warning",
    ]
    assert main(["check", "--strict", "--source", root, "--now", "2026-03-02T18:00:00Z"]) == 1


def test_the_sop_drafts_pass_the_default_checks():
    from heliograph.authoring import sop
    from heliograph.checks.wording import phrase_hits
    from heliograph.content.wordingrules import DEFAULT_RULES

    drafts = [*sop.INITIAL_MESSAGE.values(), *sop.STATUS_MESSAGE.values(), sop.NO_CADENCE]
    texts = [
        d.format(components="the Public API", next_update=sop.NEXT_UPDATE.format(due="15:30 UTC"))
        for d in drafts
    ]
    assert [(t, rule.name) for t in texts for rule in DEFAULT_RULES if phrase_hits(rule, t)] == []
