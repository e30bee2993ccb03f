"""Stable identifiers for machine outputs: Statuspage-style ids and permanent feed ids.

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
def stable_id(site_url: str, kind: str, key: str) -> str:
    """12 lowercase letters and digits, the same for the same site, kind and key forever."""
    digest = hashlib.sha256(f"{site_url}\0{kind}\0{key}".encode()).digest()
    number = int.from_bytes(digest[:10], "big")  # 80 bits; 36**12 needs 63
    chars = []
    for _ in range(ID_LENGTH):
        number, rest = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return "".join(chars)


def page_id(site: Site) -> str:
    """The `page.id` of the site."""
    if site.page_id:
        return site.page_id
    return stable_id(site.url, "page", "")


def component_id(site: Site, cid: str) -> str:
    kept = site.kept_ids.get(("component", cid))
    if kept:
        return kept
    return stable_id(site.url, "component", cid)


def group_id(site: Site, gid: str) -> str:
    kept = site.kept_ids.get(("group", gid))
    if kept:
        return kept
    return stable_id(site.url, "group", gid)


def incident_id(site: Site, incident: Incident) -> str:
    if incident.api_id:
        return incident.api_id
    return stable_id(site.url, "incident", incident.slug)


def update_id(site: Site, incident: Incident, update: Update) -> str:
    """Keyed by the update's file name, which never changes once published."""
    if update.api_id:
        return update.api_id
    return stable_id(site.url, "update", f"{incident.slug}/{update.path.name}")


def shortlink(site: Site, incident: Incident) -> str:
    """The API's `shortlink`: one kept from another page (a stspg.io link), else the page."""
    if incident.shortlink:
        return incident.shortlink
    return incident_url(site, incident)


def incident_url(site: Site, incident: Incident) -> str:
    """The incident page: its permanent address, used as feed entry id and API shortlink."""
    return f"{site.url}/incidents/{incident.slug}/"
