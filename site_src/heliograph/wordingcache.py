"""Wording findings kept between builds: the check reads every message of every incident, yet
between two builds almost none of them change.

An incident's wording findings depend only on the site's wording rules and on its slug, its
updates' paths, body lines and messages; so they are stored, for the current rules, under a hash
of exactly those, in one cache entry that holds only the incidents of the last build.
"""

from __future__ import annotations

from heliograph.cache import Cache, digest
from heliograph.findings import Finding
from heliograph.model import Incident, WordingRule
from heliograph.wording import incident_wording


def wording_inputs(incident: Incident) -> bytes:
    """A hash of everything of an incident that its wording findings are made of."""
    return digest(incident.slug, *(part for u in incident.updates
                                   for part in (str(u.path), str(u.body_line), u.body)))


class WordingMemo:
    """An `incident_wording` that answers from the cache when the incident is unchanged."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._rules: tuple[WordingRule, ...] | None = None
        self._key = b""
        self.known: dict[bytes, tuple[Finding, ...]] = {}
        self.seen: dict[bytes, tuple[Finding, ...]] = {}
        self.checked = 0  # incidents whose messages were read this build

    def _use(self, rules: tuple[WordingRule, ...]) -> None:
        """Load the findings stored for these rules."""
        self.store()
        self._rules, self._key = rules, self.cache.key("wording", repr(rules))
        stored = self.cache.get(self._key)
        self.known = stored if isinstance(stored, dict) else {}
        self.seen = {}

    def __call__(self, rules: tuple[WordingRule, ...], incident: Incident) -> list[Finding]:
        if rules != self._rules:
            self._use(rules)
        key = wording_inputs(incident)
        found = self.known.get(key)
        if found is None:
            found = tuple(incident_wording(rules, incident))
            self.checked += 1
        self.seen[key] = found
        return list(found)

    def store(self) -> None:
        """Keep this build's findings, unless they are exactly what the cache holds."""
        if self._rules is not None and self.seen != self.known:
            self.cache.put(self._key, self.seen)
