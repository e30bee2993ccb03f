"""Findings of the checks kept between builds: between two builds almost no incident changes,
yet the checks would read every update of every incident.

A resolved incident's findings (its cadence and its wording) depend only on the site settings
and on its folder's files, not on `now` (see `check.settled`); so they are stored under the
folder's fingerprint (a hash of its file names and bytes), in one cache entry that holds the
incidents of the last build and the hash of the settings they were checked under. Their paths
need no key of their own: `load` names every update `incidents/<slug>/<file>` wherever the site
is, and the fingerprint holds the slug and the file names. Open incidents and maintenance
depend on `now`, so they are checked afresh every build; there are few of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from heliograph.cache import Cache, digest
from heliograph.check import incident_findings, settled
from heliograph.findings import Finding
from heliograph.model import Incident, Site
from heliograph.parsecache import SourceIndex

# A finding without what its incident supplies: (index of its update, then every field of
# Finding after `path`, `incident` left out). Storing these rather than Findings halves the
# time to read the entry back, which every build does.
Record = tuple[Any, ...]


def as_records(found: Sequence[Finding], incident: Incident) -> tuple[Record, ...] | None:
    """The findings of an incident as records; None if one is not at one of its updates."""
    index = {u.path: n for n, u in enumerate(incident.updates)}
    records = []
    for f in found:
        if f.incident != incident.slug or f.path not in index:
            return None
        records.append((index[f.path], f.level, f.rule, f.line, f.message, f.start, f.end,
                        f.gap, f.limit, f.severity, f.phrase))
    return tuple(records)


def from_records(records: tuple[Record, ...], incident: Incident) -> list[Finding]:
    """The findings that `as_records` made these records of."""
    return [Finding(r[1], r[2], incident.slug, incident.updates[r[0]].path, *r[3:])
            for r in records]


class WordingMemo:
    """An `incident_findings` that answers from the cache when an incident is settled and
    unchanged. (Named for its first job; it now keeps the cadence findings too.)"""

    def __init__(self, cache: Cache, index: SourceIndex) -> None:
        self.cache, self.index = cache, index
        self._key = cache.key("findings")
        self._site: Site | None = None
        self._site_hash = b""
        # folder fingerprint -> (time of its last update, its findings as records)
        self.known: dict[bytes, tuple[datetime, tuple[Record, ...]]] = {}
        self.seen: dict[bytes, tuple[datetime, tuple[Record, ...]]] = {}
        self.checked = 0  # incidents checked this build rather than answered from the cache
        self._changed = False

    def _use(self, site: Site) -> None:
        """Load the findings stored for these site settings."""
        self.store()
        self._site, self._site_hash = site, digest(repr(site))
        stored = self.cache.get(self._key)
        fits = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self._site_hash
        self.known = stored[1] if fits else {}
        self.seen, self._changed = {}, False

    def __call__(self, site: Site, incident: Incident, now: datetime) -> Sequence[Finding]:
        if site is not self._site:
            self._use(site)
        folder = self.index.fingerprint(incident.slug)
        entry = self.known.get(folder)
        if entry is not None and entry[0] <= now:  # settled, and so it stays as `now` moves on
            self.seen[folder] = entry
            return from_records(entry[1], incident) if entry[1] else ()
        self.checked += 1
        found = incident_findings(site, incident, now)
        if settled(incident, now) and incident.slug in self.index.folders and (
                records := as_records(found, incident)) is not None:
            self.seen[folder], self._changed = (incident.updates[-1].at, records), True
        return found

    def store(self) -> None:
        """Keep this build's findings (and only its incidents'), unless the cache holds them."""
        if self._site is not None and (self._changed or len(self.seen) != len(self.known)):
            self.cache.put(self._key, (self._site_hash, self.seen))
            self.known, self._changed = dict(self.seen), False
