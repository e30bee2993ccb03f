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


def components_changed(content: Content, now: datetime) -> dict[str, datetime]:
    """When each component's status last changed: an update naming it, or a window boundary.

    Components that no incident ever touched are left out.
    """
    changed: dict[str, datetime] = {}

    def saw(cid: str, t: datetime) -> None:
        if cid not in changed or t > changed[cid]:
            changed[cid] = t

    for i in derive.visible(content, now):
        for u in derive.updates_until(i, now):
            for cid, _ in u.components:
                saw(cid, u.at)
        if i.kind is Kind.MAINTENANCE:
            for t in (i.scheduled_for, i.scheduled_until):
                if t and t <= now:
                    for cid in i.component_ids:
                        saw(cid, t)
    return changed
