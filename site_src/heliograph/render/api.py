"""The Statuspage API v2 as static JSON files under `api/v2/`, so existing clients read the site."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from itertools import islice
from typing import Any

from heliograph.content.model import (
    CLOSED_STATUSES,
    ComponentStatus,
    Content,
    Group,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    Site,
    Update,
)
from heliograph.content.timefmt import iso_millis
from heliograph.render import ids
from heliograph.render.markup import plain_text
from heliograph.state import activity, derive

API = "api/v2/"
LIST_LIMIT = 50  # Statuspage lists the 50 most recent
INDICATOR_RANK = ("none", "maintenance", "minor", "major", "critical")
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "maintenance": "Service Under Maintenance",
    "minor": "Partially Degraded Service",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
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


def status_object(content: Content, now: datetime) -> Json:
    """The rollup: the worst of the component banner and the impact of open incidents."""
    banner = derive.overall(derive.component_statuses(content, now))
    indicators = [banner.indicator] + [
        derive.incident_impact(content.site, i, now).value
        for i in content.incidents
        if i.kind is Kind.INCIDENT and derive.is_open(i, now)
    ]
    worst = max(indicators, key=INDICATOR_RANK.index)
    description = banner.description if worst == banner.indicator else DESCRIPTIONS[worst]
    return {"indicator": worst, "description": description}


def component_object(
    site: Site,
    cid: str,
    statuses: dict[str, ComponentStatus],
    position: int,
    updated: datetime | None,
) -> Json:
    """A component; what Statuspage records and Heliograph cannot know is null or false."""
    c = site.component(cid)
    return {
        "id": ids.component_id(site, cid),
        "name": c.name,
        "status": statuses[cid].value,
        "created_at": None,
        "updated_at": millis(updated),
        "position": position,
        "description": c.description,
        "showcase": False,
        "start_date": None,
        "group_id": ids.group_id(site, c.group) if c.group else None,
        "page_id": ids.page_id(site),
        "group": False,
        "only_show_if_degraded": False,
    }


def group_object(
    site: Site,
    group: Group,
    statuses: dict[str, ComponentStatus],
    position: int,
    updated: datetime | None,
) -> Json:
    """A group is a component with `group: true` and its members' ids; its status is the worst."""
    status = derive.worst(statuses[cid] for cid in group.components)
    return {
        "id": ids.group_id(site, group.id),
        "name": group.name,
        "status": status.value,
        "created_at": None,
        "updated_at": millis(updated),
        "position": position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": ids.page_id(site),
        "group": True,
        "only_show_if_degraded": False,
        "components": [ids.component_id(site, cid) for cid in group.components],
    }


def components_list(
    site: Site, statuses: dict[str, ComponentStatus], changed: dict[str, datetime]
) -> list[Json]:
    """Page order: top-level entries, each group followed by its members; positions per parent."""
    updated = {c.id: changed.get(c.id) for c in site.components}
    top = sorted(
        [(g.position, g) for g in site.groups]
        + [(c.position, c) for c in site.components if c.group is None],
        key=lambda e: e[0],
    )
    out: list[Json] = []
    for position, (_, entry) in enumerate(top, start=1):
        if isinstance(entry, Group):
            latest = max((t for cid in entry.components if (t := updated[cid])), default=None)
            out.append(group_object(site, entry, statuses, position, latest))
            out += [
                component_object(site, cid, statuses, n, updated[cid])
                for n, cid in enumerate(entry.components, start=1)
            ]
        else:
            out.append(component_object(site, entry.id, statuses, position, updated[entry.id]))
    return out


def display_name(site: Site, cid: str) -> str:
    """`Group - Component` for grouped components, as Statuspage names affected components."""
    c = site.component(cid)
    group = next((g.name for g in site.groups if g.id == c.group), None)
    return f"{group} - {c.name}" if group else c.name


