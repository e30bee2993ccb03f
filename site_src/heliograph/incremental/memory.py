"""Work kept in memory from one build to the next in one process: the preview's.

The preview builds the same site again and again, a moment after each save. Each piece here
answers one step of the pipeline from what the last build of this process made, the way the
build cache answers a fresh process from disk, and just as it, only saves work: an incident is
loaded again when its folder changed (the caller says which, from the file events) or the site
settings did, an incident's findings are checked again unless it is the very incident they
were checked for, and a page is rendered again unless its inputs are the last build's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heliograph.checks.site import check_inputs, incident_findings, settled
from heliograph.content.errors import ContentError
from heliograph.content.model import Content, Incident, Site, load_inputs
from heliograph.incremental.cache import digest
from heliograph.incremental.condensed import CondensedInMemory
from heliograph.incremental.incidents import latest_time

if TYPE_CHECKING:
    from heliograph.checks.findings import Finding
    from heliograph.checks.site import IncidentChecks  # noqa: F401 - (a type)
    from heliograph.content.load import Reader


class SiteKey:
    """A hash of what a step reads of the site settings (`of`), taken once per settings
    object."""

    def __init__(self, of: Callable[[Site], object]) -> None:
        self._of = of
        self._site: Site | None = None
        self._key = b""

    def __call__(self, site: Site) -> bytes:
        if site is not self._site:
            self._site, self._key = site, digest(repr(self._of(site)))
        return self._key


class IncidentsInMemory:
    """A `load` incident loader that keeps every incident it loaded; `forget` names the
    folders that changed since. Each load gives the incident a new version, which stands for
    it in the keys of pages (see pages.MemoryPages)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[bytes, datetime, Incident]] = {}
        self._versions: dict[str, int] = {}
        self._counter = 0
        self._site_key = SiteKey(load_inputs)

    def forget(self, slugs: Iterable[str] | None) -> None:
        """Load these incidents again next time (None: every incident)."""
        if slugs is None:
            self._kept.clear()
        for slug in slugs or ():
            self._kept.pop(slug, None)

    def seed(self, site: Site, incidents: Iterable[Incident]) -> None:
        """Keep incidents loaded some other way (the build cache's, at start)."""
        key = self._site_key(site)
        for incident in incidents:
            self._keep(key, incident)

    def version(self, slug: str) -> int:
        return self._versions.get(slug, 0)

    def _keep(self, key: bytes, incident: Incident) -> None:
        self._counter += 1
        self._versions[incident.slug] = self._counter
        self._kept[incident.slug] = (key, latest_time(incident), incident)

    def __call__(
        self, root: Path, slug: str, site: Site | None, now: datetime, read: Reader
    ) -> tuple[Incident | None, list[ContentError]]:
        kept = self._kept.get(slug)
        if kept is not None and site is not None:
            key, latest, held = kept
            if key == self._site_key(site) and latest <= now:
                return held, []
        from heliograph.content.load import load_folder

        incident, errors = load_folder(root, slug, site, now, read)
        if incident is not None and not errors and site is not None:
            self._keep(self._site_key(site), incident)
        else:
            self._kept.pop(slug, None)
        return incident, errors


Ordered = list[tuple[tuple[str, int, str, str], str, "Finding"]]  # (sort key, slug, finding)


