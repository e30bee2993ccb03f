"""Public-wording checks from the incident SOPs: phrases customers should not read in an update.

Wording is judgement, so these findings are warnings, never errors. Each check is a list of
phrases; `components.yaml` may switch a check off, replace or extend its phrases, or add a check:

    wording:
      blame: false                      # off
      speculation: {add: [our hunch]}   # the defaults and more
      fix_time: {phrases: [eta]}        # only these
      jargon: {message: say it plainly, phrases: [k8s, OOM]}
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.checks.findings import Finding, Level
from heliograph.content.model import Incident, WordingRule
from heliograph.content.schema import Field, Invalid, boolean, check_mapping, describe, text
from heliograph.content.yamltext import LineMap

DEFAULT_RULES = (
    WordingRule(
        "blame", "blame language: say what failed and what we are doing, not who is at fault",
        ("human error", "user error", "operator error", "their fault", "at fault", "to blame",
         "blame", "blamed", "fault of", "mistake by", "negligence", "negligent", "careless",
         "incompetent", "caused by our vendor", "caused by our provider",
         "caused by a third party", "caused by the customer", "caused by customers")),
    WordingRule(
        "speculation", "speculation about the cause: say what is known, or that the cause is "
        "still under investigation",
        ("we think", "we believe", "we suspect", "we guess", "we assume", "probably",
         "presumably", "possibly", "perhaps", "maybe", "might be caused", "may be caused",
         "could be caused", "might be due to", "may be due to", "could be due to",
         "likely caused", "likely due to", "seems to be caused", "appears to be caused")),
    WordingRule(
        "fix_time", "promise of a fix time: give the time of the next update instead, unless "
        "the fix time is certain",
        ("will be fixed by", "will be fixed in", "will be fixed within", "will be resolved by",
         "will be resolved in", "will be resolved within", "will be back by", "will be back in",
         "will be back within", "fixed within", "resolved within", "back online in",
         "back online by", "back up in", "guaranteed", "guarantee", "we promise", "eta",
         "estimated time of resolution")),
)
DEFAULT_MESSAGE = "avoid this phrase in public updates"


def phrase_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise Invalid(f"expected a list of phrases such as [we think, probably], got {describe(value)}")


RULE_FIELDS = {
    "enabled": Field(boolean, default=True),
    "message": Field(text),
    "phrases": Field(phrase_list),
    "add": Field(phrase_list, default=()),
}


def parse_wording(data: Any, path: Path, line: int
                  ) -> tuple[tuple[WordingRule, ...], list[ContentError]]:
    """The `wording:` section of components.yaml; absent means the default checks."""
    if data is None:
        return DEFAULT_RULES, []
    if not isinstance(data, LineMap):
        return (), [ContentError(path, line, "wording: expected a mapping of check name to "
                                 "false or {phrases: [...]}, e.g. 'blame: false'")]
    rules = {r.name: r for r in DEFAULT_RULES}
    errors: list[ContentError] = []
    for name, spec in data.items():
        rule, error = _rule(str(name), spec, rules.get(str(name)), path, data.line_of(name))
        errors += error
        if rule is None:
            rules.pop(str(name), None)
        else:
            rules[rule.name] = rule
    return tuple(rules.values()), errors


def _rule(name: str, spec: Any, default: WordingRule | None, path: Path, line: int
          ) -> tuple[WordingRule | None, list[ContentError]]:
    """One configured check; None when it is switched off."""
    if isinstance(spec, bool):
        spec = {"enabled": spec}
    values, errors = check_mapping(spec, RULE_FIELDS, path, line, f"wording check '{name}'")
    if errors or not values["enabled"]:
        return None, errors
    if default is None and values["phrases"] is None and not values["add"]:
        known = ", ".join(r.name for r in DEFAULT_RULES)
        return None, [ContentError(path, line, f"wording check '{name}' is not built in (those "
                                   f"are {known}); give it phrases: [...] and a message:")]
    phrases = values["phrases"] if values["phrases"] is not None else (
        default.phrases if default else ())
    message = values["message"] or (default.message if default else DEFAULT_MESSAGE)
    return WordingRule(name, message, tuple(dict.fromkeys(phrases + values["add"]))), []


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


def phrase_hits(rule: WordingRule, body: str, lowered: str | None = None
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
        written = " ".join(body[start:m.end()].split())
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
                found.append(Finding(
                    Level.WARNING, f"wording:{rule.name}", incident.slug, update.file, line,
                    f'"{written}": {rule.message} (wording check {rule.name})', phrase=phrase))
    return found

