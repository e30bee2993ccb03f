"""Daily uptime per component and per group: incident intervals bucketed into calendar days.

The updates of each incident that reaches into the window are walked once into per-component
status intervals (older incidents are passed over by their last update alone); each component's
intervals are swept into one worst-status timeline, and that timeline is cut at the site's
local midnights. The cost grows with the window's incidents + components x days.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from functools import partial

from heliograph.content.model import (
    CLOSED_STATUSES,
    ComponentStatus,
    Content,
    Incident,
    Kind,
    Site,
    began_key,
    hashed_once,
)
from heliograph.content.timefmt import MONTHS, local, zone
from heliograph.state import derive
from heliograph.state.reuse import Memo, fresh

# Tenths of a moment counted as downtime: major outage 1, partial outage 0.3 (the Statuspage
# convention); other statuses count as up. Whole numbers keep the sums exact and fast.
DOWNTIME_TENTHS = {ComponentStatus.MAJOR_OUTAGE: 10, ComponentStatus.PARTIAL_OUTAGE: 3}
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class DayUptime:
    """One calendar day of one component (or group) in the site's zone."""

    date: date
    uptime: Fraction  # 1 is fully up; today counts only up to `now`
    worst: ComponentStatus  # the worst status it had at any moment of the day
    incidents: tuple[Incident, ...]  # incidents and maintenance touching it that day, oldest first


@hashed_once  # a memo key of the group it is a member of
@dataclass(frozen=True)
class Uptime:
    """A component's or a group's days over the window, oldest first, and the window's uptime."""

    id: str
    days: tuple[DayUptime, ...]
    uptime: Fraction


@dataclass(frozen=True)
class SiteUptime:
    """Every component's history, and each group's summary of its shown members."""

    components: tuple[Uptime, ...]
    groups: tuple[Uptime, ...]

    def component(self, cid: str) -> Uptime | None:
        return next((u for u in self.components if u.id == cid), None)

    def group(self, gid: str | None) -> Uptime | None:
        return next((u for u in self.groups if u.id == gid), None)


@dataclass(frozen=True)
class Interval:
    """A stretch of time during which one incident gives one component one status."""

    component: str
    start: datetime
    end: datetime
    status: ComponentStatus
    incident: Incident


def site_uptime(
    content: Content,
    now: datetime,
    memo: Memo | None = None,
    window: tuple[Incident, ...] | None = None,
) -> SiteUptime:
    """Daily uptime of every component and group over `site.uptime_days` up to `now`; `memo`
    may answer for a component or group whose inputs are the same as before (the preview's:
    a new incident changes the days of its own components only), and for the intervals of an
    incident closed before `now`. `window` is `in_window(content, now)`, if known."""
    site = content.site
    bounds = day_bounds(site, now)
    made = memo or fresh
    by_component: dict[str, list[Interval]] = defaultdict(list)
    for incident in window if window is not None else in_window(content, now, bounds[0]):
        for interval in _intervals(incident, now, made):
            if interval.end > bounds[0]:  # older history cannot touch the window
                by_component[interval.component].append(interval)
    dates = tuple(local(b, site.timezone).date() for b in bounds[:-1])
    components = tuple(
        made(
            ("component-uptime", c.id, intervals, dates, bounds, now),
            partial(component_uptime, c.id, intervals, dates, bounds, now),
        )
        for c in site.components
        for intervals in [tuple(by_component[c.id])]
    )
    shown = {u.id: u for u, c in zip(components, site.components, strict=True) if c.show_uptime}
    groups = tuple(
        made(("group-uptime", g.id, members), partial(group_uptime, g.id, members))
        for g in site.groups
        for members in [tuple(shown[cid] for cid in g.components if cid in shown)]
        if members
    )
    return SiteUptime(components, groups)


def in_window(
    content: Content, now: datetime, since: datetime | None = None
) -> tuple[Incident, ...]:
    """The incidents that `site_uptime` reads at `now`: those that reach into the window
    (which begins at `since`, if known).

    Those are the ones with a moment after `since` (an incident closed by then reaches no
    further), and of the open ones, those left active at their last moment; the content finds
    the first without a walk over the history where it can (Content.ending_after)."""
    since = since or day_bounds(content.site, now)[0]
    ending = content.ending_after(since)
    left_on = [i for i in content.not_closed if i.last_moment <= since and reaches(i, since)]
    if not left_on:
        return ending
    return tuple(sorted((*ending, *left_on), key=began_key, reverse=True))


def day_bounds(site: Site, now: datetime) -> tuple[datetime, ...]:
    """The local midnights that start each day of the window, and the one after today, in UTC.

    In UTC because Python subtracts two times of one zone by the wall clock, which would make
    every day 24 hours long, daylight-saving days included.
    """
    today = local(now, site.timezone).date()
    tz = zone(site.timezone)
    first = today - timedelta(days=site.uptime_days - 1)
    return tuple(
        datetime.combine(first + timedelta(days=n), time(), tz).astimezone(UTC)
        for n in range(site.uptime_days + 1)
    )


def reaches(incident: Incident, since: datetime) -> bool:
    """Whether the incident can give a component a status after `since`: it has a moment (an
    update, or a maintenance window's edge) after it, or it was left active at its last one."""
    final = incident.last_moment
    return final > since or (
        incident.last.status not in CLOSED_STATUSES and derive.is_active(incident, final)
    )


