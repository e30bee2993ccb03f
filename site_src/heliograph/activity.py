"""When things last changed: the times feeds, the API and the sitemap stamp themselves with.

Always taken from the content, never from the clock, so a rebuild with nothing new is
byte-identical and incremental deploys upload nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from heliograph import derive
from heliograph.model import Content, Incident, Kind

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the time of outputs with nothing in them yet


def latest_update(incident: Incident, now: datetime) -> datetime:
    """The newest update public at `now` (call only for visible incidents)."""
    return derive.updates_until(incident, now)[-1].at


def incident_changed(incident: Incident, now: datetime) -> datetime:
    """The newest update or the postmortem, whichever came last by `now`."""
    pm = incident.postmortem
    newest = latest_update(incident, now)
    return max(newest, pm.at) if pm and pm.at <= now else newest


def site_changed(content: Content, now: datetime) -> datetime | None:
    """The newest public update of the whole site; None before the first incident."""
    return max((latest_update(i, now) for i in derive.visible(content, now)), default=None)


def component_changed(content: Content, cid: str, now: datetime) -> datetime | None:
    """When the component's status last changed: an update naming it, or a window boundary."""
    times: list[datetime] = []
    for i in derive.visible(content, now):
        if cid not in i.component_ids:
            continue
        times += [u.at for u in derive.updates_until(i, now) if cid in dict(u.components)]
        if i.kind is Kind.MAINTENANCE:
            times += [t for t in (i.scheduled_for, i.scheduled_until) if t and t <= now]
    return max(times, default=None)
