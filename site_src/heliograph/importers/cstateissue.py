"""One cState issue as an incident (or upcoming maintenance), every guess it needs noted.

cState's front matter: `title`, `date` (when the issue was found), `resolved`, `resolvedWhen`
(when downtime stopped), `severity` (`down`, `disrupted`, `notice`), `affected` (system names),
`informational` (a notice that changes no status), `pin`, `section`. Times usually carry no
zone; cState reads them as UTC, and so does this, unless config.yml sets `timeZone`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.frontmatter import slugify
from heliograph.content.schema import Invalid, describe
from heliograph.content.sourcefile import read_text, split_front_matter
from heliograph.content.timefmt import zone
from heliograph.content.yamltext import LineMap
from heliograph.importers.cstate import Systems
from heliograph.importers.cstatebody import split
from heliograph.importers.cstatetimeline import incident, maintenance
from heliograph.importers.draft import IncidentDraft, Note, Options

KNOWN_KEYS = {
    "title",
    "date",
    "resolved",
    "resolvedWhen",
    "severity",
    "affected",
    "informational",
    "pin",
    "section",
    "draft",
    "lastmod",
    "description",
    "tags",
    "aliases",
    "weight",
    "slug",
}
TIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


def moment(value: Any, site_zone: str) -> tuple[datetime, bool]:
    """A cState time, and whether it carried its own zone; one without is in the site's zone."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value, True
        return value.replace(tzinfo=zone(site_zone)), False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone(site_zone)), False
    match = TIME.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if not match:
        raise Invalid(f"expected a time like 2024-05-14 10:00:00, got {describe(value)}")
    y, mo, d, h, mi, s, frac, offset = match.groups()
    text = f"{y}-{int(mo):02d}-{int(d):02d}T{int(h or 0):02d}:{mi or '00'}:{int(s or 0):02d}"
    text += frac or ""
    if offset:
        text += "+00:00" if offset.upper() == "Z" else offset
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"not a real time: {describe(value)}") from None
    return moment(parsed, site_zone) if parsed.tzinfo is None else (parsed, True)


