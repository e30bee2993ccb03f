"""The Statuspage API v2 as static JSON files under `api/v2/`, so existing clients read the site."""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from heliograph.content.model import (
    Component,
    ComponentStatus,
    Content,
    Group,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    Site,
)
from heliograph.content.timefmt import iso_millis
from heliograph.render import ids
from heliograph.render.sourcetext import safe_source
from heliograph.state import activity, derive, timeline
from heliograph.state.reuse import Memo, fresh
from heliograph.state.views import moment

API = "api/v2/"
LIST_LIMIT = 50  # Statuspage lists the 50 most recent
ACTIVE_MAINTENANCE = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)

Json = dict[str, Any]


def millis(t: datetime | None) -> str | None:
    """A Statuspage time, or null."""
    return iso_millis(t) if t else None


def dumps(data: Json) -> bytes:
    """One fixed serialisation: key order as built, two-space indent, UTF-8 text."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def page_object(site: Site, updated: datetime | None) -> Json:
    """The `page` object every file starts with; `updated_at` is the last change of anything,

    a maintenance window opening or closing by the clock included.
    """
    return {
        "id": ids.page_id(site),
        "name": site.name,
        "url": site.url,
        "time_zone": site.timezone,
        "updated_at": millis(updated),
    }


def status_object(content: Content, now: datetime, statuses: dict[str, ComponentStatus]) -> Json:
    """The rollup: the very status the banner and the badge show (`derive.overall`)."""
    rollup = derive.overall(content, now, statuses)
    return {"indicator": rollup.indicator, "description": rollup.description}


@dataclass(frozen=True)
class Stamps:
    """The times on components and groups: `created_at` is the site's first public update (the
    oldest record the content holds of the page, the same in every build), and a component no
    incident ever touched was last updated then too."""

    created: datetime | None
    changed: dict[str, datetime]  # each component's last change, where it had one

    def updated(self, cid: str) -> datetime | None:
        return self.changed.get(cid, self.created)


def component_object(
    site: Site, c: Component, statuses: dict[str, ComponentStatus], position: int, stamps: Stamps
) -> Json:
    """A component; what Statuspage records and Heliograph cannot know is null or false."""
    return {
        "id": ids.component_id(site, c.id),
        "name": c.name,
        "status": statuses[c.id].value,
        "created_at": millis(stamps.created),
        "updated_at": millis(stamps.updated(c.id)),
        "position": position,
        "description": c.description,
        "showcase": c.show_uptime,  # real pages showcase the components with uptime bars
        "start_date": None,
        "group_id": ids.group_id(site, c.group) if c.group else None,
        "page_id": ids.page_id(site),
        "group": False,
        "only_show_if_degraded": False,
    }


def group_object(
    site: Site, group: Group, statuses: dict[str, ComponentStatus], position: int, stamps: Stamps
) -> Json:
    """A group is a component with `group: true` and its members' ids; its status is the worst,
    its last update its members' newest."""
    status = derive.worst(statuses[cid] for cid in group.components)
    updated = max((t for cid in group.components if (t := stamps.updated(cid))), default=None)
    return {
        "id": ids.group_id(site, group.id),
        "name": group.name,
        "status": status.value,
        "created_at": millis(stamps.created),
        "updated_at": millis(updated),
        "position": position,
        "description": group.description,
        "showcase": False,  # as on real pages: a group has no bars of its own
        "start_date": None,
        "group_id": None,
        "page_id": ids.page_id(site),
        "group": True,
        "only_show_if_degraded": False,
        "components": [ids.component_id(site, cid) for cid in group.components],
    }