def update_objects(site: Site, incident: Incident, posted: tuple[Update, ...]) -> list[Json]:
    """`incident_updates`, newest first; each lists every component attached so far."""
    out: list[Json] = []
    before: dict[str, ComponentStatus] = {}
    for u in posted:
        after = {**before, **dict(u.components)}
        out.append(
            {
                "id": ids.update_id(site, incident, u),
                "status": u.status.value,
                "body": plain_text(u.body),
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
                ],
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
        before = after
    return out[::-1]


def api_status(incident: Incident, now: datetime) -> str:
    """The phase at `now`; a resolved incident with a published postmortem says `postmortem`."""
    status = derive.phase(incident, now) or incident.first.status
    pm = incident.postmortem
    if status is IncidentStatus.RESOLVED and pm and pm.at <= now:
        return "postmortem"
    return status.value


def ended_at(incident: Incident, now: datetime) -> datetime | None:
    """Resolution time; maintenance completed by the clock ends with its window."""
    status = derive.phase(incident, now)
    if status not in CLOSED_STATUSES:
        return None
    return (
        derive.updates_until(incident, now)[-1].at
        if incident.last.status is status
        else incident.scheduled_until
    )


def incident_object(
    content: Content, incident: Incident, now: datetime, components: dict[str, Json]
) -> Json:
    """An incident or maintenance as Statuspage shows it at `now`."""
    site = content.site
    posted = derive.updates_until(incident, now)
    watched = (
        IncidentStatus.MONITORING if incident.kind is Kind.INCIDENT else MaintenanceStatus.VERIFYING
    )
    data = {
        "id": ids.incident_id(site, incident),
        "name": incident.title,
        "status": api_status(incident, now),
        "created_at": millis(posted[0].at),
        "updated_at": millis(activity.incident_changed(incident, now)),
        "monitoring_at": millis(next((u.at for u in posted if u.status is watched), None)),
        "resolved_at": millis(ended_at(incident, now)),
        "impact": derive.incident_impact(site, incident, now).value,
        "shortlink": ids.incident_url(site, incident),
        "started_at": millis(incident.began),
        "page_id": ids.page_id(site),
        "incident_updates": update_objects(site, incident, posted),
        "components": [components[cid] for cid in incident.component_ids],
        "reminder_intervals": None,
    }
    if incident.kind is Kind.MAINTENANCE:
        data |= {
            "scheduled_for": millis(incident.scheduled_for),
            "scheduled_until": millis(incident.scheduled_until),
        }
    return data


def render_api(content: Content, now: datetime) -> dict[str, bytes]:
    """Every `api/v2/` file, from the same objects so the files agree with each other."""
    site = content.site
    # Statuses, open incidents and maintenance windows come from the incidents still open
    # or to come; the rest of the history is closed and only counts for change times.
    current = replace(content, incidents=tuple(derive.unclosed(content, now)))
    statuses = derive.component_statuses(current, now)
    changes = activity.changes(content, now)
    page = page_object(site, changes.newest)
    status = status_object(current, now)
    components = components_list(site, statuses, changes.components)
    by_api_id = {o["id"]: o for o in components}
    by_cid = {c.id: by_api_id[ids.component_id(site, c.id)] for c in site.components}
    maintenance = [i for i in current.incidents if i.kind is Kind.MAINTENANCE]
    upcoming = sorted(
        (i for i in maintenance if derive.phase(i, now) is MaintenanceStatus.SCHEDULED),
        key=lambda i: (i.began, i.slug),
    )
    active = [i for i in maintenance if derive.phase(i, now) in ACTIVE_MAINTENANCE]
    made: dict[str, Json] = {}  # only listed incidents are built: the lists are short

    def objects(found: Iterable[Incident]) -> list[Json]:
        listed = list(found)
        for i in listed:
            if i.slug not in made:
                made[i.slug] = incident_object(content, i, now, by_cid)
        return [made[i.slug] for i in listed]

    unresolved = objects(
        i for i in current.incidents if i.kind is Kind.INCIDENT and derive.is_open(i, now)
    )
    files: dict[str, Json] = {
        "summary.json": {
            "page": page,
            "components": components,
            "incidents": unresolved,
            "scheduled_maintenances": objects(active + upcoming),
            "status": status,
        },
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": components},
        "incidents.json": {"page": page, "incidents": objects(latest(content, now))},
        "incidents/unresolved.json": {"page": page, "incidents": unresolved},
        "scheduled-maintenances.json": {
            "page": page,
            "scheduled_maintenances": objects(latest(content, now, Kind.MAINTENANCE)),
        },
        "scheduled-maintenances/upcoming.json": {
            "page": page,
            "scheduled_maintenances": objects(upcoming),
        },
        "scheduled-maintenances/active.json": {
            "page": page,
            "scheduled_maintenances": objects(active),
        },
    }
    return {API + name: dumps(data) for name, data in files.items()}


def latest(content: Content, now: datetime, kind: Kind = Kind.INCIDENT) -> Iterator[Incident]:
    """The `LIST_LIMIT` public incidents (or maintenance) that began last, newest first."""
    found = (i for i in content.incidents if i.kind is kind and activity.is_public(i, now))
    return islice(found, LIST_LIMIT)
