"""The public-wording rules of the incident SOPs, and the `wording:` section that changes them.

Each check is a list of phrases customers should not read in an update (`checks.wording` finds
them); `components.yaml` may switch a check off, replace or extend its phrases, or add a check:

    wording:
      blame: false                      # off
      speculation: {add: [our hunch]}   # the defaults and more
      fix_time: {phrases: [eta]}        # only these
      jargon: {message: say it plainly, phrases: [k8s, OOM]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.model import WordingRule
from heliograph.content.schema import Field, Invalid, boolean, check_mapping, describe, text
from heliograph.content.yamltext import LineMap

DEFAULT_RULES = (
    WordingRule(
        "blame",
        "blame language: say what failed and what we are doing, not who is at fault",
        (
            "human error",
            "user error",
            "operator error",
            "their fault",
            "at fault",
            "to blame",
            "blame",
            "blamed",
            "fault of",
            "mistake by",
            "negligence",
            "negligent",
            "careless",
            "incompetent",
            "caused by our vendor",
            "caused by our provider",
            "caused by a third party",
            "caused by the customer",
            "caused by customers",
        ),
    ),
    WordingRule(
        "speculation",
        "speculation about the cause: say what is known, or that the cause is "
        "still under investigation",
        (
            "we think",
            "we believe",
            "we suspect",
            "we guess",
            "we assume",
            "probably",
            "presumably",
            "possibly",
            "perhaps",
            "maybe",
            "might be caused",
            "may be caused",
            "could be caused",
            "might be due to",
            "may be due to",
            "could be due to",
            "likely caused",
            "likely due to",
            "seems to be caused",
            "appears to be caused",
        ),
    ),
    WordingRule(
        "fix_time",
        "promise of a fix time: give the time of the next update instead, unless "
        "the fix time is certain",
        (
            "will be fixed by",
            "will be fixed in",
            "will be fixed within",
            "will be resolved by",
            "will be resolved in",
            "will be resolved within",
            "will be back by",
            "will be back in",
            "will be back within",
            "fixed within",
            "resolved within",
            "back online in",
            "back online by",
            "back up in",
            "guaranteed",
            "guarantee",
            "we promise",
            "eta",
            "estimated time of resolution",
        ),
    ),
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


def parse_wording(
    data: Any, path: Path, line: int
) -> tuple[tuple[WordingRule, ...], list[ContentError]]:
    """The `wording:` section of components.yaml; absent means the default checks."""
    if data is None:
        return DEFAULT_RULES, []
    if not isinstance(data, LineMap):
        return (), [
            ContentError(
                path,
                line,
                "wording: expected a mapping of check name to "
                "false or {phrases: [...]}, e.g. 'blame: false'",
            )
        ]
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


def _rule(
    name: str, spec: Any, default: WordingRule | None, path: Path, line: int
) -> tuple[WordingRule | None, list[ContentError]]:
    """One configured check; None when it is switched off."""
    if isinstance(spec, bool):
        spec = {"enabled": spec}
    values, errors = check_mapping(spec, RULE_FIELDS, path, line, f"wording check '{name}'")
    if errors or not values["enabled"]:
        return None, errors
    if default is None and values["phrases"] is None and not values["add"]:
        known = ", ".join(r.name for r in DEFAULT_RULES)
        return None, [
            ContentError(
                path,
                line,
                f"wording check '{name}' is not built in (those "
                f"are {known}); give it phrases: [...] and a message:",
            )
        ]
    phrases = (
        values["phrases"] if values["phrases"] is not None else (default.phrases if default else ())
    )
    message = values["message"] or (default.message if default else DEFAULT_MESSAGE)
    return WordingRule(name, message, tuple(dict.fromkeys(phrases + values["add"]))), []