class FindingsInMemory:
    """An `IncidentChecks` that keeps each incident's findings while it is the very same
    incident (an incident loaded again is a new object) under the same settings, and, unless it
    is settled, at the same `now` (`serve --now`); and, by `check`, the site's findings in order
    from one build to the next."""

    def __init__(self) -> None:
        # slug -> (settings, incident, findings, the `now` they hold at; None: any, settled)
        self._kept: dict[str, tuple[bytes, Incident, tuple[Finding, ...], datetime | None]] = {}
        self._site_key = SiteKey(check_inputs)
        # what checks an incident that is not kept: the build cache's memo at start, say
        self.through: IncidentChecks | None = None
        self._shown: dict[str, tuple[Finding, ...]] = {}  # the last `check`'s, by incident
        self._order: Ordered = []  # and in its order
        self._found: tuple[Finding, ...] = ()
        self.condensed = CondensedInMemory()  # the lines `condensed` gives for `_found`

    def __call__(self, site: Site, incident: Incident, now: datetime) -> tuple[Finding, ...]:
        key = self._site_key(site)
        kept = self._kept.get(incident.slug)
        if kept is not None and kept[0] == key and kept[1] is incident and kept[3] in (None, now):
            return kept[2]
        found = tuple((self.through or incident_findings)(site, incident, now))
        at = None if settled(incident, now, site) else now
        self._kept[incident.slug] = (key, incident, found, at)
        return found

    def check(self, content: Content, now: datetime) -> tuple[Finding, ...]:
        """`checks.site.check(content, now, self)`, from the last one's: sorting every finding
        of ten thousand incidents again cost a save 15 ms, so the findings of the incidents
        whose findings changed are put in their places in the last order instead."""
        shown, kept, changed, same = self._shown, self._kept, {}, 0
        key = self._site_key(content.site)
        for incident in content.incidents:  # `self(...)`, its kept case inline: 10,000 times
            k = kept.get(slug := incident.slug)
            if k is not None and k[1] is incident and k[0] == key and k[3] in (None, now):
                found = k[2]
            else:
                found = self(content.site, incident, now)
            before = shown.get(slug)
            if before is not None:
                same += 1
            if found is not before and found != before:
                changed[slug] = found
        if not changed and same == len(shown):  # nothing changed, nothing gone
            return self._found
        gone = shown.keys() - {i.slug for i in content.incidents} if same < len(shown) else set()
        order = self._patched(changed, gone)
        was = {slug: shown[slug] for slug in (*changed, *gone) if slug in shown}
        for slug in gone:
            del shown[slug]
        shown.update(changed)
        self.condensed.update(was, shown, (*changed, *gone))
        if order is None:  # in the incidents' order, as `check` sorts them
            entries = ((f.sort_key, i.slug, f) for i in content.incidents for f in shown[i.slug])
            order = sorted(entries, key=_first)
        self._order, self._found = order, tuple(map(_third, order))
        return self._found

    def _patched(self, changed: dict[str, tuple[Finding, ...]], gone: set[str]) -> Ordered | None:
        """The last order with the findings of `changed` incidents in their new places, and
        those of `gone` ones out; None where a whole sort is as quick, or where two
        incidents' findings sort equal (the whole sort keeps them in the incidents' order)."""
        if len(changed) > PATCH_UP_TO or not self._shown:
            return None
        out = list(self._order)  # the old findings of `changed` and `gone` found, not walked to
        for slug in (*changed, *gone):
            for f in self._shown.get(slug, ()):
                at = bisect_left(out, key := f.sort_key, key=_first)
                while at < len(out) and out[at][0] == key and out[at][2] is not f:
                    at += 1
                if at == len(out) or out[at][2] is not f:
                    return None  # not where the order has it: sorted whole instead
                del out[at]
        for slug, found in changed.items():
            for f in found:
                at = bisect_right(out, key := f.sort_key, key=_first)
                if at and out[at - 1][0] == key and out[at - 1][1] != slug:
                    return None
                out.insert(at, (key, slug, f))
        return out


PATCH_UP_TO = 50  # incidents whose findings changed, above which the whole sort is quicker


def _first(entry: tuple[Any, ...]) -> Any:
    return entry[0]


_third = itemgetter(2)


_NONE = object()


class Reuse:
    """A render memo (state.reuse.Memo) that keeps from one build what the next one asks for
    again: a value whose key is the same is the value; what a build did not ask for is let go
    when it ends (`sweep`), so memory holds one build's worth."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, Any] = {}
        self._asked: dict[Hashable, Any] = {}

    def __call__(self, key: Hashable, make: Callable[[], Any]) -> Any:
        value = self._asked.get(key, _NONE)  # one lookup a dict: a key is a tuple to hash
        if value is _NONE:
            value = self._kept.get(key, _NONE)
            if value is _NONE:
                value = make()
            self._asked[key] = value
        return value

    def sweep(self, keep_unasked: bool = False) -> None:
        """End a build: keep what it asked for, and only that (with `keep_unasked`, what the
        builds before kept as well: a build that made only part of the site, the preview's)."""
        if keep_unasked:  # in place: a copy of what the builds before kept cost a save 4 ms
            self._kept.update(self._asked)
        else:
            self._kept = self._asked
        self._asked = {}
