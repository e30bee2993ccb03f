"""The generic webhook: Statuspage's webhook body, signed.

Statuspage POSTs `{"meta", "page", "incident"}` for an incident's update and `{"meta", "page",
"component_update", "component"}` for a component's change; the `incident` here is the very
object `api/v2/incidents.json` holds for it as of the event (`render.api.incident_object`, with
the same ids), so a receiver written for Statuspage reads it unchanged.

The signature is HMAC-SHA256 over `<timestamp>.<body>` with the channel's secret, sent as
`X-Heliograph-Signature: t=<unix seconds>,v1=<hex>`; a receiver recomputes it and refuses a
timestamp older than a few minutes, so a recorded request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from heliograph.content.model import Content
from heliograph.content.timefmt import iso_millis
from heliograph.notify import events as ev
from heliograph.render import api, ids
from heliograph.state import activity, derive

SIGNATURE_HEADER = "X-Heliograph-Signature"
EVENT_HEADER = "X-Heliograph-Event"
DOCUMENTATION = "https://developer.statuspage.io/#section/Webhooks"

Json = dict[str, Any]


class ApiView:
    """The API's objects as they stood at a moment, made once per moment a run needs."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._made: dict[datetime, tuple[Json, dict[str, Json]]] = {}
        self._bodies: dict[str, bytes] = {}

    def body(self, event: ev.Event) -> bytes:
        """The encoded webhook body of `event`, made once for every channel that gets it."""
        if event.id not in self._bodies:
            self._bodies[event.id] = encode(payload(self, event))
        return self._bodies[event.id]

    def at(self, t: datetime) -> tuple[Json, dict[str, Json]]:
        """The page's status object and each component's object by our id, at `t`."""
        if t not in self._made:
            content, site = self.content, self.content.site
            current = replace(content, incidents=tuple(derive.unclosed(content, t)))
            statuses = derive.component_statuses(current, t)
            changed = activity.changes(content, t).components
            stamps = api.Stamps(activity.first_public(content, t), changed)
            listed = {o["id"]: o for o in api.components_list(site, statuses, stamps)}
            by_cid = {c.id: listed[ids.component_id(site, c.id)] for c in site.components}
            self._made[t] = (api.status_object(current, t, statuses), by_cid)
        return self._made[t]


def payload(view: ApiView, event: ev.Event, unsubscribe: str | None = None) -> Json:
    """The webhook body of `event`."""
    content, site = view.content, view.content.site
    status, components = view.at(event.at)
    body: Json = {
        "meta": {"unsubscribe": unsubscribe, "documentation": DOCUMENTATION},
        "page": {
            "id": ids.page_id(site),
            "status_indicator": status["indicator"],
            "status_description": status["description"],
        },
    }
    if event.kind == ev.COMPONENT and event.component and event.update:
        component = components[event.component]
        body["component_update"] = {
            "created_at": iso_millis(event.at),
            "new_status": event.new_status.value if event.new_status else None,
            "old_status": event.old_status.value if event.old_status else None,
            "id": ids.stable_id(ids.page_id(site), "component_update", event.id),
            "component_id": component["id"],
        }
        body["component"] = {
            "created_at": component["created_at"],
            "id": component["id"],
            "name": component["name"],
            "status": component["status"],
        }
        return body
    body["incident"] = api.incident_object(content, event.incident, event.at, components)
    return body


def encode(data: Json) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value: `t=<timestamp>,v1=<HMAC-SHA256 hex of "<timestamp>." + body>`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does with the header: the same HMAC, and a recent timestamp."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)
