"""The condensed findings (checks.findings.condensed) kept from one save to the next.

The preview shows the lines `condensed` gives for the site's findings after every save: at ten
thousand incidents that is 17,800 findings walked for five lines (20-30 ms, and the open tab's
page waited for it), where a save changes the findings of one incident or two. This keeps, for
each group of historic findings (a rule at a level), how many each incident has and the first
of them, and takes out and puts in only the findings of the incidents that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from heliograph.checks.findings import GROUP_AT, Finding, Group, group_of, summed_up


class CondensedInMemory:
    """`condensed` of a site's findings, kept up to date from the incidents whose findings
    changed (`update`); `shown` is what `condensed` gives for them all, in their order."""

    def __init__(self, at_least: int = GROUP_AT) -> None:
        self.at_least = at_least
        self._counts: dict[Group, dict[str, int]] = {}  # historic findings by incident
        self._totals: dict[Group, int] = {}
        self._first: dict[Group, Finding] = {}  # of each group, in the findings' order
        self._alone: dict[str, tuple[Finding, ...]] = {}  # by incident: not historic
        self._by_slug: Mapping[str, tuple[Finding, ...]] = {}
        self.shown: tuple[Finding, ...] = ()

    def update(
        self,
        before: Mapping[str, tuple[Finding, ...]],
        now: Mapping[str, tuple[Finding, ...]],
        changed: Iterable[str],
    ) -> None:
        """The findings of the incidents `changed` went from `before[slug]` to `now[slug]`
        (absent: none); `now` is every incident's findings from here on."""
        self._by_slug = now
        unsure: set[Group] = set()
        for slug in changed:
            for f in before.get(slug, ()):
                if f.historic:
                    self._take_out(slug, f, unsure)
            for f in now.get(slug, ()):
                if f.historic:
                    self._put_in(slug, f, unsure)
            alone = tuple(f for f in now.get(slug, ()) if not f.historic)
            if alone:
                self._alone[slug] = alone
            else:
                self._alone.pop(slug, None)
        for group in unsure:
            self._find_first(group)
        self.shown = self._condensed()

    def _take_out(self, slug: str, f: Finding, unsure: set[Group]) -> None:
        group = group_of(f)
        counts = self._counts[group]
        counts[slug] -= 1
        if not counts[slug]:
            del counts[slug]
        self._totals[group] -= 1
        if not self._totals[group]:
            del self._totals[group], self._counts[group], self._first[group]
            unsure.discard(group)
        elif self._first[group] is f:
            unsure.add(group)  # the next one is found once all changes are in

    def _put_in(self, slug: str, f: Finding, unsure: set[Group]) -> None:
        group = group_of(f)
        counts = self._counts.setdefault(group, {})
        counts[slug] = counts.get(slug, 0) + 1
        self._totals[group] = self._totals.get(group, 0) + 1
        first = self._first.get(group)
        if first is None or f.sort_key < first.sort_key:
            self._first[group] = f

    def _members(self, group: Group) -> list[Finding]:
        return [
            f for slug in self._counts[group] for f in self._by_slug[slug] if group_of(f) == group
        ]

    def _find_first(self, group: Group) -> None:
        """The first finding of `group` in the site's order: the lowest sort key. Of two that
        sort alike either will do, as the line shows only what the key holds (the file, the
        line) and the group's count."""
        if group in self._counts:
            self._first[group] = min(self._members(group), key=lambda f: f.sort_key)

    def _condensed(self) -> tuple[Finding, ...]:
        lines: list[tuple[tuple[str, int, str, str], int, Finding]] = []
        for alone in self._alone.values():
            lines += ((f.sort_key, n, f) for n, f in enumerate(alone))
        for group, total in self._totals.items():
            if total > self.at_least:
                first = self._first[group]
                line = summed_up(first, total, len(self._counts[group]))
                lines.append((first.sort_key, self._at(first), line))
            else:
                lines += ((f.sort_key, self._at(f), f) for f in self._members(group))
        # the site's order: by sort key, and of one incident's findings alike, as it has them
        # (two incidents' never sort alike: the file names the incident)
        lines.sort(key=lambda line: line[:2])
        return tuple(f for _, _, f in lines)

    def _at(self, f: Finding) -> int:
        return self._by_slug[f.incident].index(f)
