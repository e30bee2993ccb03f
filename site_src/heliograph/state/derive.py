"""`derive`: pure functions of (model, now): phases, component status, the overall rollup."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

from heliograph.content.model import (
    CLOSED_STATUSES,
    ComponentStatus,
    Content,
    Impact,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    Severity,
    Site,
    Status,
    Update,
)


@dataclass(frozen=True)
class Overall:
    """The one site-wide status: the banner, the badge, the API's `status` object and the feeds."""

    indicator: str  # none | minor | major | critical | maintenance
    description: str
    worst: ComponentStatus  # the status whose colour the banner and the badge wear


# Statuspage's indicators, least to most severe, with their words and colours.
INDICATORS = ("none", "maintenance", "minor", "major", "critical")
_DESCRIPTIONS = {
    "none": ("All Systems Operational", ComponentStatus.OPERATIONAL),
    "maintenance": ("Service Under Maintenance", ComponentStatus.UNDER_MAINTENANCE),
    "minor": ("Partially Degraded Service", ComponentStatus.DEGRADED_PERFORMANCE),
    "major": ("Partial System Outage", ComponentStatus.PARTIAL_OUTAGE),
    "critical": ("Major System Outage", ComponentStatus.MAJOR_OUTAGE),
}
_COMPONENT_INDICATOR = {status: key for key, (_, status) in _DESCRIPTIONS.items()}


_AT = attrgetter("at")


def updates_until(incident: Incident, t: datetime) -> tuple[Update, ...]:
    """The updates public at `t`."""
    updates = incident.updates
    if updates and updates[-1].at <= t:
        return updates  # oldest first, so all of them: the usual case, and fast
    return updates[: bisect_right(updates, t, key=_AT)]  # in order by `at`: a binary search


def phase(incident: Incident, t: datetime) -> Status | None:
    """The incident's status at `t`; maintenance follows the clock when nobody posted.

    None means the incident is not public yet at `t`.
    """
    posted = updates_until(incident, t)
    return phase_after(incident, posted[-1].status, t) if posted else None


def phase_after(incident: Incident, posted: Status, t: datetime) -> Status:
    """The status at `t` given the latest status posted by then.

    Only a maintenance still `scheduled` follows the clock (in progress from `scheduled_for`,
    completed at `scheduled_until`); once the team posts `in_progress` or `verifying`, the phase
    is theirs until they post `completed`, so an overrunning window is not called done early.
    """
    if incident.kind is Kind.MAINTENANCE and posted is MaintenanceStatus.SCHEDULED:
        start, end = incident.scheduled_for, incident.scheduled_until
        if end and t >= end:
            return MaintenanceStatus.COMPLETED
        if start and t >= start:
            return MaintenanceStatus.IN_PROGRESS
    return posted


def is_open(incident: Incident, t: datetime) -> bool:
    """An incident is open from its first update until it is resolved or completed."""
    status = phase(incident, t)
    return status is not None and status not in CLOSED_STATUSES


def is_active(incident: Incident, t: datetime) -> bool:
    """True while the incident affects components: an open incident, or maintenance underway."""
    status = phase(incident, t)
    return status is not None and affects(incident.kind, status)


def affects(kind: Kind, status: Status) -> bool:
    """Whether an incident in this phase gives its components their posted statuses."""
    if kind is Kind.MAINTENANCE:
        return status in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
    return status not in CLOSED_STATUSES


def component_map(updates: Iterable[Update]) -> dict[str, ComponentStatus]:
    """Later updates change only the components they name."""
    result: dict[str, ComponentStatus] = {}
    for u in updates:
        result.update(u.components)
    return result


def severity_at(incident: Incident, t: datetime) -> str | None:
    """The severity in force at `t` (an escalation applies from its update on)."""
    # `or`, not next()'s default, so that the latest severity is looked up only when needed
    return (
        next((u.severity for u in reversed(updates_until(incident, t)) if u.severity), None)
        or incident.severity
    )


def incident_impact(site: Site, incident: Incident, t: datetime) -> Impact:
    if incident.kind is Kind.MAINTENANCE:
        return Impact.MAINTENANCE
    key = severity_at(incident, t)
    return site.severity(key).impact if key else Impact.NONE


def incident_severity(site: Site, incident: Incident, t: datetime) -> Severity | None:
    key = severity_at(incident, t)
    return site.severity(key) if key else None


def component_statuses(content: Content, t: datetime) -> dict[str, ComponentStatus]:
    """Every component's status at `t`: the worst any active incident gives it."""
    statuses = {c.id: ComponentStatus.OPERATIONAL for c in content.site.components}
    for incident in unclosed(content, t):
        if not is_active(incident, t):
            continue
        for cid, status in component_map(updates_until(incident, t)).items():
            if status.rank > statuses[cid].rank:
                statuses[cid] = status
    return statuses


def unclosed(content: Content, t: datetime) -> Iterator[Incident]:
    """The incidents not closed for good by `t`, in content order: the only ones that can be
    open or active at `t`, found without reading the long closed history's updates."""
    if content.newest_update is None or content.newest_update <= t:  # nothing after `t`
        yield from content.not_closed
        return
    for incident in content.incidents:
        last = incident.updates[-1]
        if last.at > t or last.status not in CLOSED_STATUSES:
            yield incident


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    return max(statuses, key=lambda s: s.rank, default=ComponentStatus.OPERATIONAL)


def overall(
    content: Content, now: datetime, statuses: Mapping[str, ComponentStatus] | None = None
) -> Overall:
    """Statuspage's rollup at `now`: the worst of the open incidents' impacts and of the
    components' statuses; `maintenance` when maintenance underway is all there is.

    `statuses` are `component_statuses(content, now)`, when the caller has them already.
    """
    if statuses is None:
        statuses = component_statuses(content, now)
    found = {_COMPONENT_INDICATOR[s] for s in statuses.values()}
    for incident in unclosed(content, now):
        if incident.kind is Kind.INCIDENT and is_open(incident, now):
            found.add(incident_impact(content.site, incident, now).value)
        elif incident.kind is Kind.MAINTENANCE and is_active(incident, now):
            found.add(Impact.MAINTENANCE.value)
    indicator = max(found, key=INDICATORS.index, default="none")
    description, shown = _DESCRIPTIONS[indicator]
    return Overall(indicator, description, shown)


def duration(incident: Incident, t: datetime) -> timedelta:
    """From the start of impact to resolution, or to `t` while still open."""
    end = incident.resolved_at if incident.resolved_at and incident.resolved_at <= t else t
    return max(end - incident.began, timedelta(0))


def first_at(incident: Incident, status: IncidentStatus) -> datetime | None:
    return next((u.at for u in incident.updates if u.status is status), None)
