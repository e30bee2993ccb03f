"""Public-wording checks from the incident SOPs, as findings on the files that hold the words.

Wording is judgement, so these findings are warnings, never errors. The rules themselves, and
how `components.yaml` may change them, are part of the site settings (`content.wordingrules`);
`checks.wordingmatch` finds where a text breaks them. Every update's message and title is
checked, and the postmortem for blame (the SOPs call it blameless); an update that repeats the
one before it word for word says nothing new.
"""

from __future__ import annotations

from itertools import pairwise

from heliograph.checks.findings import Finding, Level
from heliograph.checks.wordingmatch import Hit, Text, find
from heliograph.content.model import Incident, Site, WordingRule

POSTMORTEM_RULES = frozenset({"blame"})


def _finding(
    rule: WordingRule, hit: Hit, text: Text, incident: Incident, file: str, line: int
) -> Finding:
    written = text.quote(hit.start, hit.end)
    message = f'"{written}": {rule.message} (wording check {rule.name})'
    if hit.suggestion:
        message += f"; instead: {hit.suggestion}"
    return Finding(
        Level.WARNING,
        f"wording:{rule.name}",
        incident.slug,
        file,
        line + text.raw.count("\n", 0, hit.start),
        message,
        phrase=hit.phrase,
        suggestion=hit.suggestion or None,
    )


def _text_findings(
    rules: tuple[WordingRule, ...],
    raw: str,
    incident: Incident,
    file: str,
    line: int,
    own: str,
    title: bool = False,
) -> list[Finding]:
    by_name = {r.name: r for r in rules}
    text = Text(raw)
    return [
        _finding(by_name[h.rule], h, text, incident, file, line)
        for h in find(rules, raw, own, title)
    ]


def name_as_read(site: Site) -> tuple[str, ...]:
    """All that the wording checks read of the site's name: which of the `vendor` rule's
    providers it is (GitHub's own page may say "GitHub" freely; see wordingmatch.find). A new
    name that is no provider changes no finding."""
    own = site.name.lower()
    vendors = [rule for rule in site.wording if rule.name == "vendor"]
    return tuple(p for rule in vendors for p in rule.phrases if p.lower() == own)


def incident_wording(site: Site, incident: Incident) -> list[Finding]:
    """A warning for each stretch of an update's message or title that breaks a rule."""
    rules, own = site.wording, site.name
    found: list[Finding] = []
    for update in incident.updates:
        found += _text_findings(rules, update.body, incident, update.file, update.body_line, own)
        if update.title:
            found += _text_findings(
                rules, update.title, incident, update.file, update.title_line, own, title=True
            )
    found += _repeats(rules, incident)
    pm = incident.postmortem
    if pm is not None:
        blame = tuple(r for r in rules if r.name in POSTMORTEM_RULES)
        found += _text_findings(blame, pm.body, incident, pm.file, pm.body_line, own)
    return found


def _repeats(rules: tuple[WordingRule, ...], incident: Incident) -> list[Finding]:
    """An update whose message is the one before it again, word for word."""
    rule = next((r for r in rules if r.name == "content_free"), None)
    if rule is None:
        return []
    found = []
    for before, after in pairwise(incident.updates):
        if " ".join(after.body.split()) == " ".join(before.body.split()):
            text = Text(after.body)
            hit = Hit(rule.name, 0, len(after.body), "a repeated update", rule.suggest)
            f = _finding(rule, hit, text, incident, after.file, after.body_line)
            found.append(
                Finding(
                    f.level,
                    f.rule,
                    f.incident,
                    f.file,
                    after.body_line,
                    f'"{text.quote(0, len(after.body))}": the same message as the update before '
                    f"({before.path.name}); {rule.message} (wording check {rule.name})",
                    phrase=hit.phrase,
                    suggestion=f.suggestion,
                )
            )
    return found
