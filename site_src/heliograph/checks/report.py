"""`report`: per severity, how fast incidents were detected, announced and resolved (medians).

Definitions (each a median over the incidents that have both times):
- to detect: `detected` - `started`;
- to first update: the first public update - `detected` (else `started`), as the
  `first_update` rule measures it;
- to resolve: the resolving update - the start of impact (`started`, else the first update);
- met cadence: incidents with no `first_update`, `update_every` or `overdue` finding, out of
  those whose severity has such a rule.
An incident counts under the most severe level it reached, so an escalated SEV-2 is a SEV-1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from heliograph.checks.cadence import cadence_findings
from heliograph.checks.findings import span
from heliograph.content.model import Content, Incident, Kind, Severity, Site
from heliograph.content.timefmt import iso_utc, local

CADENCE_RULES = frozenset({"first_update", "update_every", "overdue"})
JSON_VERSION = 1


@dataclass(frozen=True)
class SeverityFigures:
    """One row of the report."""

    severity: Severity
    incidents: int
    to_detect: timedelta | None
    to_first_update: timedelta | None
    to_resolve: timedelta | None
    cadence_met: int
    cadence_checked: int  # incidents under a cadence rule

    @property
    def cadence_share(self) -> float | None:
        return self.cadence_met / self.cadence_checked if self.cadence_checked else None

    @property
    def has_cadence_rule(self) -> bool:
        return self.severity.first_update is not None or self.severity.update_every is not None


@dataclass(frozen=True)
class Report:
    now: datetime
    since: date | None
    rows: tuple[SeverityFigures, ...]


def _median(values: Iterable[timedelta | None]) -> timedelta | None:
    known = sorted(v for v in values if v is not None)
    if not known:
        return None
    mid = len(known) // 2  # statistics.median, which typeshed does not allow for timedelta
    return known[mid] if len(known) % 2 else (known[mid - 1] + known[mid]) / 2


def worst_severity(site: Site, incident: Incident) -> Severity | None:
    """The most severe level an incident reached."""
    reached = [site.severity(u.severity) for u in incident.updates if u.severity]
    return min(reached, key=lambda s: s.rank, default=None)


def _between(a: datetime | None, b: datetime | None) -> timedelta | None:
    return b - a if a is not None and b is not None else None


def _row(
    site: Site, severity: Severity, incidents: list[Incident], now: datetime
) -> SeverityFigures:
    met = sum(
        not any(f.rule in CADENCE_RULES for f in cadence_findings(site, i, now)) for i in incidents
    )
    return SeverityFigures(
        severity=severity,
        incidents=len(incidents),
        to_detect=_median(_between(i.started, i.detected) for i in incidents),
        to_first_update=_median(_between(i.detected or i.started, i.first.at) for i in incidents),
        to_resolve=_median(_between(i.began, i.resolved_at) for i in incidents),
        cadence_met=met,
        cadence_checked=len(incidents),
    )


def report(content: Content, now: datetime, since: date | None = None) -> Report:
    """The figures per severity for incidents whose impact began on or after `since`."""
    site = content.site
    by_severity: dict[str, list[Incident]] = {s.key: [] for s in site.severities}
    for incident in content.incidents:
        severity = worst_severity(site, incident)
        if incident.kind is not Kind.INCIDENT or severity is None:
            continue
        if since is None or local(incident.began, site.timezone).date() >= since:
            by_severity[severity.key].append(incident)
    rows = tuple(_row(site, s, by_severity[s.key], now) for s in site.severities)
    return Report(now, since, rows)


def _shown(d: timedelta | None) -> str:
    return span(d) if d is not None else "-"


def _share(row: SeverityFigures) -> str:
    share = row.cadence_share
    if not row.has_cadence_rule:
        return "no rule"
    if share is None:
        return "-"
    return f"{row.cadence_met} of {row.cadence_checked} ({share:.0%})"


HEADINGS = ("severity", "incidents", "to detect", "to first update", "to resolve", "met cadence")


def as_text(r: Report) -> str:
    """A plain table, one row per severity; durations are medians."""
    table = [HEADINGS] + [
        (
            f"{row.severity.key} {row.severity.label}",
            str(row.incidents),
            _shown(row.to_detect),
            _shown(row.to_first_update),
            _shown(row.to_resolve),
            _share(row),
        )
        for row in r.rows
    ]
    widths = [max(len(cells[i]) for cells in table) for i in range(len(HEADINGS))]
    # The first column reads left to right; figures line up on the right.
    lines = [
        "  ".join(
            [cells[0].ljust(widths[0])]
            + [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        )
        for cells in table
    ]
    which = f"Incidents since {r.since.isoformat()}" if r.since else "All incidents"
    return "\n".join([f"{which}, as of {iso_utc(r.now)} (times are medians)", *lines])


def _seconds(d: timedelta | None) -> int | float | None:
    if d is None:
        return None
    s = d.total_seconds()
    return int(s) if s == int(s) else s


def as_json(r: Report) -> str:
    """The stable document `report --format json` prints; durations in seconds."""
    rows = [
        {
            "severity": row.severity.key,
            "label": row.severity.label,
            "incidents": row.incidents,
            "median_seconds": {
                "to_detect": _seconds(row.to_detect),
                "to_first_update": _seconds(row.to_first_update),
                "to_resolve": _seconds(row.to_resolve),
            },
            "cadence": {
                "rule": row.has_cadence_rule,
                "met": row.cadence_met,
                "of": row.cadence_checked,
                "share": row.cadence_share,
            }
            if row.has_cadence_rule
            else {"rule": False, "met": None, "of": None, "share": None},
        }
        for row in r.rows
    ]
    doc = {
        "version": JSON_VERSION,
        "now": iso_utc(r.now),
        "since": r.since.isoformat() if r.since else None,
        "severities": rows,
    }
    return json.dumps(doc, indent=2)
