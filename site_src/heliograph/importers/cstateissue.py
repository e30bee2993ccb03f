"""One cState issue as an incident (or upcoming maintenance), every guess it needs noted.

cState's front matter: `title`, `date` (when the issue was found), `resolved`, `resolvedWhen`
(when downtime stopped), `severity` (`down`, `disrupted`, `notice`), `affected` (system names),
`informational` (a notice that changes no status), `pin`, `section`. Times usually carry no
zone; cState reads them as UTC, and so does this, unless config.yml sets `timeZone`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.frontmatter import slugify
from heliograph.content.schema import Invalid, describe
from heliograph.content.sourcefile import read_text, split_front_matter
from heliograph.content.timefmt import zone
from heliograph.content.yamltext import LineMap
from heliograph.importers.cstate import Systems
from heliograph.importers.cstatebody import Part, split
from heliograph.importers.draft import IncidentDraft, Note, Options, UpdateDraft

STATUS_OF = {
    "down": "major_outage",
    "disrupted": "partial_outage",
    "notice": "degraded_performance",
}
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
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
MAINTENANCE_HOURS = 1  # the window of upcoming maintenance that gives no end
RESOLVED_TEXT = "This issue has been resolved."
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
class _Issue:
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
    if doc is None:
        return None, [], errors + more
    issue = _Issue(shown, site_zone, doc.meta, [], [], (text or "").splitlines())
    meta = doc.meta
    for key in meta:
        if key not in KNOWN_KEYS:
            issue.note(meta.line_of(key), f"key {key!r} has no equivalent here; left out")
    if meta.get("draft") is True:
        issue.note(meta.line_of("draft"), "a draft (Hugo does not publish it); left out")
        return None, issue.notes, []
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        issue.error(
            "title",
            f"expected the issue's title, got {describe(title)}",
            meta.line_of("title") if "title" in meta else 1,
        )
    found = issue.time(meta["date"], "date") if meta.get("date") is not None else None
    if "date" not in meta or meta.get("date") is None:
        issue.error("date", "missing: when the issue was found", 1)
    resolved = issue.flag("resolved")
    informational = issue.flag("informational")
    end = meta.get("resolvedWhen")
    ended = issue.time(end, "resolvedWhen") if end not in (None, "") else None
    severity = meta.get("severity")
    if severity is not None and severity not in options.severities:
        issue.error(
            "severity", f"expected one of {', '.join(options.severities)}, got {describe(severity)}"
        )
    if meta.get("pin") is True:
        issue.note(
            meta.line_of("pin"),
            "'pin: true' has no equivalent (open incidents are shown first anyway); left out",
        )
    affected = _affected(issue, systems)
    parts, dropped = split(doc.body, _first_body_line(issue.lines, doc.body_line))
    for line, code in dropped:
        issue.note(line, f"Hugo shortcode {code[:40]!r} left out (only a Hugo site renders it)")
    if issue.errors or found is None or not isinstance(title, str):
        return None, issue.notes, issue.errors
    title = " ".join(title.split())
    draft = IncidentDraft(
        key=f"cstate:{name}",
        slug=slugify(name, 90, "issue"),
        kind="incident",
        title=title,
        updates=(),
        source=hashlib.sha256(
            text.encode()
            + config.encode()
            + repr((site_zone, options.severities, dict(options.renames))).encode()
        ).hexdigest()
        if text
        else "",
    )
    if found > options.now:
        draft = _maintenance(issue, draft, parts, found, ended, affected, options.now)
    else:
        draft = _incident(
            issue, draft, parts, found, ended, resolved, informational, severity, affected, options
        )
    if issue.zoneless:
        issue.note(
            meta.line_of("date"),
            f"{issue.zoneless} time{'s' if issue.zoneless > 1 else ''} "
            f"here without a zone, read as {site_zone} (cState's times are UTC unless "
            "config.yml sets timeZone; --timezone changes it)",
        )
    return (draft if not issue.errors else None), issue.notes, issue.errors


def _first_body_line(lines: list[str], body_line: int) -> int:
    """The line where the (stripped) body's text starts: blank lines after the front matter
    are not part of it."""
    n = body_line - 1
    while n < len(lines) and not lines[n].strip():
        n += 1
    return n + 1


def _affected(issue: _Issue, systems: Systems) -> list[str]:
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


@dataclass(frozen=True)
class _Timed:
    at: datetime
    part: Part


def _timed(
    issue: _Issue, parts: list[Part], found: datetime, ended: datetime | None, resolved: bool
) -> list[_Timed]:
    """Each part with its time: its track's, or for a part without one, a time from the front
    matter (noted): a resolution's is `resolvedWhen`, any other's the issue's `date`."""
    out = []
    for p in parts:
        if p.time is not None:
            at = issue.time(p.time, "track", p.line)
            if at is None:
                continue
        elif p.status == "resolved" and resolved and ended is not None:
            at = ended
            issue.note(p.line, "this resolution has no {{< track >}} time; dated at resolvedWhen")
        else:
            at = found
            if len(parts) > 1:
                issue.note(p.line, "this part has no {{< track >}} time; dated at the issue's date")
        if at < found:
            issue.note(
                p.line,
                f"its time {at:%Y-%m-%d %H:%M} is before the issue's date "
                f"{found:%Y-%m-%d %H:%M} (a typo?); kept as written",
            )
        out.append(_Timed(at, p))
    out.sort(key=lambda t: t.at)
    spaced: list[_Timed] = []
    for t in out:
        if spaced and t.at <= spaced[-1].at:
            issue.note(
                t.part.line, "two updates at one moment; this one is moved 1 microsecond later"
            )
            t = _Timed(spaced[-1].at + timedelta(microseconds=1), t.part)
        spaced.append(t)
    return spaced


