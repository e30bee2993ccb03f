"""When things last changed: the times feeds, the API and the sitemap stamp themselves with.

Always taken from the content, never from the clock, so a rebuild with nothing new is
byte-identical and incremental deploys upload nothing.

A long history is walked once per question, and cheaply: each incident is asked for its
newest update only, and the updates themselves are read for the few newest incidents that
an answer needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from heliograph.content.model import ComponentStatus, Content, Incident
from heliograph.state import timeline

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the time of outputs with nothing in them yet

Dated = tuple[datetime, str, Incident]  # a time, and the incident by slug and in full


@dataclass(frozen=True)
class Changes:
    """The newest change of anything, and when each component's status last changed."""

    newest: datetime | None  # None before the first incident
    components: dict[str, datetime]  # components that no incident ever touched are left out


def is_public(incident: Incident, now: datetime) -> bool:
    """Whether the incident has an update public at `now`: its first."""
    return incident.first.at <= now


def latest_update(incident: Incident, now: datetime) -> datetime:
    """The newest update public at `now`, a maintenance window opening or closing by the clock
    included (call only for visible incidents)."""
    return timeline.newest(incident, now).at


def incident_changed(incident: Incident, now: datetime) -> datetime:
    """The newest update or the postmortem, whichever came last by `now`."""
    pm = incident.postmortem
    newest = latest_update(incident, now)
    return max(newest, pm.at) if pm and pm.at <= now else newest


def first_public(content: Content, now: datetime) -> datetime | None:
    """The site's first update public at `now`: the oldest record the content holds of the
    page; None before there is any."""
    return min((i.first.at for i in content.incidents if is_public(i, now)), default=None)


def newest_by(
    content: Content, now: datetime, when: Callable[[Incident, datetime], datetime]
) -> list[Dated]:
    """Every public incident with its `when` time, newest first (ties: slug, last first)."""
    keyed = [(when(i, now), i.slug, i) for i in content.incidents if is_public(i, now)]
    keyed.sort(reverse=True)  # slugs are unique, so incidents themselves are never compared
    return keyed


def newest_first(content: Content, now: datetime) -> tuple[Incident, ...]:
    """Every public incident, newest update first."""
    return tuple(i for _, _, i in newest_by(content, now, latest_update))


def changes(content: Content, now: datetime) -> Changes:
    """When anything, and each component, last changed: an update, or a window boundary."""
    ordered = newest_by(content, now, latest_update)
    components: dict[str, datetime] = {}
    wanted = [c.id for c in content.site.components]
    for bound, _, incident in ordered:
        if all(cid in components and components[cid] >= bound for cid in wanted):
            break  # nothing older can change an answer: each incident's changes <= its bound
        for cid, t in component_changes(incident, now):
            if cid not in components or t > components[cid]:
                components[cid] = t
    return Changes(ordered[0][0] if ordered else None, components)


def component_changes(incident: Incident, now: datetime) -> Iterable[tuple[str, datetime]]:
    """Each moment by `now` at which the incident changed a component's status, as its
    updates (the clock's included) show it: a window announced for next week changes nothing
    until it opens; an incident gives its components back when it is resolved."""
    for u, before, after in timeline.transitions(incident, now):
        for cid, status in after.items():
            if before.get(cid, ComponentStatus.OPERATIONAL) is not status:
                yield cid, u.at


def newest_per_component(ordered: Iterable[Dated], wanted: Sequence[str]) -> dict[str, datetime]:
    """The time of the first incident naming each component in `ordered` (newest first).

    The walk stops once every wanted component is found, so only recent history is read.
    """
    found: dict[str, datetime] = {}
    missing = set(wanted)
    for t, _, incident in ordered:
        if not missing:
            break
        for cid in incident.component_ids:
            found.setdefault(cid, t)
            missing.discard(cid)
    return found
