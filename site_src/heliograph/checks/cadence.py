"""The update-cadence rule (how often customers hear from us) as findings; never renders.

The rule in force for a gap is the severity at the gap's start, so an escalation tightens the
rhythm from the escalating update on. An open incident's findings are errors (there is still time
to post); a resolved incident's are warnings (history cannot be fixed).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from heliograph.checks.findings import Finding, Level, clock_utc, span
from heliograph.content.model import (
    CLOSED_STATUSES,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    Severity,
    Site,
    Update,
)
from heliograph.state import derive


def cadence_findings(site: Site, incident: Incident, now: datetime) -> list[Finding]:
    """The cadence findings of one incident (maintenance has no cadence rule)."""
    if incident.kind is not Kind.INCIDENT:
        return _overrun(incident, now)
    level = Level.ERROR if derive.is_open(incident, now) else Level.WARNING
    found = [
        *_first_update(site, incident, level),
        *_gaps(site, incident, level),
        *_monitor_for(site, incident),
    ]
    if level is Level.ERROR:
        found += _overdue(site, incident, now)
    return found


def _rules_at(site: Site, incident: Incident, t: datetime) -> Severity | None:
    """The severity in force at `t`, which carries the rules."""
    key = derive.severity_at(incident, t)
    return site.severity(key) if key else None


def _finding(
    level: Level,
    rule: str,
    incident: Incident,
    at: Update,
    message: str,
    start: datetime | None,
    end: datetime,
    limit: timedelta,
    severity: str,
) -> Finding:
    gap = end - start if start else None
    return Finding(
        level, rule, incident.slug, at.file, at.line, message, start, end, gap, limit, severity
    )


def _first_update(site: Site, incident: Incident, level: Level) -> list[Finding]:
    """From `detected` (else `started`) to the first public update."""
    first, ref = incident.first, incident.detected or incident.started
    sev = _rules_at(site, incident, first.at)
    if ref is None or sev is None or sev.first_update is None:
        return []
    gap = first.at - ref
    if gap <= sev.first_update:
        return []
    what = "detected" if incident.detected else "started"
    message = (
        f"{sev.key} first public update came {span(gap)} after the incident was {what}"
        f" ({clock_utc(ref)} to {clock_utc(first.at, ref)} UTC; limit "
        f"{span(sev.first_update)}, rule first_update)"
    )
    return [
        _finding(
            level,
            "first_update",
            incident,
            first,
            message,
            ref,
            first.at,
            sev.first_update,
            sev.key,
        )
    ]


def _gaps(site: Site, incident: Incident, level: Level) -> list[Finding]:
    """Each gap between two updates, under the severity in force at its start."""
    found = []
    latest = None  # the severity set by the latest update so far: one walk, not one per gap
    for before, after in pairwise(incident.updates):
        latest = before.severity or latest
        if before.status in CLOSED_STATUSES:
            continue  # a resolved incident owes no updates; a reopening starts a new rhythm
        key = latest or incident.severity  # as derive.severity_at(incident, before.at)
        sev = site.severity(key) if key else None
        if sev is None or sev.update_every is None:
            continue
        gap = after.at - before.at
        if gap > sev.update_every:
            message = (
                f"{sev.key} gap of {span(gap)} between updates at {clock_utc(before.at)}"
                f" and {clock_utc(after.at, before.at)} UTC (limit "
                f"{span(sev.update_every)}, rule update_every)"
            )
            found.append(
                _finding(
                    level,
                    "update_every",
                    incident,
                    after,
                    message,
                    before.at,
                    after.at,
                    sev.update_every,
                    sev.key,
                )
            )
    return found


def _overdue(site: Site, incident: Incident, now: datetime) -> list[Finding]:
    """An open incident whose last update is older than `update_every` at `now`."""
    last = incident.last
    sev = _rules_at(site, incident, last.at)
    if sev is None or sev.update_every is None or now - last.at <= sev.update_every:
        return []
    due = last.at + sev.update_every
    message = (
        f"{sev.key} update overdue: the last public update was {span(now - last.at)} "
        f"ago ({clock_utc(last.at, now)} UTC, now {clock_utc(now, last.at)} UTC); the "
        f"next was due by {clock_utc(due, last.at)} UTC (limit {span(sev.update_every)}, "
        "rule overdue)"
    )
    return [
        _finding(
            Level.ERROR, "overdue", incident, last, message, last.at, now, sev.update_every, sev.key
        )
    ]


def _overrun(maintenance: Incident, now: datetime) -> list[Finding]:
    """Maintenance someone started by hand stays in progress until someone posts `completed`."""
    end, last = maintenance.scheduled_until, maintenance.last
    phase = derive.phase(maintenance, now)
    if (
        end is None
        or now <= end
        or phase not in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
    ):
        return []
    message = (
        f"maintenance still {phase.value.replace('_', ' ')} "
        f"{span(now - end)} after its window ended at {clock_utc(end)} UTC; post "
        "'completed', or a later 'scheduled_until' (rule window)"
    )
    return [
        Finding(
            Level.WARNING,
            "window",
            maintenance.slug,
            last.file,
            last.line,
            message,
            end,
            now,
            now - end,
            timedelta(0),
        )
    ]


def _monitor_for(site: Site, incident: Incident) -> list[Finding]:
    """The time in `monitoring` right before `resolved`, which should be at least `monitor_for`."""
    resolved = incident.last
    if resolved.status is not IncidentStatus.RESOLVED:
        return []
    earlier = incident.updates[:-1]
    run = len(earlier)
    while run > 0 and earlier[run - 1].status is IncidentStatus.MONITORING:
        run -= 1
    began = earlier[run].at if run < len(earlier) else None
    sev = _rules_at(site, incident, began or resolved.at)
    if sev is None or sev.monitor_for is None:
        return []
    if began is None:
        message = (
            f"{sev.key} incident resolved at {clock_utc(resolved.at)} UTC without a "
            f"monitoring update (minimum {span(sev.monitor_for)} in monitoring, rule "
            "monitor_for)"
        )
    elif resolved.at - began < sev.monitor_for:
        message = (
            f"{sev.key} incident resolved {span(resolved.at - began)} after monitoring "
            f"began ({clock_utc(began)} to {clock_utc(resolved.at, began)} UTC; minimum "
            f"{span(sev.monitor_for)}, rule monitor_for)"
        )
    else:
        return []
    return [
        _finding(
            Level.WARNING,
            "monitor_for",
            incident,
            resolved,
            message,
            began,
            resolved.at,
            sev.monitor_for,
            sev.key,
        )
    ]
