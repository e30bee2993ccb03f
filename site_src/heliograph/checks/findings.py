"""Findings of the checks (cadence, wording) and their forms: text, JSON, GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, overload

from heliograph.content.timefmt import iso_utc

JSON_VERSION = 1  # bump when a key of the JSON document changes meaning


class Level(Enum):
    """An error fails `check`; a warning fails it only with `--strict`."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One broken communication rule, located at the update that shows it."""

    level: Level
    rule: str  # update_every | first_update | overdue | monitor_for | window | wording:<name>
    incident: str  # the slug
    file: str  # the update file as shown to people, `incidents/<slug>/<name>` (see `path`)
    line: int
    message: str
    start: datetime | None = None  # the two times the rule measures between
    end: datetime | None = None
    gap: timedelta | None = None
    limit: timedelta | None = None
    severity: str | None = None
    phrase: str | None = None  # the quoted phrase, for wording findings
    historic: bool = False  # about an incident closed at `now`: history, which cannot be fixed
    suggestion: str | None = None  # a plainer way to say it, for wording findings

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level.value}: {self.message}"

    @classmethod
    def of_fields(cls, values: tuple[Any, ...]) -> Finding:
        """The finding with these values of every field, in their order, made without
        `__init__`: a frozen dataclass's sets each field through object.__setattr__ (3.7 µs
        a finding), and a warm build at 10,000 incidents makes 17,800 from the cache."""
        made = object.__new__(cls)
        made.__dict__.update(zip(_FIELDS, values, strict=True))
        return made

    # A string in the finding, a Path on demand, as in the model's updates: a Path costs more
    # to make than the rest of a finding, and a large site has thousands of findings.
    @property
    def path(self) -> Path:
        return Path(self.file)

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.rule, self.message)


_FIELDS = tuple(f.name for f in fields(Finding))


class CheckFailed(Exception):
    """A `--strict` build stopped before writing because the checks found something."""

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        super().__init__(f"{len(findings)} finding(s)")
        self.findings = findings


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings in a stable order: by file, line, then rule."""
    return tuple(sorted(findings, key=lambda f: f.sort_key))


def count(findings: Iterable[Finding], level: Level) -> int:
    """How many findings have `level`."""
    if isinstance(findings, KeptFindings):
        return findings.counts[level]
    return sum(f.level is level for f in findings)


def fails(findings: Iterable[Finding], strict: bool) -> bool:
    """Errors always fail; warnings fail under `--strict`."""
    return any(f.level is Level.ERROR or strict for f in findings)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


GROUP_AT = 10  # more historic findings of one rule than this are shown as one line

Group = tuple[str, str]  # a rule and a level's value: historic findings summed up together


def group_of(f: Finding) -> Group:
    """The group `condensed` sums `f` up in, if historic. The level by its value, which is
    hashed in C, where the Enum's own hash is a Python call."""
    return f.rule, f.level._value_


def condensed(findings: Sequence[Finding], at_least: int = GROUP_AT) -> list[Finding]:
    """The findings to show one by one: those of open incidents all, and the historic ones of
    a rule that has more than `at_least` of them as one summary each, where the first is.

    An imported history breaks the cadence rule thousands of times; one line per rule says so
    and leaves the findings about what can still be fixed readable.
    """
    if isinstance(findings, KeptFindings) and at_least == GROUP_AT:
        return list(findings.shown)
    # Each finding's group is noted as it is met, so that the second pass hashes nothing (a
    # build at 10,000 incidents condenses 17,800 findings: 27 ms, now 20 ms).
    by_rule: dict[Group, list[Finding]] = {}
    groups: list[list[Finding] | None] = []
    for f in findings:
        if f.historic:
            key = group_of(f)
            if (group := by_rule.get(key)) is None:
                group = by_rule[key] = []
            group.append(f)
            groups.append(group)
        else:
            groups.append(None)
    shown: list[Finding] = []
    for f, found in zip(findings, groups, strict=True):
        if found is None or len(found) <= at_least:
            shown.append(f)
        elif f is found[0]:
            shown.append(_summed_up(found))
    return shown


def _summed_up(found: list[Finding]) -> Finding:
    return summed_up(found[0], len(found), len({f.incident for f in found}))


def summed_up(first: Finding, count: int, incidents: int) -> Finding:
    """The line that stands for `count` historic findings of `first`'s rule, in `incidents`
    incidents, where the first of them is."""
    message = (
        f"{count:,} {first.rule} findings in {incidents:,} closed "
        f"incident{'s' if incidents != 1 else ''}, the first here (history, summed up in one "
        "line; --all-findings lists each)"
    )
    return replace(first, message=message)


