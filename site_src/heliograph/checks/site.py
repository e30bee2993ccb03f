"""`check`: every rule of the incident SOPs over a whole site at `now`, as ordered findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from heliograph.checks.cadence import cadence_findings
from heliograph.checks.commitments import commitment_findings
from heliograph.checks.files import ignored_files
from heliograph.checks.findings import Finding, ordered
from heliograph.checks.postmortem import postmortem_due, postmortem_findings
from heliograph.checks.wording import incident_wording, name_as_read
from heliograph.content.model import (
    CLOSED_STATUSES,
    Content,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    Site,
)
from heliograph.state import derive


def incident_findings(site: Site, incident: Incident, now: datetime) -> list[Finding]:
    """The findings of one incident at `now`: its cadence, files it did not read, then its
    public wording."""
    found = cadence_findings(site, incident, now) + ignored_files(incident)
    if incident.kind is Kind.INCIDENT:  # a maintenance window may well promise its end time
        found += incident_wording(site, incident)
        found += postmortem_findings(site, incident, now)
        found += commitment_findings(site, incident, now)
    if found and closed(incident, now):  # marked here, so that a memo keeps them marked
        found = [replace(f, historic=True) for f in found]
    return found


def check_inputs(site: Site) -> tuple[object, ...]:
    """What of the settings the checks read: the wording rules and which provider the site's
    name is (wording), and the severities, whose rules the other checks apply. Under two
    settings alike in these, an incident's findings are the same, so the memos of findings are
    keyed by them: a new site name checks nothing again unless it is, or was, a provider's."""
    return (name_as_read(site), site.wording, site.severities)


# The findings of one incident: `incident_findings`, or a memo of it that answers the same.
IncidentChecks = Callable[[Site, Incident, datetime], Sequence[Finding]]


def check(
    content: Content, now: datetime, of: IncidentChecks = incident_findings
) -> tuple[Finding, ...]:
    """Every finding of the site at `now`, in a stable order (see `ordered`)."""
    found: list[Finding] = []
    for incident in content.incidents:
        found += of(content.site, incident, now)
    return ordered(found)


def closed(incident: Incident, now: datetime) -> bool:
    """Whether the incident is resolved (or its maintenance completed) at `now`: its findings
    are then history, shown summed up when there are many (see findings.condensed)."""
    return derive.phase(incident, now) in CLOSED_STATUSES


def settled(incident: Incident, now: datetime, site: Site | None = None) -> bool:
    """Whether the incident's findings no longer depend on `now`: every update public, and a
    resolved incident past the due time of its postmortem if it has none (given the `site`
    whose rules say when that is), or a completed maintenance (posted, or its window over
    while still `scheduled`: it stays completed). Its rules then apply only between its own
    files; an open incident can be overdue as the clock runs, and maintenance in progress can
    overrun its window."""
    last = incident.updates[-1]
    if last.at > now:
        return False
    if incident.kind is Kind.MAINTENANCE:
        return derive.phase(incident, now) is MaintenanceStatus.COMPLETED
    if last.status is not IncidentStatus.RESOLVED:
        return False
    due = postmortem_due(site, incident) if site is not None else None
    return due is None or incident.postmortem is not None or now > due
