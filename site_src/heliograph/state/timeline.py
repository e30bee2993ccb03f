"""The public timeline of an incident at `now`: its posted updates, and an update at each moment
the clock moved a maintenance on (to in progress at its window's start, to completed at its
end), as Statuspage posts one. Pages, the API and the feeds all read it, so they agree.

A clock update is an `Update` like the others, made here and never read from a file: its
`file` is the posted update it follows, with `#` and its status (`01-scheduled.md#completed`),
a name no file can have, so that its published id is as stable as a file's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from heliograph.content.model import (
    CLOSED_STATUSES,
    ComponentStatus,
    Incident,
    Kind,
    MaintenanceStatus,
    Status,
    Update,
)
from heliograph.state import derive

CLOCK_MARK = "#"
# Statuspage's own words for the updates it posts when a window opens and closes by itself.
CLOCK_BODIES = {
    MaintenanceStatus.IN_PROGRESS: (
        "Scheduled maintenance is currently in progress. We will provide updates as necessary."
    ),
    MaintenanceStatus.COMPLETED: "The scheduled maintenance has been completed.",
}


# A maintenance's timeline at a moment, kept while asked for again: the feeds, the API, the
# sitemap and the pages each ask for the newest update of every maintenance. The entry holds
# the incident itself, so that no other object can come to have its id while it is kept.
_made: dict[int, tuple[Incident, datetime, tuple[Update, ...]]] = {}
_KEEP = 4096


def timeline(incident: Incident, now: datetime) -> tuple[Update, ...]:
    """The updates public at `now`, oldest first, clock updates included."""
    posted = derive.updates_until(incident, now)
    if incident.kind is not Kind.MAINTENANCE:
        return posted
    kept = _made.get(id(incident))
    if kept is not None and kept[0] is incident and kept[1] == now:
        return kept[2]
    out: list[Update] = []
    for n, u in enumerate(posted):
        out.append(u)
        if u.status is MaintenanceStatus.SCHEDULED:
            until = posted[n + 1].at if n + 1 < len(posted) else None
            out += _clock_updates(incident, u, until, now)
    made = tuple(out)
    if len(_made) >= _KEEP:
        _made.clear()
    _made[id(incident)] = (incident, now, made)
    return made


def _clock_updates(
    incident: Incident, after: Update, until: datetime | None, now: datetime
) -> list[Update]:
    """What the clock posted after `after` (a `scheduled` update) and before the next posted
    update at `until` (else up to `now`): each edge of the window it crossed meanwhile.

    An edge already past when `after` was posted takes effect at `after`'s own moment, so a
    `scheduled` update is never the newest under a phase that says otherwise.
    """
    made: list[Update] = []
    start, end = incident.scheduled_for, incident.scheduled_until
    for edge, status in (
        (start, MaintenanceStatus.IN_PROGRESS),
        (end, MaintenanceStatus.COMPLETED),
    ):
        if edge is None:
            continue
        at = max(edge, after.at)
        if not (at < until if until else at <= now):
            continue  # not by then: someone posted first, or it is still to come
        if status is MaintenanceStatus.IN_PROGRESS and end and end <= at:
            continue  # the window had closed already: it was never in progress
        made.append(_clock_update(incident, after, at, status))
    return made


def _clock_update(
    incident: Incident, after: Update, at: datetime, status: MaintenanceStatus
) -> Update:
    """The update the clock posts: it sets the window's components, or gives them back."""
    components = derive.component_map(u for u in incident.updates if u.at <= after.at)
    if status is MaintenanceStatus.COMPLETED:
        components = dict.fromkeys(components, ComponentStatus.OPERATIONAL)
    return replace(
        after,
        at=at,
        status=status,
        body=CLOCK_BODIES[status],
        file=f"{after.file}{CLOCK_MARK}{status.value}",
        line=0,
        title=None,
        severity=None,
        components=tuple(components.items()),
        body_line=0,
        scheduled_for=None,
        scheduled_until=None,
    )


def newest(incident: Incident, now: datetime) -> Update:
    """The newest update public at `now` (call only for incidents public by then)."""
    last = incident.updates[-1]
    if incident.kind is not Kind.MAINTENANCE and last.at <= now:
        return last  # the usual case, and fast
    return timeline(incident, now)[-1]


def closed_at(incident: Incident, now: datetime) -> datetime | None:
    """When the incident was resolved or the maintenance completed, by `now`; else None."""
    if incident.kind is not Kind.MAINTENANCE:
        resolved = incident.resolved_at
        if resolved is not None and resolved <= now:
            return resolved
    latest = newest(incident, now) if incident.first.at <= now else None
    return latest.at if latest is not None and latest.status in CLOSED_STATUSES else None


Statuses = dict[str, ComponentStatus]


def transitions(incident: Incident, now: datetime) -> Iterator[tuple[Update, Statuses, Statuses]]:
    """Each update of the timeline, oldest first, with what the incident made of every component
    attached so far before it and after it (`shown_statuses`)."""
    posted: Statuses = {}
    before: Statuses = {}
    for u in timeline(incident, now):
        posted = {**posted, **dict(u.components)}
        after = shown_statuses(incident.kind, u.status, posted)
        yield u, before, after
        before = after


def shown_statuses(kind: Kind, status: Status, posted: Statuses) -> Statuses:
    """What an update in phase `status` makes of its components' posted statuses: theirs while
    it is open (or, for maintenance, underway), operational otherwise; a window announced for
    next week leaves its components operational until it opens."""
    if derive.affects(kind, status):
        return posted
    return dict.fromkeys(posted, ComponentStatus.OPERATIONAL)
