"""Statuspage's `incident_updates` as our updates: in display order, each with the component
statuses it changes (Statuspage lists every attached component on every update)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from heliograph.content.model import ComponentStatus, IncidentStatus, MaintenanceStatus
from heliograph.content.schema import published_id, time
from heliograph.importers.draft import UpdateDraft
from heliograph.importers.jsoninput import Fields, choice_of
from heliograph.importers.statuspage_site import Catalog

MAX_BODY = 900_000  # an update file holds at most 1 MB (content.sourcefile.MAX_FILE_BYTES)
STATUSES = (*(s.value for s in IncidentStatus), *(s.value for s in MaintenanceStatus), "postmortem")
COMPONENT_STATUSES = tuple(s.value for s in ComponentStatus)


@dataclass(frozen=True)
class _Raw:
    """An update as read, before its components are turned into changes."""

    at: datetime
    created: datetime
    status: str
    body: str
    update_id: str | None
    affected: list[Mapping[str, Any]] | None
    record: Mapping[str, Any]


def read_updates(
    r: Mapping[str, Any], fields: Fields, where: str, catalog: Catalog, now: datetime
) -> list[UpdateDraft]:
    records = fields.objects(r.get("incident_updates"), f"{where}.incident_updates", r)
    if not records:
        fields.error(r, f"{where}.incident_updates", "no updates; an incident needs at least one")
        return []
    raws = [raw for u in records if (raw := _raw(u, fields, where, now)) is not None]
    raws.sort(key=lambda u: (u.at, u.created, u.update_id or ""))
    out: list[UpdateDraft] = []
    state: dict[str, str] = {}
    previous: datetime | None = None
    for u in raws:
        at = u.at
        if previous is not None and at <= previous:  # two updates shown at one moment
            at = previous + timedelta(microseconds=1)
            fields.note(
                u.record,
                f"{where} update {u.update_id}: shown at the same moment as "
                "the one before; moved 1 microsecond later (updates need their own time)",
            )
        previous = at
        out.append(
            UpdateDraft(at, u.status, u.body, _changes(u, state, catalog, fields), u.update_id)
        )
    return out


def _raw(u: Mapping[str, Any], fields: Fields, where: str, now: datetime) -> _Raw | None:
    uwhere = f"{where} update {u.get('id')}"
    before = len(fields.errors)
    update_id = fields.get(u, uwhere, "id", published_id)
    status = fields.get(u, uwhere, "status", choice_of(STATUSES))
    created = fields.get(u, uwhere, "created_at", time)
    shown = fields.get(u, uwhere, "display_at", time, required=False) or created
    body = fields.text(u, uwhere, "body", required=False) or ""
    affected = u.get("affected_components")
    if affected is not None:
        affected = fields.objects(affected, f"{uwhere}.affected_components", u)
    if shown is not None and shown > now:
        fields.error(
            u,
            f"{uwhere}.display_at",
            f"{shown.isoformat()} is after the import's time "
            f"{now.isoformat()} (pass --now to import as of later)",
        )
    if len(body) > MAX_BODY:
        fields.error(
            u, f"{uwhere}.body", f"{len(body):,} characters; an update holds at most {MAX_BODY:,}"
        )
    if len(fields.errors) > before or status is None or created is None or shown is None:
        return None
    if status == "postmortem":
        fields.note(u, f"{uwhere}: status 'postmortem' is written as resolved")
        status = "resolved"
    if not body:
        body = f"{status.replace('_', ' ').capitalize()}."
        fields.note(u, f"{uwhere} has no message; wrote {body!r} (every update needs one)")
    return _Raw(shown, created, status, body, update_id, affected, u)


def _changes(
    u: _Raw, state: dict[str, str], catalog: Catalog, fields: Fields
) -> tuple[tuple[str, str], ...] | None:
    """The component statuses this update changes (or attaches); None when it names none."""
    if u.affected is None:
        return None
    changes = []
    for a in u.affected:
        cid = catalog.resolve(a, fields, u.record)
        new = fields.get(
            a,
            f"update {u.update_id} affected component",
            "new_status",
            choice_of(COMPONENT_STATUSES),
        )
        if cid is None or new is None:
            continue
        if state.get(cid) != new:
            changes.append((cid, new))
            state[cid] = new
    return tuple(changes)


def attach(
    updates: list[UpdateDraft],
    attached: list[str],
    fields: Fields,
    r: Mapping[str, Any],
    where: str,
) -> list[UpdateDraft]:
    """A component attached to the incident that no update gives a status to: attached by the
    first update as operational, so the incident still lists it."""
    named = {cid for u in updates for cid, _ in u.components or ()}
    missing = [cid for cid in dict.fromkeys(attached) if cid not in named]
    if not missing:
        return updates
    fields.note(
        r,
        f"{where}: no update gives a status to {', '.join(missing)}; attached as "
        "operational by the first update",
    )
    first = updates[0]
    extra = tuple((cid, "operational") for cid in missing)
    return [replace(first, components=(first.components or ()) + extra), *updates[1:]]
