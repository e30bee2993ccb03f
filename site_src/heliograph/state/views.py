"""What pages show, computed once from (content, now): plain frozen records for templates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from heliograph.content.model import (
    CLOSED_STATUSES,
    Component,
    ComponentStatus,
    Content,
    Impact,
    Incident,
    Kind,
    MaintenanceStatus,
    Status,
    Update,
    hashed_once,
)
from heliograph.content.timefmt import local
from heliograph.state import derive, timeline
from heliograph.state.reuse import Memo

STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}


_LABELS: dict[Status | ComponentStatus, str] = {}  # by member: an enum's `.value` is slow


def status_label(status: Status | ComponentStatus) -> str:
    if (label := _LABELS.get(status)) is None:
        label = _LABELS[status] = (
            STATUS_LABELS.get(status.value) or status.value.replace("_", " ").capitalize()
        )
    return label


@dataclass(frozen=True)
class UpdateView:
    update: Update
    status: Status
    label: str
    components: tuple[tuple[Component, ComponentStatus], ...]  # what this update set


@hashed_once  # a key of the preview's fragments (render.pages), kept from build to build
@dataclass(frozen=True)
class IncidentView:
    incident: Incident
    slug: str
    title: str
    kind: Kind
    status: Status
    status_label: str
    is_open: bool
    severity_key: str | None
    severity_label: str | None
    impact: Impact
    components: tuple[tuple[Component, ComponentStatus], ...]  # latest status of each
    updates: tuple[UpdateView, ...]  # newest first
    began: datetime
    ended: datetime | None
    duration: timedelta
    next_update_by: datetime | None  # only while it lies ahead of `now`
    # how long since the last update, once that promise has passed: visitors are told so
    overdue_for: timedelta | None = None

    @property
    def latest(self) -> UpdateView:
        return self.updates[0]


def incident_view(content: Content, incident: Incident, now: datetime) -> IncidentView:
    """Everything the incident page, the home page and the history show of one incident."""
    site = content.site
    status = derive.phase(incident, now) or incident.first.status
    severity = derive.incident_severity(site, incident, now)
    by_id = {c.id: c for c in site.components}
    latest = derive.component_map(incident.updates)
    updates = tuple(
        UpdateView(
            u, u.status, status_label(u.status), tuple([(by_id[cid], s) for cid, s in u.components])
        )
        for u in reversed(timeline.timeline(incident, now))
    )
    ended = timeline.closed_at(incident, now)
    is_open = status not in CLOSED_STATUSES
    next_by = overdue_for = None
    if is_open and incident.kind is Kind.INCIDENT and severity and severity.update_every:
        due = incident.last.at + severity.update_every
        next_by = due if due > now else None
        overdue_for = None if due > now else now - incident.last.at
    return IncidentView(
        incident=incident,
        slug=incident.slug,
        title=incident.title,
        kind=incident.kind,
        status=status,
        status_label=status_label(status),
        is_open=is_open,
        severity_key=severity.key if severity else None,
        severity_label=severity.label if severity else None,
        impact=derive.incident_impact(site, incident, now),
        components=tuple((by_id[cid], latest[cid]) for cid in incident.component_ids),
        updates=updates,
        began=incident.began,
        ended=ended,
        duration=derive.duration(incident, now),
        next_update_by=next_by,
        overdue_for=overdue_for,
    )


@dataclass(frozen=True)
class ComponentRow:
    component: Component
    status: ComponentStatus
    label: str


@dataclass(frozen=True)
class GroupBlock:
    """A group of components on the home page; a lone component is a group of one, unnamed."""

    id: str | None
    name: str | None
    status: ComponentStatus
    rows: tuple[ComponentRow, ...]


def component_blocks(
    content: Content, statuses: dict[str, ComponentStatus]
) -> tuple[GroupBlock, ...]:
    """Components in configured order, groups kept together."""
    site = content.site
    row = {
        c.id: ComponentRow(c, statuses[c.id], status_label(statuses[c.id])) for c in site.components
    }
    entries: list[tuple[int, GroupBlock]] = []
    for g in site.groups:
        rows = tuple(row[cid] for cid in g.components)
        entries.append(
            (g.position, GroupBlock(g.id, g.name, derive.worst(r.status for r in rows), rows))
        )
    for c in site.components:
        if c.group is None:
            entries.append((c.position, GroupBlock(None, None, row[c.id].status, (row[c.id],))))
    return tuple(block for _, block in sorted(entries, key=lambda e: e[0]))


def upcoming_maintenance(views: tuple[IncidentView, ...]) -> tuple[IncidentView, ...]:
    """Scheduled windows not yet started, soonest first."""
    found = [
        v for v in views if v.kind is Kind.MAINTENANCE and v.status is MaintenanceStatus.SCHEDULED
    ]
    return tuple(sorted(found, key=lambda v: v.incident.scheduled_for or v.began))


def archived(incident: Incident, now: datetime) -> bool:
    """Whether an incident belongs in the history: all but maintenance not yet begun."""
    return not (
        incident.kind is Kind.MAINTENANCE
        and incident.resolved_at is None
        and derive.phase(incident, now) is MaintenanceStatus.SCHEDULED
    )


def days_back(
    incidents: Iterable[Incident], now: datetime, tz: str, days: int
) -> tuple[tuple[datetime, tuple[Incident, ...]], ...]:
    """The last `days` calendar days in the site's zone, newest first, with their incidents."""
    by_day: dict[object, list[Incident]] = defaultdict(list)
    for i in incidents:
        if archived(i, now):
            by_day[local(i.began, tz).date()].append(i)
    today = local(now, tz).replace(hour=12, minute=0, second=0, microsecond=0)
    return tuple(
        (day, tuple(by_day.get(day.date(), ())))
        for day in (today - timedelta(days=n) for n in range(days))
    )


