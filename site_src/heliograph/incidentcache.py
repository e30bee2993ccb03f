"""Incidents loaded once per content: the model of an incident folder, kept under a hash of its
files and reused while the site settings are the same and every time in it is before `now`.

An incident's model depends on its folder's files, on the site settings (which components and
severities exist) and on `now` only through the check that nothing is dated after it; so a
stored incident is valid exactly when those hold, and `load` runs for every other folder.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from heliograph.cache import Cache, digest
from heliograph.errors import ContentError
from heliograph.load import Reader, load_incident
from heliograph.model import Incident, Site
from heliograph.parsecache import SourceIndex


def latest_time(incident: Incident) -> datetime:
    """The newest time the incident states: no build before it can accept the folder."""
    times = [u.at for u in incident.updates]
    if incident.postmortem is not None:
        times.append(incident.postmortem.at)
    return max(times)


class IncidentMemo:
    """A `load` incident loader that answers from the cache when it can."""

    def __init__(self, cache: Cache, index: SourceIndex) -> None:
        self.cache, self.index = cache, index
        self._keys: dict[bytes, bytes] = {}
        self.known = cache.get_many(self._key(slug) for slug in index.folders)
        self._site: tuple[Site | None, bytes] = (None, b"")
        self.loaded = 0

    def _key(self, slug: str) -> bytes:
        folder = self.index.fingerprint(slug)  # by the folder's hash: `index` may be replaced
        if (key := self._keys.get(folder)) is None:
            key = self._keys[folder] = self.cache.key("incident", folder)
        return key

    def missing(self) -> set[str]:
        """Folders the cache holds no incident for."""
        return {slug for slug in self.index.folders if self._key(slug) not in self.known}

    def _site_key(self, site: Site | None) -> bytes:
        if self._site[0] is not site:
            self._site = (site, digest(repr(site)))
        return self._site[1]

    def __call__(self, folder: Path, display: Path, site: Site | None, now: datetime,
                 read: Reader) -> tuple[Incident | None, list[ContentError]]:
        key = self._key(folder.name) if folder.name in self.index.folders else None
        entry = self.known.get(key) if key else None
        if entry is not None and site is not None:
            site_key, latest, incident = entry
            if site_key == self._site_key(site) and latest <= now:
                return incident, []
        incident, errors = load_incident(folder, display, site, now, read)
        self.loaded += 1
        if key is not None and incident is not None and not errors and site is not None:
            self.cache.put(key, (self._site_key(site), latest_time(incident), incident))
        return incident, errors
