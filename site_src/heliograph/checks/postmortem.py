"""After the incident: a postmortem published within `postmortem_within` of the resolution
(the SOPs: 48 h for SEV-1 and SEV-2), under the most severe level the incident reached.

Both findings are warnings (history cannot be fixed; `--strict` makes them fail): a resolved
incident past the deadline with no published postmortem, and a postmortem published after it.
Neither message depends on `now`, so once the deadline has passed the findings are settled.
"""

from __future__ import annotations

from datetime import datetime

from heliograph.checks.findings import Finding, Level, span
from heliograph.content.model import Incident, Kind, Severity, Site
from heliograph.content.timefmt import iso_utc


def worst_severity(site: Site, incident: Incident) -> Severity | None:
    """The most severe level an incident reached."""
    reached = [site.severity(u.severity) for u in incident.updates if u.severity]
    return min(reached, key=lambda s: s.rank, default=None)


def postmortem_due(site: Site, incident: Incident) -> datetime | None:
    """When the incident's postmortem is due; None if its severity asks for none."""
    resolved = incident.resolved_at
    sev = worst_severity(site, incident)
    if incident.kind is not Kind.INCIDENT or resolved is None or sev is None:
        return None
    return resolved + sev.postmortem_within if sev.postmortem_within else None


def on_time(site: Site, incident: Incident) -> bool | None:
    """Whether the postmortem was published by its due time; None if none is due (yet)."""
    due = postmortem_due(site, incident)
    if due is None:
        return None
    pm = incident.postmortem
    return pm is not None and pm.at <= due


def postmortem_findings(site: Site, incident: Incident, now: datetime) -> list[Finding]:
    """A warning when the postmortem is late, or missing past its due time."""
    due = postmortem_due(site, incident)
    sev = worst_severity(site, incident)
    if due is None or sev is None or sev.postmortem_within is None:
        return []
    resolved, pm, last = incident.resolved_at, incident.postmortem, incident.last
    within = span(sev.postmortem_within)
    if pm is not None and pm.at > due:
        message = (
            f"{sev.key} postmortem published {span(pm.at - due)} late, at {iso_utc(pm.at)} "
            f"(due by {iso_utc(due)}, {within} after the resolution; rule postmortem_within)"
        )
        return [_late(sev, incident, pm.file, 2, message, resolved, pm.at, due)]
    if pm is None and now > due:
        draft = (
            f"; {incident.postmortem_draft} is still a draft (remove 'draft: true' to publish)"
            if incident.postmortem_draft
            else f"; write one with 'postmortem {incident.slug}'"
        )
        message = (
            f"{sev.key} incident resolved at {iso_utc(last.at)} has no published postmortem; "
            f"it was due by {iso_utc(due)} ({within} after the resolution, rule "
            f"postmortem_within){draft}"
        )
        return [_late(sev, incident, last.file, last.line, message, resolved, due, due)]
    return []


def _late(
    sev: Severity,
    incident: Incident,
    file: str,
    line: int,
    message: str,
    start: datetime | None,
    end: datetime,
    due: datetime,
) -> Finding:
    gap = end - start if start else None
    return Finding(
        Level.WARNING,
        "postmortem_within",
        incident.slug,
        file,
        line,
        message,
        start,
        end,
        gap,
        sev.postmortem_within,
        sev.key,
    )
