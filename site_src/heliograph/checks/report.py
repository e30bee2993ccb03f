"""`report`: per severity, how fast incidents were detected, announced and resolved, how often
the SOPs' rules were met, against the targets of components.yaml, and month by month.

Definitions:
- to detect: `detected` - `started`; to first update: the first public update - `detected`
  (else `started`), as the `first_update` rule measures it; to resolve: the resolving update -
  the start of impact (`started`, else the first update). Each is given as mean, median and
  90th percentile over the incidents that have both times; the others are counted as unknown.
- first update met: no `first_update` finding, out of the incidents with a detection (or
  start) time; an incident without one is unknown, never met.
- cadence met: no `update_every` or `overdue` finding; monitoring met: no `monitor_for`
  finding, out of the resolved incidents; postmortems on time: published by their due time,
  out of those due by `now` (the ones not yet due are pending).
- targets: `mttd` against the mean time to detect, `mttr` against the mean time to resolve.
An incident counts under the most severe level it reached, so an escalated SEV-2 is a SEV-1.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from heliograph.checks.cadence import cadence_findings
from heliograph.checks.findings import span
from heliograph.checks.postmortem import on_time, postmortem_due, worst_severity
from heliograph.content.model import Content, Incident, Kind, Severity, Site
from heliograph.content.timefmt import iso_utc, local

JSON_VERSION = 2  # 2: mean, median and p90; the rules' shares; targets; months

__all__ = ["Report", "as_json", "as_markdown", "as_text", "report", "worst_severity"]


@dataclass(frozen=True)
class Stat:
    """A duration over the incidents that have it."""

    known: int
    unknown: int
    mean: timedelta | None = None
    median: timedelta | None = None
    p90: timedelta | None = None


def stat(values: Iterable[timedelta | None]) -> Stat:
    listed = list(values)
    known = sorted(v for v in listed if v is not None)
    unknown = len(listed) - len(known)
    if not known:
        return Stat(0, unknown)
    mid = len(known) // 2  # statistics.median, which typeshed does not allow for timedelta
    median = known[mid] if len(known) % 2 else (known[mid - 1] + known[mid]) / 2
    p90 = known[math.ceil(0.9 * len(known)) - 1]  # nearest rank
    return Stat(len(known), unknown, sum(known, timedelta()) / len(known), median, p90)


@dataclass(frozen=True)
class Share:
    """How many met a rule, of how many it was measured on; `unknown` could not be measured
    (no detection time; a postmortem not yet due). `rule` is False when the severity has none."""

    rule: bool
    met: int = 0
    of: int = 0
    unknown: int = 0

    @property
    def share(self) -> float | None:
        return self.met / self.of if self.rule and self.of else None


@dataclass(frozen=True)
class Target:
    limit: timedelta | None
    value: timedelta | None

    @property
    def met(self) -> bool | None:
        if self.limit is None or self.value is None:
            return None
        return self.value <= self.limit


@dataclass(frozen=True)
class Figures:
    """The figures of a set of incidents: a severity's, or a month's."""

    incidents: int
    to_detect: Stat
    to_first_update: Stat
    to_resolve: Stat
    first_update: Share
    cadence: Share
    monitoring: Share
    postmortems: Share


@dataclass(frozen=True)
class SeverityFigures:
    severity: Severity
    figures: Figures

    @property
    def mttd(self) -> Target:
        return Target(self.severity.mttd, self.figures.to_detect.mean)

    @property
    def mttr(self) -> Target:
        return Target(self.severity.mttr, self.figures.to_resolve.mean)


@dataclass(frozen=True)
class Report:
    now: datetime
    since: date | None
    rows: tuple[SeverityFigures, ...]
    months: tuple[tuple[str, Figures], ...]  # ("2026-02", figures), oldest first


def _between(a: datetime | None, b: datetime | None) -> timedelta | None:
    return b - a if a is not None and b is not None else None


def _share(
    incidents: list[tuple[Incident, Severity, set[str]]],
    has_rule: Callable[[Severity], bool],
    measured: Callable[[Incident], bool | None],
) -> Share:
    """`measured` is True (met), False (missed) or None (unknown) for each incident whose
    severity has the rule."""
    ruled = [(i, r) for i, s, r in incidents if has_rule(s)]
    if not ruled:
        return Share(False)
    results = [measured(i) for i, _ in ruled]
    return Share(True, sum(r is True for r in results), sum(r is not None for r in results),
                 sum(r is None for r in results))  # fmt: skip


def figures(site: Site, incidents: list[Incident], now: datetime) -> Figures:
    rows = []
    for i in incidents:
        sev = worst_severity(site, i)
        if sev is not None:
            rows.append((i, sev, {f.rule for f in cadence_findings(site, i, now)}))
    rules = {i.slug: r for i, _, r in rows}

    def postmortem(i: Incident) -> bool | None:
        due = postmortem_due(site, i)
        if due is None or (i.postmortem is None and now <= due):
            return None  # not resolved, or not yet due: pending
        return on_time(site, i)

    return Figures(
        incidents=len(incidents),
        to_detect=stat(_between(i.started, i.detected) for i in incidents),
        to_first_update=stat(_between(i.detected or i.started, i.first.at) for i in incidents),
        to_resolve=stat(_between(i.began, i.resolved_at) for i in incidents),
        first_update=_share(
            rows,
            lambda s: s.first_update is not None,
            lambda i: (
                None if (i.detected or i.started) is None else "first_update" not in rules[i.slug]
            ),
        ),
        cadence=_share(
            rows,
            lambda s: s.update_every is not None,
            lambda i: not rules[i.slug] & {"update_every", "overdue"},
        ),
        monitoring=_share(
            rows,
            lambda s: s.monitor_for is not None,
            lambda i: None if i.resolved_at is None else "monitor_for" not in rules[i.slug],
        ),
        postmortems=_share(rows, lambda s: s.postmortem_within is not None, postmortem),
    )


def report(content: Content, now: datetime, since: date | None = None) -> Report:
    """The figures per severity and per month for incidents whose impact began on or after
    `since` (a day in the site's zone)."""
    site = content.site
    by_severity: dict[str, list[Incident]] = {s.key: [] for s in site.severities}
    by_month: dict[str, list[Incident]] = {}
    for incident in content.incidents:
        severity = worst_severity(site, incident)
        if incident.kind is not Kind.INCIDENT or severity is None:
            continue
        began = local(incident.began, site.timezone)
        if since is None or began.date() >= since:
            by_severity[severity.key].append(incident)
            by_month.setdefault(f"{began:%Y-%m}", []).append(incident)
    rows = tuple(
        SeverityFigures(s, figures(site, by_severity[s.key], now)) for s in site.severities
    )
    months = tuple((m, figures(site, found, now)) for m, found in sorted(by_month.items()))
    return Report(now, since, rows, months)


# --- text ---------------------------------------------------------------------------------


def _d(d: timedelta | None) -> str:
    return span(timedelta(seconds=round(d.total_seconds()))) if d is not None else "-"


def _stat_text(s: Stat) -> str:
    if not s.known:
        return f"unknown ({s.unknown} without the times)" if s.unknown else "-"
    shown = f"mean {_d(s.mean)}, median {_d(s.median)}, p90 {_d(s.p90)}"
    return shown + (f"; {s.unknown} unknown" if s.unknown else "")


def _share_text(s: Share, unknown_word: str = "unknown") -> str:
    if not s.rule:
        return "no rule"
    if not s.of and not s.unknown:
        return "-"
    shown = f"{s.met} of {s.of} ({s.share:.0%})" if s.of else "none measured"
    return shown + (f"; {s.unknown} {unknown_word}" if s.unknown else "")


def _target_text(t: Target) -> str:
    if t.limit is None:
        return ""
    verdict = {True: "met", False: "missed", None: "unknown"}[t.met]
    return f"  target under {_d(t.limit)}: {verdict}"


def _heading(r: Report) -> str:
    which = f"Incidents since {r.since.isoformat()}" if r.since else "All incidents"
    return f"{which}, as of {iso_utc(r.now)}"


def as_text(r: Report) -> str:
    """Per severity a block of figures, then a month-by-month table."""
    lines = [_heading(r)]
    for row in r.rows:
        f = row.figures
        lines += [
            "",
            f"{row.severity.key} {row.severity.label}: {f.incidents} "
            f"incident{'' if f.incidents == 1 else 's'}",
        ]
        if not f.incidents:
            continue
        lines += [
            f"  to detect        {_stat_text(f.to_detect)}{_target_text(row.mttd)}",
            f"  to first update  {_stat_text(f.to_first_update)}",
            f"  to resolve       {_stat_text(f.to_resolve)}{_target_text(row.mttr)}",
            f"  first update     {_share_text(f.first_update, 'without a detection time')}",
            f"  cadence          {_share_text(f.cadence)}",
            f"  monitoring       {_share_text(f.monitoring, 'still open')}",
            f"  postmortems      {_share_text(f.postmortems, 'not yet due')}",
        ]
    lines += ["", "Month by month (all severities)"]
    table = [("month", "incidents", "mean to resolve", "met cadence", "postmortems on time")]
    table += [
        (m, str(f.incidents), _d(f.to_resolve.mean), _share_text(f.cadence),
         _share_text(f.postmortems, "not yet due"))
        for m, f in r.months
    ]  # fmt: skip
    widths = [max(len(cells[i]) for cells in table) for i in range(len(table[0]))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
              for cells in table]  # fmt: skip
    return "\n".join(lines)


# --- Markdown, for a workflow's job summary -------------------------------------------------


def _target_md(t: Target) -> str:
    if t.limit is None:
        return ""
    return {True: " ✅", False: " ❌", None: ""}[t.met] + f" (target {_d(t.limit)})"


def as_markdown(r: Report) -> str:
    """Two tables: per severity against the targets, and per month."""
    lines = [
        f"## Incident report: {_heading(r)}",
        "",
        "| severity | incidents | mean to detect | mean to first update | mean to resolve | p90 "
        "to resolve | first update | cadence | monitoring | postmortems on time |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in r.rows:
        f = row.figures
        lines.append(
            f"| {row.severity.key} {row.severity.label} | {f.incidents} | "
            f"{_d(f.to_detect.mean)}{_target_md(row.mttd)} | {_d(f.to_first_update.mean)} | "
            f"{_d(f.to_resolve.mean)}{_target_md(row.mttr)} | {_d(f.to_resolve.p90)} | "
            f"{_share_text(f.first_update)} | {_share_text(f.cadence)} | "
            f"{_share_text(f.monitoring)} | {_share_text(f.postmortems, 'not yet due')} |"
        )
    lines += [
        "",
        "| month | incidents | mean to resolve | cadence | postmortems on time |",
        "|---|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {m} | {f.incidents} | {_d(f.to_resolve.mean)} | {_share_text(f.cadence)} | "
        f"{_share_text(f.postmortems, 'not yet due')} |"
        for m, f in r.months
    ]
    return "\n".join(lines)


# --- JSON -----------------------------------------------------------------------------------


def _seconds(d: timedelta | None) -> int | float | None:
    if d is None:
        return None
    s = d.total_seconds()
    return int(s) if s == int(s) else s


def _stat_json(s: Stat) -> dict[str, Any]:
    return {
        "known": s.known,
        "unknown": s.unknown,
        "mean_seconds": _seconds(s.mean),
        "median_seconds": _seconds(s.median),
        "p90_seconds": _seconds(s.p90),
    }


def _share_json(s: Share) -> dict[str, Any]:
    if not s.rule:
        return {"rule": False, "met": None, "of": None, "unknown": None, "share": None}
    return {"rule": True, "met": s.met, "of": s.of, "unknown": s.unknown, "share": s.share}


def _target_json(t: Target) -> dict[str, Any]:
    return {"limit_seconds": _seconds(t.limit), "value_seconds": _seconds(t.value), "met": t.met}


def _figures_json(f: Figures) -> dict[str, Any]:
    return {
        "incidents": f.incidents,
        "to_detect": _stat_json(f.to_detect),
        "to_first_update": _stat_json(f.to_first_update),
        "to_resolve": _stat_json(f.to_resolve),
        "first_update": _share_json(f.first_update),
        "cadence": _share_json(f.cadence),
        "monitoring": _share_json(f.monitoring),
        "postmortems_on_time": _share_json(f.postmortems),
    }


def as_json(r: Report) -> str:
    """The stable document `report --format json` prints; durations in seconds."""
    doc = {
        "version": JSON_VERSION,
        "now": iso_utc(r.now),
        "since": r.since.isoformat() if r.since else None,
        "severities": [
            {
                "severity": row.severity.key,
                "label": row.severity.label,
                **_figures_json(row.figures),
                "targets": {"mttd": _target_json(row.mttd), "mttr": _target_json(row.mttr)},
            }
            for row in r.rows
        ],
        "months": [{"month": m, **_figures_json(f)} for m, f in r.months],
    }
    return json.dumps(doc, indent=2)
