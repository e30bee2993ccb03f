"""What an incident says of itself agrees with the SOPs: its severity with the state of its
components, the next update it promises with the cadence, its resolution with its fix.

- impact: a severity whose impact is two or more steps from what its components show (a SEV-4,
  impact none, with a major outage; a SEV-1 for degraded performance only);
- promise: an update promising the next one later than `update_every` allows ("next update
  in 2 hours" under a 60-minute rule);
- resolve_within: longer in `monitoring` than the severity allows before `resolved` (the fix
  held, but customers were never told).
Each is an error while the incident is open (there is time to put it right) and a warning once
it is resolved.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from heliograph.checks.findings import Finding, Level, clock_utc, span
from heliograph.content.model import ComponentStatus, Impact, Incident, IncidentStatus, Site
from heliograph.state import derive

IMPACT_STEP = {Impact.NONE: 0, Impact.MINOR: 1, Impact.MAJOR: 2, Impact.CRITICAL: 3}
STATUS_STEP = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 0,
    ComponentStatus.DEGRADED_PERFORMANCE: 1,
    ComponentStatus.PARTIAL_OUTAGE: 2,
    ComponentStatus.MAJOR_OUTAGE: 3,
}
_PROMISE = re.compile(
    r"\b(?:next|another|further|an|the next)\s+update(?:s)?\s+(?:will follow\s+|will be "
    r"posted\s+|is due\s+)?(?:in|within)\s+(?:about\s+|approximately\s+)?(\d+|an?|one|two|three|"
    r"four|six|twelve)\s*(minutes?|mins?|m|hours?|hrs?|h)\b",
    re.IGNORECASE,
)
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12}


def commitment_findings(site: Site, incident: Incident, now: datetime) -> list[Finding]:
    level = Level.ERROR if derive.is_open(incident, now) else Level.WARNING
    return [
        *_impact(site, incident, level),
        *_promises(site, incident, level),
        *_resolve_within(site, incident, now, level),
        *_rewritten(incident),
    ]


def _rewritten(incident: Incident) -> list[Finding]:
    """A published update whose time or status a later commit changed: history rewritten."""
    found = []
    for u in incident.updates:
        if u.first_published is None:
            continue
        at, status = u.first_published
        what = [f"'at' from {at} to {u.at.isoformat()}" if at else "",
                f"'status' from {status} to {u.status.value}" if status else ""]  # fmt: skip
        found.append(
            Finding(
                Level.WARNING,
                "rewritten",
                incident.slug,
                u.file,
                u.line,
                f"this update was published, then changed: {' and '.join(w for w in what if w)}"
                "; correct history with a new update instead, so that subscribers see it "
                "(rule rewritten)",
            )
        )
    return found


def _impact(site: Site, incident: Incident, level: Level) -> list[Finding]:
    """Each update after which the severity in force and the components disagree."""
    found = []
    state: dict[str, ComponentStatus] = {}
    for u in incident.updates:
        state.update(u.components)
        key = derive.severity_at(incident, u.at)
        if key is None or not (u.components or u.severity):
            continue
        sev = site.severity(key)
        worst = max(state.values(), key=lambda s: STATUS_STEP[s], default=None)
        if worst is None or sev.impact not in IMPACT_STEP:
            continue
        shown, said = STATUS_STEP[worst], IMPACT_STEP[sev.impact]
        if worst is ComponentStatus.OPERATIONAL or abs(shown - said) < 2:
            continue
        direction = "lower" if said < shown else "higher"
        found.append(
            Finding(
                level,
                "impact",
                incident.slug,
                u.file,
                u.line,
                f"{sev.key} ({sev.label}, impact {sev.impact.value}) is {direction} than its "
                f"components show (worst: {worst.label.lower()}); change the severity or the "
                "component statuses so that customers read one story (rule impact)",
                severity=sev.key,
            )
        )
    return found


def _promises(site: Site, incident: Incident, level: Level) -> list[Finding]:
    found = []
    for u in incident.updates:
        m = _PROMISE.search(u.body)
        key = derive.severity_at(incident, u.at)
        sev = site.severity(key) if key else None
        if m is None or sev is None or sev.update_every is None:
            continue
        count = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1).lower()]
        unit = timedelta(hours=1) if m.group(2).lower().startswith("h") else timedelta(minutes=1)
        promised = count * unit
        if promised <= sev.update_every:
            continue
        line = u.body_line + u.body.count("\n", 0, m.start())
        found.append(
            Finding(
                level,
                "promise",
                incident.slug,
                u.file,
                line,
                f'"{" ".join(m.group().split())}": promises the next update {span(promised)} '
                f"after this one, but {sev.key} asks for one every {span(sev.update_every)}; "
                f"promise one by {clock_utc(u.at + sev.update_every)} UTC instead (rule promise)",
                start=u.at,
                end=u.at + promised,
                gap=promised,
                limit=sev.update_every,
                severity=sev.key,
            )
        )
    return found


def _resolve_within(site: Site, incident: Incident, now: datetime, level: Level) -> list[Finding]:
    """From the start of the last run of `monitoring` to `resolved` (or to `now`)."""
    updates = incident.updates
    closing = updates[-1].status is IncidentStatus.RESOLVED
    run = len(updates) - 1 if closing else len(updates)
    while run > 0 and updates[run - 1].status is IncidentStatus.MONITORING:
        run -= 1
    end_index = len(updates) - 1 if closing else len(updates)
    if run >= end_index:
        return []  # no monitoring right before the end
    began = updates[run].at
    key = derive.severity_at(incident, began)
    sev = site.severity(key) if key else None
    if sev is None or sev.resolve_within is None:
        return []
    end = updates[-1].at if closing else now
    if end - began <= sev.resolve_within:
        return []
    at = updates[-1]
    what = "resolved" if closing else "still in monitoring"
    return [
        Finding(
            level,
            "resolve_within",
            incident.slug,
            at.file,
            at.line,
            f"{sev.key} incident {what} {span(end - began)} after monitoring began at "
            f"{clock_utc(began)} UTC (limit {span(sev.resolve_within)}, rule resolve_within): "
            "once the fix holds, post 'resolved'",
            start=began,
            end=end,
            gap=end - began,
            limit=sev.resolve_within,
            severity=sev.key,
        )
    ]
