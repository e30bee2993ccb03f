"""Public-wording checks: what they flag and what they leave, on the labeled corpus and in a
site: quoted words, lines, suggestions, titles, postmortems, and `wording:` in components.yaml."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import MINIMAL_CONFIG, update
from wording_corpus import corpus, hits, score

from heliograph.build import Project, load_content
from heliograph.checks.findings import Level
from heliograph.checks.site import check
from heliograph.checks.wordingmatch import find
from heliograph.cli import main
from heliograph.content.errors import ContentErrors
from heliograph.content.wordingrules import DEFAULT_RULES

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
FIRST = update(
    "2026-03-02T14:00:00Z",
    "investigating",
    "We are investigating errors on the Public API.",
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


def wording(make_site, body: str, config: str = MINIMAL_CONFIG, files=None):
    root = make_site(files or site_files(body), config)
    return [
        f for f in check(load_content(Project.at(root), NOW), NOW) if f.rule.startswith("wording:")
    ]


def rules_in(text: str) -> list[str]:
    return [h.rule for h in find(DEFAULT_RULES, text, "Acme")]


# --- the labeled corpus -------------------------------------------------------------------

CORPUS = corpus()
PARTS = {
    "written against": [i for i in CORPUS if not i.held_out],
    "held out": [i for i in CORPUS if i.held_out],
}


def test_the_corpus_has_300_texts_with_clean_and_bad_ones_of_every_check_in_both_parts():
    assert len(CORPUS) >= 300 and all(i.source for i in CORPUS)
    for part in PARTS.values():
        labels = {label for i in part for label in i.labels}
        assert labels == {r.name for r in DEFAULT_RULES}
        assert sum(not i.labels for i in part) > 50
    assert len(PARTS["held out"]) > len(CORPUS) / 5


@pytest.mark.parametrize("part", PARTS)
def test_nine_in_ten_bad_texts_are_flagged_and_at_most_one_in_twenty_clean_ones(part):
    s = score(PARTS[part])
    assert s.recall >= 0.90, f"{s.bad_flagged} of {s.bad} bad texts flagged"
    assert s.false_positive_rate <= 0.05, f"{s.clean_flagged} of {s.clean} clean texts flagged"


def test_every_check_catches_most_of_its_own_texts():
    for label, (n, caught) in score(CORPUS).by_label.items():
        assert caught / n >= 0.85, f"{label}: {caught} of {n}"


def test_a_bad_text_is_flagged_by_the_check_of_its_label():
    for item in CORPUS:
        if item.labels and any(h.rule in item.labels for h in hits(item)):
            continue
        assert not item.labels or {h.rule for h in hits(item)} <= set(item.labels) | {"jargon"}


# --- the hard cases, one by one -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("An engineer accidentally deleted the sessions table.", ["blame"]),
        ("This was human-error.", ["blame"]),
        ("A configuration change deleted the sessions table.", []),
        ("Sign-in fails due to an AWS outage.", ["vendor"]),
        ("AWS reports an outage; our services are not affected.", []),
        ("We are working with our cloud provider to restore service.", []),
        ("This appears to be related to the deploy.", ["speculation"]),
        ("It is likely a DNS issue.", ["speculation"]),
        ("We believe the impact is limited to customers in Europe.", []),
        ("Some customers may possibly see slow pages.", []),
        ("We have identified a likely cause and are applying a fix.", []),
        ("Service will be restored by 15:00 UTC.", ["fix_time"]),
        ("Back to normal in 20 minutes.", ["fix_time"]),
        ("The incident was resolved within 20 minutes.", []),
        ("The API was back online in 15 minutes.", []),
        ("Next update in 30 minutes.", []),
        ("We will post another update by 15:30 UTC.", []),
        ("The workers were OOMKilled.", ["jargon"]),
        ("Only a handful of users were affected.", ["minimising"]),
        ("About 2% of requests failed.", []),
        ("We are still looking into it.", ["content_free"]),
        (
            "We are still looking into it. We will post another update by 15:30 UTC.",
            ["content_free"],
        ),
        ("We are still investigating why some webhooks arrive twice.", []),
    ],
)
def test_hard_cases(text, expected):
    assert rules_in(text) == expected


def test_the_sites_own_name_is_not_a_provider():
    text = "Sign-in fails because of a GitHub outage."
    assert [h.rule for h in find(DEFAULT_RULES, text, "GitHub")] == []
    assert [h.rule for h in find(DEFAULT_RULES, text, "Acme")] == ["vendor"]


def test_code_and_links_are_not_read_as_words():
    assert rules_in("Run `kubectl get pods` as [shown](https://x.example/eta).") == []


# --- findings in a site -------------------------------------------------------------------


def test_each_finding_quotes_the_words_names_the_line_and_suggests_a_rewrite(make_site):
    body = (
        "The database failed over.\n"
        "This was caused by human error during a deploy.\n"
        "\n"
        "We think the cause is a stale cache. It will be fixed by 16:00."
    )
    found = wording(make_site, body)
    assert [(f.rule, f.line, f.phrase) for f in found] == [
        ("wording:blame", 6, "human error"),
        ("wording:fix_time", 8, "a fix time"),  # by file, line, then rule
        ("wording:speculation", 8, "we think"),
    ]
    assert all(f.level is Level.WARNING and f.suggestion for f in found)
    assert str(found[2]) == (
        'incidents/x/02-identified.md:8: warning: "We think the cause": speculation about the '
        "cause: say what is known, or that the cause is still under investigation (wording "
        'check speculation); instead: say "We are still working to identify the cause" until '
        "it is known"
    )
    assert '"It will be fixed by 16:00"' in found[1].message
    assert "We will post another update by 15:30 UTC" in found[1].message


def test_jargon_suggests_the_plain_word(make_site):
    (f,) = wording(make_site, "Sign-in failed because the workers were OOMKilled at 14:10.")
    assert (f.phrase, f.suggestion) == (
        "OOMKilled",
        'say "ran out of memory" instead of "OOMKilled"',
    )


def test_titles_are_checked_at_the_title_line(make_site):
    files = {
        "incidents/x/01-investigating.md": update(
            "2026-03-02T14:00:00Z",
            "investigating",
            "Some requests to the Public API fail.",
            title="API down due to an AWS outage",
            severity="SEV-3",
            components={"api": "partial_outage"},
        )
    }
    (f,) = wording(make_site, "", files=files)
    assert (str(f.path), f.line, f.rule) == ("incidents/x/01-investigating.md", 4, "wording:vendor")


def test_an_update_that_repeats_the_last_one_says_nothing_new(make_site):
    files = {
        **site_files("Some uploads fail; we are moving traffic to another region."),
        "incidents/x/03-identified.md": update(
            "2026-03-02T14:40:00Z",
            "identified",
            "Some uploads fail; we are moving traffic to another region.",
        ),
    }
    (f,) = wording(make_site, "", files=files)
    assert (str(f.path), f.line, f.rule) == (
        "incidents/x/03-identified.md",
        5,
        "wording:content_free",
    )
    assert "the same message as the update before (02-identified.md)" in f.message


def test_postmortems_are_checked_for_blame_only(make_site):
    files = {
        **site_files("A configuration change removed the sessions; we are restoring them."),
        "incidents/x/postmortem.md": "---\nat: 2026-03-02T17:00:00Z\n---\n## Root cause\n\n"
        "An engineer accidentally ran the cleanup job against production.\n"
        "Our Redis replicas then fell behind due to an AWS outage.\n",
    }
    found = wording(make_site, "", files=files)
    assert [(str(f.path), f.line, f.rule) for f in found] == [
        ("incidents/x/postmortem.md", 6, "wording:blame")
    ]


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
  jargon: {phrases: [k8s], suggest: say "our servers"}
  vendor: {add: [Acme Cloud]}
  fix_time: {add: [any minute now]}
  legal: {message: leave liability to legal, phrases: [liable]}
"""
    )
    body = (
        "Human error on k8s, which is not OOM. Back any minute now.\n"
        "This is due to an Acme Cloud outage; we are not liable."
    )
    found = wording(make_site, body, config)
    assert [(f.rule, f.phrase) for f in found] == [
        ("wording:fix_time", "any minute now"),
        ("wording:jargon", "k8s"),
        ("wording:legal", "liable"),
        ("wording:vendor", "Acme Cloud"),
    ]
    jargon = next(f for f in found if f.rule == "wording:jargon")
    assert jargon.message.endswith('(wording check jargon); instead: say "our servers"')
    legal = next(f for f in found if f.rule == "wording:legal")
    assert legal.message == '"liable": leave liability to legal (wording check legal)'


@pytest.mark.parametrize(
    "section, expected",
    [
        (
            "wording: [blame]\n",
            "components.yaml:12: wording: expected a mapping of check name to false or "
            "{phrases: [...]}, e.g. 'blame: false'",
        ),
        (
            "wording:\n  tone: true\n",
            "components.yaml:13: wording check 'tone' is not built in (those are blame, vendor, "
            "speculation, fix_time, jargon, minimising, content_free); give it phrases: [...] "
            "and a message:",
        ),
        (
            "wording:\n  blame: {phrases: we think}\n",
            "components.yaml:13: 'phrases': expected a list of phrases such as "
            "[we think, probably], got 'we think'",
        ),
        (
            "wording:\n  blame: {phrase: [x]}\n",
            "components.yaml:13: unknown key 'phrase' in wording check 'blame'; known keys: "
            "enabled, message, phrases, add, suggest",
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
        'speculation); instead: say "We are still working to identify the cause" until it is '
        "known",
        "Checks: 0 errors, 1 warning",
    ]
    assert main(["check", "--strict", "--source", root, "--now", "2026-03-02T18:00:00Z"]) == 1