@dataclass
class Issue:
    """One file being read: where it is, what it noted, what was wrong."""

    shown: str
    zone: str
    meta: LineMap
    notes: list[Note]
    errors: list[ContentError]
    lines: list[str]
    zoneless: int = 0

    def item_line(self, key: str, item: str) -> int:
        """The line of `- item` in the list under `key` (YAML keeps no lines for list items)."""
        start = self.meta.line_of(key)
        pattern = re.compile(r"\s*-\s*[\"']?" + re.escape(item))
        found = (n for n in range(start, len(self.lines)) if pattern.match(self.lines[n]))
        return next(found, start - 1) + 1

    def note(self, line: int, message: str) -> None:
        self.notes.append(Note(self.shown, line, message))

    def error(self, key: str, message: str, line: int | None = None) -> None:
        self.errors.append(
            ContentError(Path(self.shown), line or self.meta.line_of(key), f"'{key}': {message}")
        )

    def time(self, value: Any, key: str, line: int | None = None) -> datetime | None:
        try:
            t, zoned = moment(value, self.zone)
        except Invalid as exc:
            self.error(key, str(exc), line)
            return None
        self.zoneless += not zoned
        return t

    def flag(self, key: str) -> bool:
        value = self.meta.get(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        self.error(key, f"expected true or false, got {describe(value)}")
        return False


@dataclass(frozen=True)
class Front:
    """An issue's front matter, read: what the updates are made from."""

    title: str
    found: datetime  # `date`: when the issue was found
    ended: datetime | None  # `resolvedWhen`
    resolved: bool
    informational: bool
    severity: str | None
    affected: list[str]  # our component ids


def read_issue(
    file: Path,
    shown: str,
    name: str,
    site_zone: str,
    systems: Systems,
    options: Options,
    config: str,
) -> tuple[IncidentDraft | None, list[Note], list[ContentError]]:
    """The issue `name` in `file` (shown to people as `shown`), with its notes, or its errors."""
    text, errors = read_text(file, Path(shown))
    doc, more = split_front_matter(text, Path(shown)) if text is not None else (None, [])
    if doc is None or text is None:
        return None, [], errors + more
    issue = Issue(shown, site_zone, doc.meta, [], [], text.splitlines())
    if doc.meta.get("draft") is True:
        issue.note(doc.meta.line_of("draft"), "a draft (Hugo does not publish it); left out")
        return None, issue.notes, []
    front = _front(issue, systems, options)
    parts, dropped = split(doc.body, _first_body_line(issue.lines, doc.body_line))
    for line, code in dropped:
        issue.note(line, f"Hugo shortcode {code[:40]!r} left out (only a Hugo site renders it)")
    if issue.errors or front is None:
        return None, issue.notes, issue.errors
    # Upstream's own words (and the choices that shape the draft), not the draft: an issue
    # dated ahead is announced at `now`, which a rerun must not take for a change.
    said = repr((site_zone, options.severities, dict(options.renames))).encode()
    draft = IncidentDraft(
        key=f"cstate:{name}",
        slug=slugify(name, 90, "issue"),
        kind="incident",
        title=front.title,
        updates=(),
        source=hashlib.sha256(text.encode() + config.encode() + said).hexdigest(),
    )
    if front.found > options.now:
        draft = maintenance(issue, draft, parts, front, options.now)
    else:
        draft = incident(issue, draft, parts, front, options)
    if issue.zoneless:
        issue.note(
            doc.meta.line_of("date"),
            f"{issue.zoneless} time{'s' if issue.zoneless > 1 else ''} "
            f"here without a zone, read as {site_zone} (cState's times are UTC unless "
            "config.yml sets timeZone; --timezone changes it)",
        )
    return (draft if not issue.errors else None), issue.notes, issue.errors


def _front(issue: Issue, systems: Systems, options: Options) -> Front | None:
    """The front matter's fields, each checked; None if a required one is missing or bad."""
    meta = issue.meta
    for key in meta:
        if key not in KNOWN_KEYS:
            issue.note(meta.line_of(key), f"key {key!r} has no equivalent here; left out")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        where = meta.line_of("title") if "title" in meta else 1
        issue.error("title", f"expected the issue's title, got {describe(title)}", where)
    found = issue.time(meta["date"], "date") if meta.get("date") is not None else None
    if meta.get("date") is None:
        issue.error("date", "missing: when the issue was found", 1)
    end = meta.get("resolvedWhen")
    ended = issue.time(end, "resolvedWhen") if end not in (None, "") else None
    severity = meta.get("severity")
    if severity is not None and severity not in options.severities:
        known = ", ".join(options.severities)
        issue.error("severity", f"expected one of {known}, got {describe(severity)}")
    if meta.get("pin") is True:
        issue.note(
            meta.line_of("pin"),
            "'pin: true' has no equivalent (open incidents are shown first anyway); left out",
        )
    resolved, informational = issue.flag("resolved"), issue.flag("informational")
    affected = _affected(issue, systems)
    if found is None or not isinstance(title, str) or issue.errors:
        return None
    return Front(
        " ".join(title.split()),
        found,
        ended,
        resolved,
        informational,
        None if severity is None else str(severity),
        affected,
    )


def _first_body_line(lines: list[str], body_line: int) -> int:
    """The line where the (stripped) body's text starts: blank lines after the front matter
    are not part of it."""
    n = body_line - 1
    while n < len(lines) and not lines[n].strip():
        n += 1
    return n + 1


def _affected(issue: Issue, systems: Systems) -> list[str]:
    meta = issue.meta
    value = meta.get("affected")
    line = meta.line_of("affected")
    if isinstance(value, str):
        issue.note(line, "'affected' is one name, not a list; read as a list of one")
        value = [value]
    if value is None or value == []:
        if not meta.get("informational"):
            issue.note(
                line if "affected" in meta else 1,
                "no affected systems: the incident changes no component's status",
            )
        return []
    if not isinstance(value, list):
        issue.error("affected", f"expected a list of system names, got {describe(value)}")
        return []
    ids = []
    for n, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            issue.error("affected", f"entry {n + 1}: expected a system name, got {describe(name)}")
            continue
        ids.append(
            systems.lookup(" ".join(name.split()), issue.shown, issue.item_line("affected", name))
        )
    return list(dict.fromkeys(ids))
