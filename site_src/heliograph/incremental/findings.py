"""Findings of the checks kept between builds: between two builds almost no incident changes,
yet the checks would read every update of every incident.

A resolved incident's findings (its cadence and its wording) depend only on the site settings
and on its folder's files, not on `now` (see `check.settled`); so they are stored under the
folder's fingerprint (a hash of its file names and bytes), in cache entries that hold the
incidents of the last build, a part of them each, and the hash of the settings they were checked
under; all parts are read in one query, and a build re-stores only the parts that changed. Paths
need no key of their own: `load` names every update `incidents/<slug>/<file>` wherever the site
is, and the fingerprint holds the slug and the file names. Open incidents and maintenance
depend on `now`, so they are checked afresh every build, which costs little: few incidents are
open at a time, and maintenance has one rule only, about its window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from heliograph.checks.findings import Finding
from heliograph.checks.postmortem import postmortem_due
from heliograph.checks.site import check_inputs, incident_findings, settled
from heliograph.content.model import Content, Incident, Kind, MaintenanceStatus, Site
from heliograph.incremental.cache import Cache, digest
from heliograph.incremental.cores import on_every_core, workers
from heliograph.incremental.sources import SourceIndex

# A finding without what its incident supplies: (index of its update, or -1 for its
# postmortem, then every field of Finding after `file`, `incident` left out). Storing these
# rather than Findings halves the time to read the entry back, which every build does.
Record = tuple[Any, ...]


def as_records(found: Sequence[Finding], incident: Incident) -> tuple[Record, ...] | None:
    """The findings of an incident as records; None if one is not at one of its files."""
    index = {u.file: n for n, u in enumerate(incident.updates)}
    if incident.postmortem is not None:
        index[incident.postmortem.file] = -1
    records = []
    for f in found:
        if f.incident != incident.slug or f.file not in index:
            return None
        records.append(
            (
                index[f.file],
                f.level,
                f.rule,
                f.line,
                f.message,
                f.start,
                f.end,
                f.gap,
                f.limit,
                f.severity,
                f.phrase,
                f.suggestion,
            )
        )
    return tuple(records)


def from_records(records: tuple[Record, ...], incident: Incident) -> list[Finding]:
    """The findings that `as_records` made these records of."""
    pm = incident.postmortem.file if incident.postmortem is not None else ""
    slug, updates, made = incident.slug, incident.updates, Finding.of_fields
    return [
        made(
            (
                r[1],  # level
                r[2],  # rule
                slug,
                updates[r[0]].file if r[0] >= 0 else pm,
                r[3],  # line
                r[4],  # message
                r[5],  # start
                r[6],  # end
                r[7],  # gap
                r[8],  # limit
                r[9],  # severity
                r[10],  # phrase
                True,  # historic: a settled incident is closed, its findings are history
                r[11],  # suggestion
            )
        )
        for r in records
    ]


Entry = tuple[datetime, tuple[Record, ...]]  # (settled since, the findings)


def settled_since(site: Site, incident: Incident) -> datetime:
    """From when a settled incident's findings hold: its last update, or, if its postmortem is
    due and missing, the moment after the due time (the finding that it is late holds from
    then); for maintenance still `scheduled`, the end of its window (completed from then)."""
    since = incident.updates[-1].at
    if incident.last.status is MaintenanceStatus.SCHEDULED and incident.scheduled_until:
        return max(since, incident.scheduled_until)
    due = postmortem_due(site, incident)
    if due is not None and incident.postmortem is None:
        since = max(since, due + timedelta(microseconds=1))
    return since


SHARDS = 16  # entries are stored in this many parts by fingerprint: a change re-stores one part


class WordingMemo:
    """An `incident_findings` that answers from the cache when an incident is settled and
    unchanged. (Named for its first job; it now keeps the cadence findings too.)"""

    def __init__(self, cache: Cache, index: SourceIndex) -> None:
        self.cache, self.index = cache, index
        self._keys = [cache.key("findings", str(n)) for n in range(SHARDS)]
        self._site: Site | None = None
        self._site_hash = b""
        # by part, then by folder fingerprint: what the cache holds, and what this build used
        self.known: list[dict[bytes, Entry]] = [{} for _ in range(SHARDS)]
        self.seen: list[dict[bytes, Entry]] = [{} for _ in range(SHARDS)]
        self._stored = [0] * SHARDS  # how many entries each part holds for these settings
        self._changed: set[int] = set()  # parts with an entry made this build
        self.checked = 0  # incidents checked this build rather than answered from the cache
        self._ahead: dict[str, list[Finding]] = {}  # checked by `prefetch`, by slug

    def _use(self, site: Site) -> None:
        """Load the findings stored for these site settings."""
        self.store()
        self._site, self._site_hash = site, digest(repr(check_inputs(site)))
        stored = self.cache.get_many(self._keys)
        self.known = [{} for _ in range(SHARDS)]
        for n, key in enumerate(self._keys):
            part = stored.get(key)
            if isinstance(part, tuple) and len(part) == 2 and part[0] == self._site_hash:
                self.known[n] = part[1]
        self._stored = [len(part) for part in self.known]
        self.seen, self._changed = [{} for _ in range(SHARDS)], set()

    def __call__(self, site: Site, incident: Incident, now: datetime) -> Sequence[Finding]:
        if site is not self._site:
            self._use(site)
        shard, folder, entry = self._stored_entry(incident, now)
        if entry is not None:
            self.seen[shard][folder] = entry
            return from_records(entry[1], incident) if entry[1] else ()
        self.checked += 1
        found = self._ahead.pop(incident.slug, None)
        if found is None:
            found = incident_findings(site, incident, now)
        if (
            settled(incident, now, site)
            and incident.slug in self.index.folders
            and (records := as_records(found, incident)) is not None
        ):
            self.seen[shard][folder] = (settled_since(site, incident), records)
            self._changed.add(shard)
        return found

    def prefetch(self, content: Content, now: datetime) -> None:
        """Check on every core, ahead of `check`, the incidents the cache cannot answer for,
        when there are many (a build with a cold cache: the wording rules read every message)."""
        if content.site is not self._site:
            self._use(content.site)
        # maintenance is checked cheaply (one rule): not worth a worker
        todo = [
            i
            for i in content.incidents
            if i.kind is Kind.INCIDENT and self._stored_entry(i, now)[2] is None
        ]
        if len(todo) >= POOL_FROM and workers() > 1:
            self._ahead = dict(
                zip((i.slug for i in todo), _check_all(content.site, todo, now), strict=True)
            )

    def _stored_entry(self, incident: Incident, now: datetime) -> tuple[int, bytes, Entry | None]:
        """(part, folder fingerprint, the stored entry if it answers for the incident at `now`)."""
        folder = self.index.fingerprint(incident.slug)
        shard = folder[0] % SHARDS
        entry = self.known[shard].get(folder)
        # settled when stored, and so it stays as `now` moves on
        return shard, folder, entry if entry is not None and entry[0] <= now else None

    def store(self) -> None:
        """Keep this build's findings (and only its incidents'), in the parts that changed."""
        if self._site is None:
            return
        for n, part in enumerate(self.seen):
            if n in self._changed or len(part) != self._stored[n]:
                self.cache.put(self._keys[n], (self._site_hash, part))
                self.known[n], self._stored[n] = dict(part), len(part)
        self._changed = set()


POOL_FROM = 400  # fewer incidents to check than this take less time than starting workers


def _check_all(site: Site, incidents: list[Incident], now: datetime) -> list[list[Finding]]:
    """`incident_findings` of each incident, in order, on every core."""
    found: list[list[Finding]] = [[] for _ in incidents]
    for chunk, results in on_every_core(
        lambda chunk: [incident_findings(site, incidents[i], now) for i in chunk],
        len(incidents),
        workers(),
    ):
        for i, result in zip(chunk, results, strict=True):
            found[i] = result
    return found
