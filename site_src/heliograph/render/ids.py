"""Stable identifiers for machine outputs: Statuspage-style ids and permanent feed ids.

Every id is a hash of the page's id and the thing's own permanent key (a component's or group's
id, an incident's slug, an update's file name). The page's id is a hash of the site's name: not
of its URL, so that a client tracking incidents by id sees the same page when the site moves to
another domain.

An id kept from another page (`site.page_id`, a component's or group's `api_id`, an incident's
`incident_id` and `shortlink`, an update's `update_id`) is published instead of the derived
one, so that the old page's API clients see the same things under the same ids.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from heliograph.content.model import Incident, Site, Update

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 12


@lru_cache(maxsize=1 << 16)  # every page, feed and API file asks for the same few ids
def stable_id(scope: str, kind: str, key: str) -> str:
    """12 lowercase letters and digits, the same for the same scope, kind and key forever."""
    digest = hashlib.sha256(f"{scope}\0{kind}\0{key}".encode()).digest()
    number = int.from_bytes(digest[:10], "big")  # 80 bits; 36**12 needs 63
    chars = []
    for _ in range(ID_LENGTH):
        number, rest = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return "".join(chars)


def page_id(site: Site) -> str:
    """The `page.id` of the site, and the scope of every other id: one kept from another
    page, else a hash of the site's name."""
    if site.page_id:
        return site.page_id
    return stable_id("heliograph", "page", site.name)


def component_id(site: Site, cid: str) -> str:
    kept = site.kept_ids.get(("component", cid))
    if kept:
        return kept
    return stable_id(page_id(site), "component", cid)


def group_id(site: Site, gid: str) -> str:
    kept = site.kept_ids.get(("group", gid))
    if kept:
        return kept
    return stable_id(page_id(site), "group", gid)


def incident_id(site: Site, incident: Incident) -> str:
    if incident.api_id:
        return incident.api_id
    return stable_id(page_id(site), "incident", incident.slug)


def update_id(site: Site, incident: Incident, update: Update) -> str:
    """Keyed by the update's file name, which never changes once published (an update the
    clock posted is named after the update it follows, see state.timeline)."""
    if update.api_id:
        return update.api_id
    return stable_id(page_id(site), "update", f"{incident.slug}/{update.path.name}")


def shortlink(site: Site, incident: Incident) -> str:
    """The API's `shortlink`: one kept from another page (a stspg.io link), else the page."""
    if incident.shortlink:
        return incident.shortlink
    return incident_url(site, incident)


def incident_url(site: Site, incident: Incident) -> str:
    """The incident page: its permanent address, used as feed entry id and API shortlink."""
    return f"{site.url}/incidents/{incident.slug}/"
