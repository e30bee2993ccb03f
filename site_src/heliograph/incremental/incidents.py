"""Incidents loaded once per content: the model of an incident folder, kept under a hash of its
files and reused while the site settings are the same and every time in it is before `now`.

An incident's model depends on its folder's files, on the site settings (which components and
severities exist) and on `now` only through the check that nothing is dated after it; so a
stored incident is valid exactly when those hold, and `load` runs for every other folder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from heliograph.content.errors import ContentError
from heliograph.content.model import Incident, Site, load_inputs, still_loads
from heliograph.incremental.cache import Cache, digest
from heliograph.incremental.sources import SHARDS, SourceIndex, shard_of

if TYPE_CHECKING:
    from heliograph.content.load import Reader

# `load` (and YAML with it) is imported only to read a folder the cache does not hold.


def latest_time(incident: Incident) -> datetime:
    """The newest time the incident states: no build before it can accept the folder."""
    times = [u.at for u in incident.updates]
    if incident.postmortem is not None:
        times.append(incident.postmortem.at)
    return max(times)


Entry = tuple[bytes, bytes, datetime, Incident]  # folder hash, site key, latest time, model


def _shard_keys(cache: Cache, source: Path) -> list[bytes]:
    return [cache.key("incidents", str(source.absolute()), str(n)) for n in range(SHARDS)]


def stored(cache: Cache, source: Path) -> dict[str, Entry]:
    """Every incident the cache holds for the site in `source`, by slug."""
    keys = _shard_keys(cache, source)
    found = cache.get_many(keys)
    known: dict[str, Entry] = {}
    for key in keys:
        if isinstance(shard := found.get(key), dict):
            known.update(shard)
    return known


class IncidentMemo:
    """A `load` incident loader that answers from the cache when it can.

    The cache holds a site's incidents in a few large entries (shards by slug), since reading
    ten thousand small entries costs more than the incidents themselves.
    """

    def __init__(self, cache: Cache, index: SourceIndex, source: Path) -> None:
        self.cache, self.index = cache, index
        self._keys = _shard_keys(cache, source)
        self.known = stored(cache, source)  # fetched only by a build that has work to do
        self._dirty = {shard_of(slug) for slug in self.known if slug not in index.folders}
        # the settings last asked about, their load_inputs' hash and their still_loads
        self._site: tuple[Site | None, bytes, Callable[[Incident], bool] | None] = (None, b"", None)
        self.loaded = 0

    def missing(self) -> set[str]:
        """Folders the cache holds no incident for."""
        return {
            slug
            for slug in self.index.folders
            if (e := self.known.get(slug)) is None or e[0] != self.index.fingerprint(slug)
        }

    def _settings(self, site: Site | None) -> tuple[bytes, Callable[[Incident], bool] | None]:
        if self._site[0] is not site:
            key = digest(repr(load_inputs(site) if site is not None else None))
            self._site = (site, key, still_loads(site) if site is not None else None)
        return self._site[1], self._site[2]

    def __call__(
        self, root: Path, slug: str, site: Site | None, now: datetime, read: Reader
    ) -> tuple[Incident | None, list[ContentError]]:
        known = slug in self.index.folders
        entry = self.known.get(slug) if known else None
        if entry is not None and site is not None:
            folder_hash, site_key, latest, kept = entry
            if folder_hash == self.index.fingerprint(slug) and latest <= now:
                key, holds = self._settings(site)
                if site_key == key:
                    return kept, []
                if holds is not None and holds(kept):  # new settings, the same model
                    self.known[slug] = (folder_hash, key, latest, kept)
                    self._dirty.add(shard_of(slug))
                    return kept, []
        from heliograph.content.load import load_folder

        incident, errors = load_folder(root, slug, site, now, read)
        self.loaded += 1
        if known and incident is not None and not errors and site is not None:
            self.known[slug] = (
                self.index.fingerprint(slug),
                self._settings(site)[0],
                latest_time(incident),
                incident,
            )
            self._dirty.add(shard_of(slug))
        return incident, errors

    def store(self) -> None:
        """Put back the shards that gained, lost or changed an incident."""
        if not self._dirty:
            return
        shards: dict[int, dict[str, Entry]] = {n: {} for n in self._dirty}
        for slug, entry in self.known.items():
            if (n := shard_of(slug)) in shards and slug in self.index.folders:
                shards[n][slug] = entry
        for n, shard in shards.items():
            self.cache.put(self._keys[n], shard)
        self._dirty.clear()
