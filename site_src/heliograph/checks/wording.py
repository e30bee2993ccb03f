"""Public-wording checks from the incident SOPs: phrases customers should not read in an update.

Wording is judgement, so these findings are warnings, never errors. The rules themselves, and
how `components.yaml` may change them, are part of the site settings (see
`content.wordingrules`); this module finds their phrases in the messages.
"""

from __future__ import annotations

import re
from functools import lru_cache

from heliograph.checks.findings import Finding, Level
from heliograph.content.model import Incident, WordingRule


def _words(phrase: str) -> str:
    """Whole words, any run of spaces or line breaks between words."""
    return r"\s+".join(re.escape(w) for w in phrase.split())


@lru_cache(maxsize=64)
def _rule_pattern(phrases: tuple[str, ...], flags: int = 0) -> re.Pattern[str]:
    """One pass finds every phrase of a rule, longer phrases tried first ("to blame" before
    "blame"). Without flags it matches lowercased text, several times faster than a
    case-blind scan; the start of a word is checked by the caller, since a lookbehind here
    would turn off the regex engine's fast search for the phrases' first letters."""
    alternatives = sorted({_words(p.lower()) for p in phrases}, key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(alternatives)})(?!\w)", flags)


@lru_cache(maxsize=64)
def _phrase_of(phrases: tuple[str, ...]) -> dict[str, str]:
    """The configured phrase for a match, by its lowercased words."""
    return {" ".join(p.lower().split()): p for p in reversed(phrases)}


def phrase_hits(
    rule: WordingRule, body: str, lowered: str | None = None
) -> list[tuple[int, str, str]]:
    """(offset, phrase, the text as written) for each phrase of `rule` found in `body`."""
    if not rule.phrases:
        return []
    lowered = body.lower() if lowered is None else lowered
    if len(lowered) == len(body):
        found = _rule_pattern(rule.phrases).finditer(lowered)
    else:  # a few characters lowercase to two; then offsets need the case-blind scan
        found = _rule_pattern(rule.phrases, re.IGNORECASE).finditer(body)
    names = _phrase_of(rule.phrases)
    hits = []
    for m in found:
        start = m.start()
        if start and (body[start - 1].isalnum() or body[start - 1] == "_"):
            continue  # inside a longer word
        written = " ".join(body[start : m.end()].split())
        hits.append((start, names.get(written.lower(), written), written))
    return hits


def incident_wording(rules: tuple[WordingRule, ...], incident: Incident) -> list[Finding]:
    """A warning for each listed phrase in the message of one incident's updates."""
    found = []
    for update in incident.updates:
        lowered = update.body.lower()
        for rule in rules:
            for offset, phrase, written in phrase_hits(rule, update.body, lowered):
                line = update.body_line + update.body.count("\n", 0, offset)
                found.append(
                    Finding(
                        Level.WARNING,
                        f"wording:{rule.name}",
                        incident.slug,
                        update.file,
                        line,
                        f'"{written}": {rule.message} (wording check {rule.name})',
                        phrase=phrase,
                    )
                )
    return found
