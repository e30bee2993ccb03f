"""The public events of a site up to `now`, each with an id that is the same in every build.

An event is what a subscriber is told once: a new incident, each later update (one that changes
the severity says so), a postmortem, a maintenance announced, its reminder, and its start and
end, those the clock posts included (`state.timeline`). A component's change under an update is
an event of its own, for webhooks (Statuspage's `component_update`).

Ids come from the API's ids (`render.ids`), which hang on the page id and the files' names,
never on a URL or a build: the ledger finds an event sent by another run under the same id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from heliograph.content.model import (
    Channel,
    ComponentStatus,
    Content,
    Incident,
    Kind,
    MaintenanceStatus,
    Site,
    Status,
    Update,
)
from heliograph.render import ids
from heliograph.state import derive, timeline

CREATED = "incident_created"
UPDATED = "incident_updated"
SEVERITY = "severity_changed"
POSTMORTEM = "postmortem"
SCHEDULED = "maintenance_scheduled"
REMINDER = "maintenance_reminder"
STARTED = "maintenance_started"
MAINTENANCE_UPDATED = "maintenance_updated"
COMPLETED = "maintenance_completed"
COMPONENT = "component_changed"

_MAINTENANCE_KINDS: dict[Status, str] = {
    MaintenanceStatus.IN_PROGRESS: STARTED,
    MaintenanceStatus.COMPLETED: COMPLETED,
}


@dataclass(frozen=True)
class Event:
    """One thing to tell; `update` is the update it announces (none for a reminder or a
    postmortem), `component` the component whose change it is (component events only)."""

    id: str
    kind: str
    at: datetime
    incident: Incident
    update: Update | None = None
    severity: str | None = None  # in force after the event
    previous_severity: str | None = None  # where the event changed it
    component: str | None = None
    old_status: ComponentStatus | None = None
    new_status: ComponentStatus | None = None

    @property
    def status_label(self) -> str:
        """The word a subject line starts with: `Identified`, `Postmortem`, `Reminder`."""
        if self.kind == POSTMORTEM:
            return "Postmortem"
        if self.kind == REMINDER:
            return "Reminder"
        if self.kind == COMPONENT and self.new_status:
            return self.new_status.label
        assert self.update is not None
        return self.update.status.value.replace("_", " ").capitalize()


def relevant(incident: Incident, since: datetime, leads: tuple[timedelta, ...]) -> bool:
    """Whether anything of `incident` may have happened at or after `since` (else its every
    event is older than the window, and it is not looked at: a large history stays cheap)."""
    times = [incident.last.at]
    if incident.postmortem:
        times.append(incident.postmortem.at)
    if incident.kind is Kind.MAINTENANCE:
        times += [t for t in (incident.scheduled_for, incident.scheduled_until) if t]
        if incident.scheduled_for:
            times += [incident.scheduled_for - lead for lead in leads]
    return max(times) >= since


def incident_events(site: Site, incident: Incident, now: datetime) -> Iterator[Event]:
    """Every event of one incident public at `now`, oldest first (reminders apart)."""
    previous: str | None = None
    first = True
    for u, before, after in timeline.transitions(incident, now):
        uid = ids.update_id(site, incident, u)
        severity = u.severity or previous
        changed = not first and u.severity is not None and u.severity != previous
        yield Event(
            f"update:{uid}",
            _kind(incident, u, first, changed),
            u.at,
            incident,
            u,
            severity,
            previous if changed else None,
        )
        for cid, status in after.items():
            old = before.get(cid, ComponentStatus.OPERATIONAL)
            if old is not status:
                yield Event(
                    f"component:{uid}:{cid}",
                    COMPONENT,
                    u.at,
                    incident,
                    u,
                    severity,
                    None,
                    cid,
                    old,
                    status,
                )
        previous, first = severity, False
    pm = incident.postmortem
    if pm and pm.at <= now:
        yield Event(
            f"postmortem:{ids.incident_id(site, incident)}",
            POSTMORTEM,
            pm.at,
            incident,
            severity=incident.severity,
        )


def _kind(incident: Incident, u: Update, first: bool, severity_changed: bool) -> str:
    if incident.kind is Kind.MAINTENANCE:
        if u.status is MaintenanceStatus.SCHEDULED:
            return SCHEDULED if first else MAINTENANCE_UPDATED
        return _MAINTENANCE_KINDS.get(u.status, MAINTENANCE_UPDATED)
    if first:
        return CREATED
    return SEVERITY if severity_changed else UPDATED


def reminder(site: Site, incident: Incident, now: datetime, lead: timedelta) -> Event | None:
    """The reminder `lead` before a maintenance starts, once that moment has come: only if the
    window was announced before then and is still only scheduled at that moment."""
    start = incident.scheduled_for
    if incident.kind is not Kind.MAINTENANCE or start is None:
        return None
    at = start - lead
    if at > now or incident.first.at >= at:
        return None
    if derive.phase(incident, at) is not MaintenanceStatus.SCHEDULED:
        return None  # cancelled, or begun early
    return Event(
        f"reminder:{ids.incident_id(site, incident)}:{start.isoformat()}", REMINDER, at, incident
    )


def channel_wants(channel: Channel, event: Event) -> bool:
    """The channel's filters: the kind of incident, its severity, its components; component
    events go to webhooks only, as Statuspage sends `component_update` to webhooks; a reminder
    does not (Statuspage's body has no way to say "reminder": it would read as a repeat)."""
    incident = event.incident
    webhook = channel.kind == "webhook"
    if event.kind == COMPONENT and not webhook or event.kind == REMINDER and webhook:
        return False
    if incident.kind not in channel.kinds:
        return False
    if channel.severities and incident.kind is Kind.INCIDENT:
        if event.severity not in channel.severities:
            return False
    if channel.components:
        touched = (event.component,) if event.component else incident.component_ids
        if not set(touched) & set(channel.components):
            return False
    return True


def events_for(
    content: Content, now: datetime, since: datetime, channels: tuple[Channel, ...]
) -> dict[str, list[Event]]:
    """For each channel by name, its events from `since` to `now`, oldest first."""
    site = content.site
    leads = tuple({c.reminder for c in channels if c.reminder})
    base: list[Event] = []
    reminders: dict[timedelta, list[Event]] = {lead: [] for lead in leads}
    for incident in content.incidents:
        if incident.first.at > now or not relevant(incident, since, leads):
            continue
        base += (e for e in incident_events(site, incident, now) if e.at >= since)
        for lead in leads:
            found = reminder(site, incident, now, lead)
            if found and found.at >= since:
                reminders[lead].append(found)
    out = {}
    for channel in channels:
        mine = base + (reminders[channel.reminder] if channel.reminder else [])
        wanted = [e for e in mine if channel_wants(channel, e)]
        out[channel.name] = sorted(wanted, key=lambda e: (e.at, e.kind == COMPONENT, e.id))
    return out