def by_month(
    incidents: Iterable[Incident], tz: str, now: datetime
) -> tuple[tuple[tuple[int, int], tuple[Incident, ...]], ...]:
    """Incidents grouped by the month (in the site's zone) their impact began, newest first.

    Upcoming windows belong on the home page, not in the archive.
    """
    months: dict[tuple[int, int], list[Incident]] = defaultdict(list)
    for i in incidents:
        if archived(i, now):
            lt = local(i.began, tz)
            months[(lt.year, lt.month)].append(i)
    return tuple((m, tuple(months[m])) for m in sorted(months, reverse=True))


def first_per_component(
    ordered: Iterable[Incident], limit: int, components: Sequence[str], everything: bool = False
) -> dict[str | None, list[Incident]]:
    """Each component's first `limit` incidents of `ordered` naming it, and with `everything`
    (under None) the first `limit` of all; one walk, stopped once every list is full, so older
    history is not read at all."""
    lists: dict[str | None, list[Incident]] = {None: []} if everything else {}
    lists.update((cid, []) for cid in components)
    open_lists = len(lists) if limit > 0 else 0
    for incident in ordered:
        if not open_lists:
            break
        for key in (None, *incident.component_ids):
            found = lists.get(key)
            if found is not None and len(found) < limit:
                found.append(incident)
                open_lists -= len(found) == limit
    return lists


def moment(incident: Incident, now: datetime) -> str:
    """What of `now` an incident's view depends on: nothing once it is resolved with every
    file public (its postmortem included), else the moment itself."""
    closed, pm = incident.resolved_at, incident.postmortem
    if closed is not None and closed <= now and (pm is None or pm.at <= now):
        return ""
    return now.isoformat()


class Viewer:
    """`incident_view` for one build, each incident's view made once and only when asked;
    `memo` may answer with a view made before from the same incident, settings and moment
    (the preview's, which keeps them from one build to the next)."""

    def __init__(self, content: Content, now: datetime, memo: Memo | None = None) -> None:
        self.content, self.now, self.memo = content, now, memo
        self._made: dict[str, IncidentView] = {}

    def __call__(self, incident: Incident) -> IncidentView:
        if (v := self._made.get(incident.slug)) is None or v.incident is not incident:
            if self.memo is None:
                v = incident_view(self.content, incident, self.now)
            else:
                key = ("view", self.content.site, incident, moment(incident, self.now))
                v = self.memo(key, partial(incident_view, self.content, incident, self.now))
            self._made[incident.slug] = v
        return v

    def shown(self, value: Any) -> Any:
        """`value` with every incident in it, however nested, replaced by its view, made when
        a template first reads it (see LazyView)."""
        if isinstance(value, Incident):
            return LazyView(self, value)
        if isinstance(value, tuple | list):
            return type(value)(self.shown(item) for item in value)
        if isinstance(value, dict):
            return {k: self.shown(item) for k, item in value.items()}
        return value


class LazyView:
    """An incident's view, made when a template first reads it: the history's page lists every
    incident, but renders again only the months that changed, and made all 10,000 views of a
    large site (0.2 s) for the one month whose fragment it rendered.

    Equal to another for the same incident and the same moment of it (see `moment`), as their
    views are, in a key that holds the site settings; reads as the view does.
    """

    __slots__ = ("incident", "_viewer", "_key")

    def __init__(self, viewer: Viewer, incident: Incident) -> None:
        self.incident, self._viewer = incident, viewer
        self._key = (incident, moment(incident, viewer.now))

    def __getattr__(self, name: str) -> Any:  # any name but the slots': the view's
        if name.startswith("_"):  # a slot not set yet (a copy being made), or a private name
            raise AttributeError(name)
        return getattr(self._viewer(self.incident), name)

    def __repr__(self) -> str:  # as the view shows, should a theme print it
        return repr(self._viewer(self.incident))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyView) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)