def components_list(site: Site, statuses: dict[str, ComponentStatus], stamps: Stamps) -> list[Json]:
    """Every group and component by position, as Statuspage lists them: positions count within
    each parent (top-level entries; each group's members), so the first member of every group
    sits beside the first entry of the page; at one position, the top level comes first, then
    the members in their groups' order."""
    top = sorted(
        [(g.position, g) for g in site.groups]
        + [(c.position, c) for c in site.components if c.group is None],
        key=lambda e: e[0],
    )
    placed: list[tuple[int, int, Json]] = []
    for rank, (_, entry) in enumerate(top, start=1):
        if isinstance(entry, Group):
            placed.append((rank, 0, group_object(site, entry, statuses, rank, stamps)))
            placed += [
                (n, rank, component_object(site, site.component(cid), statuses, n, stamps))
                for n, cid in enumerate(entry.components, start=1)
            ]
        else:
            placed.append((rank, 0, component_object(site, entry, statuses, rank, stamps)))
    return [obj for _, _, obj in sorted(placed, key=lambda e: (e[0], e[1]))]


def display_name(site: Site, cid: str) -> str:
    """`Group - Component` for grouped components, as Statuspage names affected components."""
    c = site.component(cid)
    group = next((g.name for g in site.groups if g.id == c.group), None)
    return f"{group} - {c.name}" if group else c.name


