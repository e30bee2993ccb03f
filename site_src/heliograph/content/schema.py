"""A small typed schema for YAML mappings: every check says what it expected and what it got."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from heliograph.content.errors import ContentError
from heliograph.content.sourcefile import CONTROL
from heliograph.content.timefmt import in_range
from heliograph.content.yamltext import LineMap


class Invalid(ValueError):
    """A value failed its check; the message says what was expected."""


Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    convert: Convert
    required: bool = False
    default: Any = None


def describe(value: Any) -> str:
    """How a received value is named in an error message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime | date):
        return f"'{value.isoformat()}'"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def text(value: Any) -> str:
    if isinstance(value, str) and CONTROL.search(value):
        raise Invalid(f"expected text without control characters, got {describe(value)}")
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"expected text, got {describe(value)}")


def optional_text(value: Any) -> str | None:
    return None if value is None else text(value)


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"expected true or false, got {describe(value)}")


def integer(low: int, high: int) -> Convert:
    def convert(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        raise Invalid(f"expected a whole number from {low} to {high}, got {describe(value)}")

    return convert


def matching(pattern: str, expected: str) -> Convert:
    """Text that matches `pattern` in full; `expected` says what that is, for the message."""
    compiled = re.compile(pattern)

    def convert(value: Any) -> str:
        if isinstance(value, str) and compiled.fullmatch(value):
            return value
        raise Invalid(f"expected {expected}, got {describe(value)}")

    return convert


# Ids become URLs and file names, so only a safe alphabet is allowed.
identifier = matching(
    r"[a-z0-9][a-z0-9_-]{0,63}",
    "an id of lowercase letters, digits, '-' and '_' (starting with a letter or digit)",
)
# An id another page published (Statuspage's are 12 letters and digits), kept as it was.
published_id = matching(
    r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}",
    "an id of letters, digits, '-' and '_' such as 'kctbh9vrtdwd'",
)


# An absolute http(s) URL whose every character may stand unescaped in HTML, XML and JSON: a
# host name or address, an optional port and a path, no query, fragment, quotes or brackets.
_URL = re.compile(
    r"https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9]"
    r"(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
    r"(?:/[A-Za-z0-9._~!$()*+,;=:@%/-]*)?"
)


def url(value: Any) -> str:
    if isinstance(value, str) and _URL.fullmatch(value):
        return value.rstrip("/")
    if isinstance(value, str) and re.match(r"https?://", value):
        raise Invalid(
            "expected an absolute http(s) URL with no quotes, brackets, spaces, query or "
            f"fragment, got {describe(value)}"
        )
    raise Invalid(f"expected an absolute http(s) URL, got {describe(value)}")


def time(value: Any, site_zone: str | None = None) -> datetime:
    """A moment with an explicit offset; a bare local time is ambiguous, so it is refused,
    with that very time in `site_zone` (the site's) as the suggested fix."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(
                f"expected a time like 2026-02-10T14:32:00Z, got {describe(value)}"
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise Invalid(f"time {describe(value)} has no offset; {_with_offset(value, site_zone)}")
        return within_range(value)
    if isinstance(value, date):
        raise Invalid(f"expected a time with an offset, got only a date {describe(value)}")
    raise Invalid(f"expected a time like 2026-02-10T14:32:00Z, got {describe(value)}")


def within_range(t: datetime) -> datetime:
    """`t`, if it lies from 1900 to 2999; any other year is a typo."""
    if not in_range(t):
        raise Invalid(f"time {t.isoformat()} is not between 1900 and 2999; check the year")
    return t


def time_in(site_zone: str | None) -> Convert:
    """`time` for content of a site in `site_zone`."""
    return lambda value: time(value, site_zone)


def _with_offset(naive: datetime, site_zone: str | None) -> str:
    """How to write `naive` with an offset: in UTC, or as a time of the site's zone."""
    utc = naive.isoformat() + "Z"
    if site_zone is None:
        return f"add Z for UTC ({utc}) or an offset such as +01:00"
    if site_zone in ("UTC", "Etc/UTC"):
        return f"add Z for UTC: {utc}"
    there = naive.replace(tzinfo=ZoneInfo(site_zone)).isoformat()
    return f"add Z for UTC or an offset: {there} for {site_zone}"


_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?")


def duration(value: Any) -> timedelta:
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match and any(match.groups()):
            d, h, m, s = (int(g or 0) for g in match.groups())
            result = timedelta(days=d, hours=h, minutes=m, seconds=s)
            if result > timedelta(0):
                return result
    raise Invalid(f"expected a duration such as 30m, 1h or 1h30m, got {describe(value)}")


def duration_or_off(value: Any) -> timedelta | bool:
    """A duration, or `false` to switch off a rule that the impact would otherwise bring."""
    if value is False:
        return False
    try:
        return duration(value)
    except Invalid:
        raise Invalid(
            f"expected a duration such as 30m, 1h or 48h, or false for none, got {describe(value)}"
        ) from None


def choice(enum: type[Enum], hint: str = "") -> Convert:
    names = [e.value for e in enum]

    def convert(value: Any) -> Enum:
        for member in enum:
            if member.value == value:
                return member
        raise Invalid(f"expected one of {', '.join(names)}, got {describe(value)}{hint}")

    return convert


def check_mapping(
    data: Any, fields: Mapping[str, Field], path: Path, line: int, what: str
) -> tuple[dict[str, Any], list[ContentError]]:
    """Check `data` against `fields`; return converted values and every error found."""
    if not isinstance(data, Mapping):  # every field keeps its default, so callers can read them
        return (
            {key: spec.default for key, spec in fields.items()},
            [ContentError(path, line, f"{what}: expected a mapping, got {describe(data)}")],
        )
    line_of = data.line_of if isinstance(data, LineMap) else (lambda _key: line)
    values: dict[str, Any] = {}
    errors: list[ContentError] = []
    for key in data:
        if key not in fields:
            errors.append(
                ContentError(
                    path,
                    line_of(key),
                    f"unknown key {describe(key)} in {what}; known keys: {', '.join(fields)}",
                )
            )
    for key, spec in fields.items():
        if key not in data or data[key] is None:
            if spec.required:
                errors.append(ContentError(path, line, f"{what}: '{key}' is required"))
            values[key] = spec.default
            continue
        try:
            values[key] = spec.convert(data[key])
        except Invalid as exc:
            errors.append(ContentError(path, line_of(key), f"'{key}': {exc}"))
            values[key] = spec.default
    return values, errors