def _incident(
    issue: _Issue,
    draft: IncidentDraft,
    parts: list[Part],
    found: datetime,
    ended: datetime | None,
    resolved: bool,
    informational: bool,
    severity: Any,
    affected: list[str],
    options: Options,
) -> IncidentDraft:
    meta = issue.meta
    if not parts:
        issue.note(meta.line_of("title"), "the issue has no text; its title is its message")
        parts = [Part(draft.title, None, None, meta.line_of("title"))]
    timed = _timed(issue, parts, found, ended, resolved)
    if not timed:
        return draft
    if severity is None and not informational:
        issue.note(meta.line_of("title"), "no severity; read as 'notice', the mildest")
        severity = "notice"
    hit = "operational" if informational else STATUS_OF.get(str(severity), "degraded_performance")
    updates: list[UpdateDraft] = []
    status = "investigating"
    for n, t in enumerate(timed):
        said = t.part.status if t.part.status in INCIDENT_STATUSES else None
        status = said or status
        if status == "resolved" and n < len(timed) - 1:
            issue.note(
                t.part.line, "marked resolved, yet later updates follow; written as monitoring"
            )
            status = "monitoring"
        components = tuple((cid, hit) for cid in affected) if n == 0 else None
        updates.append(UpdateDraft(t.at, status, t.part.text, components))
    updates = _close(issue, updates, resolved, ended, affected, informational)
    first = updates[0].at
    return replace(
        draft,
        updates=tuple(updates),
        severity="SEV-4" if informational else options.severities[str(severity)],
        detected=found if found <= first else None,
    )


def _close(
    issue: _Issue,
    updates: list[UpdateDraft],
    resolved: bool,
    ended: datetime | None,
    affected: list[str],
    informational: bool,
) -> list[UpdateDraft]:
    """A resolved issue ends with a resolved update that gives its systems back."""
    meta = issue.meta
    last = updates[-1]
    if not resolved:
        if last.status == "resolved":
            issue.note(
                meta.line_of("resolved"),
                "'resolved' is false, yet the text says resolved; "
                "the incident stays open (written as monitoring)",
            )
            updates[-1] = replace(last, status="monitoring")
        if ended is not None:
            issue.note(
                meta.line_of("resolvedWhen"),
                "'resolvedWhen' without 'resolved: true': "
                "the incident stays open, as on the cState site",
            )
        return updates
    back = None if informational else tuple((cid, "operational") for cid in affected)
    if last.status != "resolved" and ended is not None and ended > last.at:
        issue.note(
            meta.line_of("resolvedWhen"),
            f"no update says it was resolved; added one at "
            f"resolvedWhen with the text {RESOLVED_TEXT!r}",
        )
        return [*updates, UpdateDraft(ended, "resolved", RESOLVED_TEXT, back)]
    if last.status != "resolved" and (ended is None or ended < last.at):
        if ended is None:
            issue.note(
                meta.line_of("resolved"), "no resolvedWhen: the last update closes the issue"
            )
        else:
            issue.note(
                meta.line_of("resolvedWhen"),
                "resolvedWhen is before the last update, which closes the issue",
            )
    merged = tuple(dict({**dict(last.components or ()), **dict(back or ())}).items())
    updates[-1] = replace(last, status="resolved", components=merged or last.components)
    return updates


def _maintenance(
    issue: _Issue,
    draft: IncidentDraft,
    parts: list[Part],
    found: datetime,
    ended: datetime | None,
    affected: list[str],
    now: datetime,
) -> IncidentDraft:
    """An issue dated after `now`: maintenance announced now, its window from its date."""
    meta = issue.meta
    line = meta.line_of("date")
    if not meta.get("informational"):
        issue.note(line, "dated after the import's time: imported as upcoming maintenance")
    until = ended if ended is not None and ended > found else None
    if until is None:
        until = found + timedelta(hours=MAINTENANCE_HOURS)
        issue.note(
            line,
            f"upcoming maintenance without a later resolvedWhen: its window is "
            f"taken to be {MAINTENANCE_HOURS} hour",
        )
    if any(p.time for p in parts):
        issue.note(line, "the {{< track >}} times of upcoming maintenance are left out")
    body = "\n\n".join(p.text for p in parts) or draft.title
    at = now.astimezone(found.tzinfo).replace(microsecond=0)  # announced as of the import
    components = tuple((cid, "under_maintenance") for cid in affected)
    return replace(
        draft,
        kind="maintenance",
        updates=(UpdateDraft(at, "scheduled", body, components),),
        scheduled_for=found,
        scheduled_until=until,
    )