class KeptFindings(Sequence[Finding]):
    """A build's findings with the lines `condensed` shows and the counts by level at hand;
    as a later build with nothing to do hands them back, the findings themselves are made
    (`every`) only when something asks for one.

    A large history has thousands of findings (17,000 at 10,000 incidents, 6 MB), and reading
    them all back to show five summed-up lines was a fifth of such a build: such a build keeps
    what was shown, and works the findings out again if asked (see build._cached).
    """

    def __init__(
        self,
        shown: Sequence[Finding],
        counts: dict[Level, int],
        every: Callable[[], Sequence[Finding]],
    ) -> None:
        self.shown = tuple(shown)
        self.counts = counts
        self._every = every
        self._all: tuple[Finding, ...] | None = None

    @classmethod
    def of(cls, findings: Sequence[Finding]) -> KeptFindings:
        """`findings`, with what is shown of them worked out once (for the build, the cache
        and the command line)."""
        if isinstance(findings, KeptFindings):
            return findings
        found = tuple(findings)
        return cls(condensed(found), {level: count(found, level) for level in Level}, lambda: found)

    def _findings(self) -> tuple[Finding, ...]:
        if self._all is None:
            self._all = tuple(self._every())
        return self._all

    def __len__(self) -> int:
        return sum(self.counts.values())

    @overload
    def __getitem__(self, i: int) -> Finding: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Finding, ...]: ...

    def __getitem__(self, i: int | slice) -> Finding | tuple[Finding, ...]:
        return self._findings()[i]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._findings())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return self._findings() == tuple(other)

    def __hash__(self) -> int:
        return hash(self._findings())

    def __repr__(self) -> str:
        return repr(self._findings())

    def __reduce__(self) -> tuple[type, tuple[tuple[Finding, ...]]]:
        return tuple, (self._findings(),)  # pickled, it is the findings it stands for


def summary(findings: Sequence[Finding]) -> str:
    """`1 error, 2 warnings` or `no findings`."""
    if not findings:
        return "no findings"
    return (
        f"{_plural(count(findings, Level.ERROR), 'error')}, "
        f"{_plural(count(findings, Level.WARNING), 'warning')}"
    )


def clock_utc(t: datetime, other: datetime | None = None) -> str:
    """`14:31` (seconds only when not zero); the date too when `other` falls on another day."""
    u = t.astimezone(UTC)
    shown = f"{u:%H:%M:%S}" if u.second else f"{u:%H:%M}"
    if other is not None and other.astimezone(UTC).date() != u.date():
        shown = f"{u:%Y-%m-%d} {shown}"
    return shown


def span(d: timedelta) -> str:
    """`31 min`, `1 h 5 min`, `30 min 30 s`: to the second, so a gap never reads as its limit."""
    seconds = int(d.total_seconds())
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    parts = [
        f"{hours} h" if hours else "",
        f"{mins} min" if mins else "",
        f"{secs} s" if secs else "",
    ]
    return " ".join(p for p in parts if p) or "0 min"


def _iso(t: datetime | None) -> str | None:
    return iso_utc(t) if t else None


def _seconds(d: timedelta | None) -> int | None:
    return int(d.total_seconds()) if d is not None else None


def as_record(f: Finding) -> dict[str, Any]:
    """One finding as plain JSON data; times in UTC, durations in seconds."""
    return {
        "level": f.level.value,
        "rule": f.rule,
        "incident": f.incident,
        "path": f.file,
        "line": f.line,
        "message": f.message,
        "severity": f.severity,
        "start": _iso(f.start),
        "end": _iso(f.end),
        "gap_seconds": _seconds(f.gap),
        "limit_seconds": _seconds(f.limit),
        "phrase": f.phrase,
        "suggestion": f.suggestion,
    }


def as_json(findings: tuple[Finding, ...], now: datetime) -> str:
    """The stable document `check --format json` prints."""
    doc = {
        "version": JSON_VERSION,
        "now": iso_utc(now),
        "errors": count(findings, Level.ERROR),
        "warnings": count(findings, Level.WARNING),
        "findings": [as_record(f) for f in findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, file: str) -> str:
    """A GitHub Actions workflow command: `::error file=...,line=...,title=...::message`."""
    props = f"file={_escape_property(file)},line={f.line},title={_escape_property(f.rule)}"
    return f"::{f.level.value} {props}::{_escape_data(f.message)}"
