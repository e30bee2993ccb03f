"""The model as the folders hold it, kept in memory from one load to the next: the preview's.

A load reads every entry of `incidents/`: at ten thousand incidents, listing them, asking each
for its kept model and checking every update's ids cost a save 50 ms before anything changed.
The file events say which entries changed; `FoldersInMemory` reads those again (and any entry
that was wrong last time: an update dated after the last load may be right now) and keeps the
rest as the last load left them, so the model is the one `content.load.load` would return.
"""

from __future__ import annotations

import os
from bisect import bisect_left, insort
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from heliograph.content.errors import ContentError, ContentErrors
from heliograph.content.layout import INCIDENTS_DIR
from heliograph.content.model import Content, Incident, Site, began_key, load_inputs, still_loads
from heliograph.content.published import Claim, claims_of, duplicate_claims

if TYPE_CHECKING:
    from heliograph.content.load import IncidentLoader


class FoldersInMemory:
    """The entries of `source/incidents` as the last load found them: an incident, or what was
    wrong with the entry. `seed` starts it from a whole load; `load` brings it up to date."""

    def __init__(self, source: Path) -> None:
        self.root = source / INCIDENTS_DIR
        self._site: Site | None = None  # of the last load; None: not seeded
        self._now: datetime | None = None
        self._incidents: dict[str, Incident] = {}
        self._claims: dict[str, tuple[Claim, ...]] = {}  # of the incidents that claim ids
        self._wrong: dict[str, list[ContentError]] = {}
        # the incidents oldest first, and their keys: a change moves one, never sorts them all
        self._oldest_first: list[Incident] = []
        self._keys: list[tuple[datetime, str]] = []
        # what Content works out by walking every incident, kept by entry (see Content.knowing)
        self._newest: dict[str, datetime] = {}  # each incident's newest update
        self._postmortems: dict[str, datetime] = {}
        self._open: dict[str, Incident] = {}  # not closed
        self._ends: list[tuple[datetime, str, Incident]] = []  # last moments, in order

    def seed(self, content: Content, now: datetime) -> None:
        """What a whole load at `now` gave (without errors): every incident, as loaded."""
        self._site, self._now = content.site, now
        self._incidents = {i.slug: i for i in content.incidents}
        self._claims = {i.slug: c for i in content.incidents if (c := claims_of(i))}
        self._wrong = {}
        self._oldest_first = list(reversed(content.incidents))
        self._keys = [began_key(i) for i in self._oldest_first]
        self._newest, self._postmortems, self._open = {}, {}, {}
        for incident in content.incidents:
            self._note(incident.slug, incident)
        self._ends = sorted((i.last_moment, i.slug, i) for i in content.incidents)

    def _note(self, name: str, incident: Incident) -> None:
        self._newest[name] = incident.updates[-1].at
        if incident.postmortem is not None:
            self._postmortems[name] = incident.postmortem.at
        if incident.resolved_at is None:
            self._open[name] = incident

    def _drop(self, name: str) -> None:
        self._newest.pop(name, None)
        self._postmortems.pop(name, None)
        self._open.pop(name, None)

    def take_settings(self, site: Site) -> bool:
        """Load with `site` from now on, if every incident kept is the one a load with it
        gives (see content.model.still_loads: a new zone, component or severity keeps them
        all, and so does a removed one that no incident names); False, and nothing changes,
        if not, or if nothing was seeded."""
        if self._site is None:
            return False
        if load_inputs(site) != load_inputs(self._site):
            holds = still_loads(site)
            if not all(holds(incident) for incident in self._incidents.values()):
                return False
        self._site = site
        return True

    def forget(self) -> None:
        """Know nothing until the next `seed`: after a load that did not go through here."""
        self._site = None

    def can_load(self, now: datetime) -> bool:
        """Whether `load` at `now` gives what a whole load would: it was seeded, and time did
        not go back (a kept incident was accepted at a time no later than `now`)."""
        return self._site is not None and self._now is not None and now >= self._now

    def load(self, names: Collection[str], now: datetime, one: IncidentLoader) -> Content:
        """The model after a change to the entries `names` of `incidents/`, each loaded by
        `one` (which must not answer for them from before); ContentErrors as `load` gives."""
        from heliograph.content.load import NamedEntry, assembled, load_entry, read_document

        site = self._site
        assert site is not None and self.can_load(now)
        for name in {*names, *self._wrong}:
            self._wrong.pop(name, None)
            self._claims.pop(name, None)
            if (old := self._incidents.pop(name, None)) is not None:
                at = bisect_left(self._keys, began_key(old))
                del self._keys[at], self._oldest_first[at]
                self._drop(name)
                del self._ends[bisect_left(self._ends, (old.last_moment, name))]
            if name.startswith(".") or not os.path.lexists(self.root / name):
                continue  # hidden, as a listing leaves it out; or gone
            incident, errors = load_entry(
                self.root, NamedEntry(self.root, name), site, now, read_document, one
            )
            if errors:
                self._wrong[name] = errors
            if incident is not None:
                self._incidents[name] = incident
                self._note(name, incident)
                insort(self._ends, (incident.last_moment, name, incident))
                at = bisect_left(self._keys, key := began_key(incident))
                self._keys.insert(at, key)
                self._oldest_first.insert(at, incident)
                if claims := claims_of(incident):
                    self._claims[name] = claims
        self._now = now
        errors = [e for wrong in self._wrong.values() for e in wrong]
        errors += duplicate_claims(c for claims in self._claims.values() for c in claims)
        content, errors = assembled(site, reversed(self._oldest_first), errors)
        if content is None:
            raise ContentErrors(errors)
        return content.knowing(
            max(self._newest.values(), default=None),
            max(self._postmortems.values(), default=None),
            tuple(sorted(self._open.values(), key=began_key, reverse=True)),  # content order
            list(self._ends),  # a copy: the next load changes this one
        )
