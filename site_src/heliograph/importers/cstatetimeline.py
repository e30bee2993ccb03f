"""A cState issue's updates in time order, with the status each has, and how it closes.

The body's parts (`cstatebody.split`) get their times (a track's, else one from the front
matter), the status their marker names (else the one before), the component statuses of the
issue's severity on the first and back to operational on the resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from heliograph.importers.cstatebody import Part
from heliograph.importers.draft import IncidentDraft, Options, UpdateDraft

if TYPE_CHECKING:
    from heliograph.importers.cstateissue import Front, Issue

STATUS_OF = {
    "down": "major_outage",
    "disrupted": "partial_outage",
    "notice": "degraded_performance",
}
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
MAINTENANCE_HOURS = 1  # the window of upcoming maintenance that gives no end
RESOLVED_TEXT = "This issue has been resolved."


@dataclass(frozen=True)
class _Timed:
    at: datetime
    part: Part


def _timed(
    issue: Issue, parts: list[Part], found: datetime, ended: datetime | None, resolved: bool
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


def incident(
    issue: Issue, draft: IncidentDraft, parts: list[Part], front: Front, options: Options
) -> IncidentDraft:
    """An issue of the past (or present) as an incident."""
    meta = issue.meta
    if not parts:
        issue.note(meta.line_of("title"), "the issue has no text; its title is its message")
        parts = [Part(draft.title, None, None, meta.line_of("title"))]
    timed = _timed(issue, parts, front.found, front.ended, front.resolved)
    if not timed:
        return draft
    severity = front.severity
    if severity is None and not front.informational:
        issue.note(meta.line_of("title"), "no severity; read as 'notice', the mildest")
        severity = "notice"
    hit = (
        "operational"
        if front.informational
        else STATUS_OF.get(str(severity), "degraded_performance")
    )
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
        components = tuple((cid, hit) for cid in front.affected) if n == 0 else None
        updates.append(UpdateDraft(t.at, status, t.part.text, components))
    updates = _close(issue, updates, front)
    return replace(
        draft,
        updates=tuple(updates),
        severity="SEV-4" if front.informational else options.severities[str(severity)],
        detected=front.found if front.found <= updates[0].at else None,
    )


def _close(issue: Issue, updates: list[UpdateDraft], front: Front) -> list[UpdateDraft]:
    """A resolved issue ends with a resolved update that gives its systems back."""
    meta, ended = issue.meta, front.ended
    last = updates[-1]
    if not front.resolved:
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
    back = None if front.informational else tuple((c, "operational") for c in front.affected)
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


def maintenance(
    issue: Issue, draft: IncidentDraft, parts: list[Part], front: Front, now: datetime
) -> IncidentDraft:
    """An issue dated after `now`: maintenance announced now, its window from its date."""
    meta, found, ended = issue.meta, front.found, front.ended
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
    components = tuple((cid, "under_maintenance") for cid in front.affected)
    return replace(
        draft,
        kind="maintenance",
        updates=(UpdateDraft(at, "scheduled", body, components),),
        scheduled_for=found,
        scheduled_until=until,
    )