def update_objects(site: Site, incident: Incident, now: datetime) -> list[Json]:
    """`incident_updates`, newest first, the clock's included; each lists every component
    attached so far, with the status it had before and after the update (null while there
    is none, as Statuspage has it): a maintenance's components are under maintenance only from
    the update that opens its window."""
    out: list[Json] = []
    for u, before, after in timeline.transitions(incident, now):
        out.append(
            {
                "id": ids.update_id(site, incident, u),
                "status": u.status.value,
                "body": safe_source(u.body),
                "incident_id": ids.incident_id(site, incident),
                "created_at": millis(u.at),
                "updated_at": millis(u.corrected or u.at),  # a corrected text says when
                "display_at": millis(u.at),
                "affected_components": [
                    {
                        "code": ids.component_id(site, cid),
                        "name": display_name(site, cid),
                        "old_status": before.get(cid, ComponentStatus.OPERATIONAL).value,
                        "new_status": status.value,
                    }
                    for cid, status in after.items()
                ]
                or None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
    return out[::-1]


def api_status(incident: Incident, now: datetime) -> str:
    """The phase at `now`; a resolved incident with a published postmortem says `postmortem`."""
    status = derive.phase(incident, now) or incident.first.status
    pm = incident.postmortem
    if status is IncidentStatus.RESOLVED and pm and pm.at <= now:
        return "postmortem"
    return status.value


def incident_object(
    content: Content, incident: Incident, now: datetime, components: dict[str, Json]
) -> Json:
    """An incident or maintenance as Statuspage shows it at `now`."""
    site = content.site
    shown = timeline.timeline(incident, now)
    watched = (
        IncidentStatus.MONITORING if incident.kind is Kind.INCIDENT else MaintenanceStatus.VERIFYING
    )
    # Statuspage starts a maintenance when it is announced; an incident, when its impact began
    started = shown[0].at if incident.kind is Kind.MAINTENANCE else incident.began
    data = {
        "id": ids.incident_id(site, incident),
        "name": incident.title,
        "status": api_status(incident, now),
        "created_at": millis(shown[0].at),
        "updated_at": millis(activity.incident_changed(incident, now)),
        "monitoring_at": millis(next((u.at for u in shown if u.status is watched), None)),
        "resolved_at": millis(timeline.closed_at(incident, now)),
        "impact": derive.incident_impact(site, incident, now).value,
        "shortlink": ids.shortlink(site, incident),
        "started_at": millis(started),
        "page_id": ids.page_id(site),
        "incident_updates": update_objects(site, incident, now),
        "components": [components[cid] for cid in incident.component_ids],
        "reminder_intervals": None,
    }
    if incident.kind is Kind.MAINTENANCE:
        data |= {
            "scheduled_for": millis(incident.scheduled_for),
            "scheduled_until": millis(incident.scheduled_until),
        }
    return data


def render_api(content: Content, now: datetime, memo: Memo = fresh) -> dict[str, bytes]:
    """Every `api/v2/` file, from the same objects so the files agree with each other; `memo`
    may answer for a file made before from the same inputs (the preview's, between saves)."""
    site = content.site
    # Statuses, open incidents and maintenance windows come from the incidents still open
    # or to come; the rest of the history is closed and only counts for change times.
    current = replace(content, incidents=tuple(derive.unclosed(content, now)))
    statuses = derive.component_statuses(current, now)
    changes = activity.changes(content, now)
    page = page_object(site, changes.newest)
    status = status_object(current, now, statuses)
    stamps = Stamps(activity.first_public(content, now), changes.components)
    components = components_list(site, statuses, stamps)
    by_api_id = {o["id"]: o for o in components}
    by_cid = {c.id: by_api_id[ids.component_id(site, c.id)] for c in site.components}
    maintenance = [i for i in current.incidents if i.kind is Kind.MAINTENANCE]
    upcoming = sorted(
        (i for i in maintenance if derive.phase(i, now) is MaintenanceStatus.SCHEDULED),
        key=lambda i: (i.began, i.slug),
    )
    active = [i for i in maintenance if derive.phase(i, now) in ACTIVE_MAINTENANCE]
    unresolved = [
        i for i in current.incidents if i.kind is Kind.INCIDENT and derive.is_open(i, now)
    ]
    made: dict[str, Json] = {}  # only listed incidents are built: the lists are short

    def objects(listed: Sequence[Incident]) -> list[Json]:
        for i in listed:
            if i.slug not in made:
                made[i.slug] = incident_object(content, i, now, by_cid)
        return [made[i.slug] for i in listed]

    # What every file shows besides its incidents: the page, the status, the components.
    shared = (
        site,
        page["updated_at"],
        tuple(status.items()),
        tuple(statuses.items()),
        stamps.created,
        tuple(sorted(stamps.changed.items())),
    )
    # name -> (the incidents it lists, under which key, and the file's other parts)
    files: dict[str, tuple[Sequence[Incident], str, dict[str, Any]]] = {
        "summary.json": (
            [*unresolved, *active, *upcoming],
            "",
            {"page": page, "components": components, "status": status},
        ),
        "status.json": ([], "", {"page": page, "status": status}),
        "components.json": ([], "", {"page": page, "components": components}),
        "incidents.json": (latest(content, now), "incidents", {"page": page}),
        "incidents/unresolved.json": (unresolved, "incidents", {"page": page}),
        "scheduled-maintenances.json": (
            latest(content, now, Kind.MAINTENANCE),
            "scheduled_maintenances",
            {"page": page},
        ),
        "scheduled-maintenances/upcoming.json": (
            upcoming,
            "scheduled_maintenances",
            {"page": page},
        ),
        "scheduled-maintenances/active.json": (active, "scheduled_maintenances", {"page": page}),
    }

    def make(name: str) -> bytes:
        listed, key, data = files[name]
        if name == "summary.json":  # Statuspage's order of keys, the summary's two lists
            data = {
                "page": page,
                "components": components,
                "incidents": objects(unresolved),
                "scheduled_maintenances": objects(active + upcoming),
                "status": status,
            }
        elif key:
            data = {**data, key: objects(listed)}
        return dumps(data)

    return {
        API + name: memo(
            ("api", name, shared, tuple((i, moment(i, now)) for i in listed)), partial(make, name)
        )
        for name, (listed, _, _) in files.items()
    }


def latest(content: Content, now: datetime, kind: Kind = Kind.INCIDENT) -> list[Incident]:
    """The `LIST_LIMIT` most recent public incidents (or maintenance), in Statuspage's order:
    unresolved ones first, newest first, then by resolution, latest first; so an open incident
    never follows one resolved after it began."""

    def order(i: Incident) -> tuple[bool, datetime, datetime, str]:
        closed = timeline.closed_at(i, now)
        return closed is None, closed or i.first.at, i.first.at, i.slug

    found = (i for i in content.incidents if i.kind is kind and activity.is_public(i, now))
    return heapq.nlargest(LIST_LIMIT, found, key=order)