def _intervals(incident: Incident, now: datetime, memo: Memo) -> tuple[Interval, ...]:
    """`incident_intervals`; from `memo` for an incident closed before `now`, whose intervals
    all end by its last moment and so stay as they are while `now` moves on."""
    if incident.resolved_at is None or incident.last_moment >= now:
        return tuple(incident_intervals(incident, now))
    return memo(("intervals", incident), lambda: tuple(incident_intervals(incident, now)))


def incident_intervals(incident: Incident, now: datetime) -> Iterator[Interval]:
    """Walk the updates once: each sets its components' statuses from its `at` to the next.

    The incident gives statuses only while it is open (maintenance: in progress or verifying,
    posted or by the clock), so the window's edges are walked as moments too.
    """
    edges = [
        e
        for e in (incident.scheduled_for, incident.scheduled_until)
        if e and incident.kind is Kind.MAINTENANCE
    ]
    moments = sorted({u.at for u in incident.updates}.union(edges))
    moments = [m for m in moments if m < now] + [now]
    statuses: dict[str, ComponentStatus] = {}
    opened: dict[str, tuple[datetime, ComponentStatus]] = {}
    posted, n = None, 0
    for at in moments:
        while n < len(incident.updates) and incident.updates[n].at <= at:
            statuses.update(incident.updates[n].components)
            posted, n = incident.updates[n].status, n + 1
        active = (
            posted is not None
            and at < now
            and derive.affects(incident.kind, derive.phase_after(incident, posted, at))
        )
        current = statuses if active else {}
        for cid, (start, status) in list(opened.items()):
            if current.get(cid) is not status:
                del opened[cid]
                yield Interval(cid, start, at, status, incident)
        for cid, status in current.items():
            opened.setdefault(cid, (at, status))


def worst_timeline(
    intervals: Sequence[Interval],
) -> list[tuple[datetime, datetime, ComponentStatus]]:
    """One component's overlapping intervals as non-overlapping stretches of its worst status."""
    events = sorted(
        [(i.start, 1, i.status) for i in intervals] + [(i.end, -1, i.status) for i in intervals],
        key=lambda e: e[0],
    )
    count: dict[ComponentStatus, int] = defaultdict(int)
    pieces: list[tuple[datetime, datetime, ComponentStatus]] = []
    for k, (at, step, status) in enumerate(events):
        count[status] += step
        if k + 1 < len(events) and events[k + 1][0] > at:
            now_worst = derive.worst(s for s, c in count.items() if c > 0)
            if now_worst is not ComponentStatus.OPERATIONAL:
                pieces.append((at, events[k + 1][0], now_worst))
    return pieces


def _days_of(start: datetime, end: datetime, bounds: Sequence[datetime]) -> range:
    """Indexes of the window's days that the stretch [start, end) overlaps."""
    first = max(bisect_right(bounds, start) - 1, 0)
    last = min(bisect_right(bounds, end - _US), len(bounds) - 1)
    return range(first, last) if end > bounds[0] and start < bounds[-1] else range(0)


def component_uptime(
    cid: str,
    intervals: Sequence[Interval],
    dates: Sequence[date],
    bounds: Sequence[datetime],
    now: datetime,
) -> Uptime:
    """One component's days: downtime and worst status from its timeline, incidents touching."""
    days = len(bounds) - 1
    down = [0] * days  # tenths of a microsecond
    worst = [ComponentStatus.OPERATIONAL] * days
    touched: list[dict[str, Incident]] = [{} for _ in range(days)]
    for start, end, status in worst_timeline(intervals):
        for d in _days_of(start, end, bounds):
            overlap = min(end, bounds[d + 1]) - max(start, bounds[d])
            down[d] += DOWNTIME_TENTHS.get(status, 0) * (overlap // _US)
            worst[d] = derive.worst((worst[d], status))
    for i in intervals:
        for d in _days_of(i.start, i.end, bounds):
            touched[d].setdefault(i.incident.slug, i.incident)
    seen = [max(min(bounds[d + 1], now) - bounds[d], timedelta(0)) // _US * 10 for d in range(days)]
    records = tuple(
        DayUptime(
            dates[d],
            _share_up(down[d], seen[d]),
            worst[d],
            tuple(sorted(touched[d].values(), key=lambda i: (i.began, i.slug))),
        )
        for d in range(days)
    )
    return Uptime(cid, records, _share_up(sum(down), sum(seen)))


def _share_up(down: int, seen: int) -> Fraction:
    """A day not yet begun (or a window of no time) was never down."""
    return 1 - Fraction(down, seen) if seen else Fraction(1)


def group_uptime(gid: str, members: Sequence[Uptime]) -> Uptime:
    """A group's day is the mean of its members' uptime and the worst of their statuses."""
    days = []
    for same_day in zip(*(m.days for m in members), strict=True):
        touched = {i.slug: i for day in same_day for i in day.incidents}
        days.append(
            DayUptime(
                same_day[0].date,
                sum((d.uptime for d in same_day), Fraction(0)) / len(same_day),
                derive.worst(d.worst for d in same_day),
                tuple(sorted(touched.values(), key=lambda i: (i.began, i.slug))),
            )
        )
    mean = sum((m.uptime for m in members), Fraction(0)) / len(members)
    return Uptime(gid, tuple(days), mean)


def percent(uptime: Fraction) -> str:
    """`100%` only when nothing was down; otherwise rounded down to `99.97%`, never up to 100."""
    if uptime == 1:
        return "100%"
    hundredths = int(uptime * 10000)  # int() of a non-negative Fraction rounds down
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def day_label(day: date) -> str:
    """`24 November 2026`, spelt out rather than left to the machine's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
