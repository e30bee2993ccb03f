"""The content model: frozen dataclasses and enums, built once by `load`, read by every stage."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar


class ComponentStatus(Enum):
    """A component's health, in the Statuspage vocabulary."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"

    @property
    def rank(self) -> int:
        """Higher is worse; the worst status wins when incidents overlap."""
        return _COMPONENT_RANK[self]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_COMPONENT_RANK = {s: i for i, s in enumerate(ComponentStatus)}


class IncidentStatus(Enum):
    """The phase an incident update announces."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceStatus(Enum):
    """The phase a scheduled-maintenance update announces."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


class Impact(Enum):
    """Statuspage's impact scale for incidents and the status rollup."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


class Kind(Enum):
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"


Status = IncidentStatus | MaintenanceStatus
CLOSED_STATUSES = frozenset({IncidentStatus.RESOLVED, MaintenanceStatus.COMPLETED})


T = TypeVar("T")


def hashed_once(cls: type[T]) -> type[T]:
    """A frozen dataclass whose hash is taken once per object and kept in it.

    The preview's memos key pages, feed entries and views by the incident and the settings,
    thousands of times a save, and a dataclass's own hash walks every field (every update of an
    incident) each time. The kept hash is left out of a pickle: a string's hash is salted per
    process, so it holds for this one only.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __hash__(self: Any) -> int:
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = self.__dict__["_hash"] = hash(tuple([getattr(self, n) for n in names]))
        return found

    def __getstate__(self: Any) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    cls.__hash__ = __hash__  # type: ignore[method-assign]
    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    return cls


@dataclass(frozen=True)
class Severity:
    """A severity level and the communication rules that come with it."""

    key: str
    label: str
    impact: Impact
    rank: int  # 0 is the most severe: the order in components.yaml
    first_update: timedelta | None = None
    update_every: timedelta | None = None
    monitor_for: timedelta | None = None
    postmortem_within: timedelta | None = None  # from the resolution to a published postmortem
    resolve_within: timedelta | None = None  # longest time in monitoring before `resolved`
    mttd: timedelta | None = None  # the report's targets: mean time to detect ...
    mttr: timedelta | None = None  # ... and to resolve


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str | None
    group: str | None  # the group's id
    position: int  # 1-based order on the page
    show_uptime: bool = True
    api_id: str | None = None  # the id another page published for it, kept in the API


@dataclass(frozen=True)
class SubscribeLink:
    """A way to follow the site that its owner advertises (`site.subscribe`): a Slack
    community, an e-mail sign-up page."""

    name: str
    url: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    components: tuple[str, ...]
    position: int
    description: str | None = None
    api_id: str | None = None  # the id another page published for it, kept in the API


@dataclass(frozen=True)
class WordingRule:
    """A public-wording check: its phrases, what is wrong with them and a plainer way to say it.

    What the phrases mean depends on the check (`checks.wording` reads them): words flagged
    wherever they appear, or, for the built-in checks that look at the sentence, the words the
    sentence rule looks for (a provider's name, a hedge).
    """

    name: str
    message: str
    phrases: tuple[str, ...]
    suggest: str = (
        ""  # a plain rewrite to offer, e.g. 'say "We will post another update by 15:30."'
    )


CHANNEL_KINDS = ("slack", "discord", "teams", "webhook", "smtp", "ses")
HTTP_KINDS = frozenset({"slack", "discord", "teams", "webhook"})
MAIL_KINDS = frozenset({"smtp", "ses"})


@dataclass(frozen=True)
class Mail:
    """How an e-mail channel sends: the sender, the list and the server. Secrets and the list
    itself are never in the content: only the names of the variables (or the file) that hold
    them."""

    sender: str
    recipients_file: str | None = None  # a file outside the site, one address a line
    recipients_env: str | None = None  # or a variable holding addresses, one a line or comma
    unsubscribe: str | None = None  # a mailto: address or an https URL, for List-Unsubscribe
    host: str | None = None  # smtp: the server
    port: int = 587
    tls: str = "starttls"  # starttls | ssl | none
    username_env: str | None = None
    password_env: str | None = None
    region: str | None = None  # ses: the region (else AWS_REGION)


@dataclass(frozen=True)
class Channel:
    """A `notify:` entry: where subscribers are told of public events, and which ones.

    The filters are empty for "everything": `components` and `severities` narrow incidents to
    those touching one of the components or of one of the severities, `kinds` to incidents or
    maintenance. `reminder` is how long before a maintenance starts it is announced again.
    """

    name: str
    kind: str  # one of CHANNEL_KINDS
    line: int  # where components.yaml declares it
    url_env: str | None = None  # HTTP kinds: the variable holding the webhook URL
    secret_env: str | None = None  # webhook: the variable holding the signing secret
    components: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = (Kind.INCIDENT, Kind.MAINTENANCE)
    reminder: timedelta | None = timedelta(minutes=60)
    mail: Mail | None = None


@hashed_once
@dataclass(frozen=True)
class Site:
    name: str
    url: str  # absolute, without a trailing slash
    timezone: str
    uptime_days: int
    history_days: int
    feed_entries: int
    severities: tuple[Severity, ...]
    components: tuple[Component, ...]
    groups: tuple[Group, ...]
    wording: tuple[WordingRule, ...] = ()
    path: Path = Path("components.yaml")
    page_id: str | None = None  # the `page.id` another page published, kept in the API
    notify: tuple[Channel, ...] = ()  # where `heliograph notify` tells subscribers
    language: str = "en"  # the theme's words, dates and numbers; incident text stays as written
    # a page older than this warns its visitor (twice the deploy schedule's 10 minutes)
    stale_after: timedelta = timedelta(minutes=20)
    # listed beside the feeds in every page's subscribe menu
    subscribe: tuple[SubscribeLink, ...] = ()

    def severity(self, key: str) -> Severity:
        return next(s for s in self.severities if s.key == key)

    def component(self, cid: str) -> Component:
        return next(c for c in self.components if c.id == cid)

    @cached_property
    def kept_ids(self) -> dict[tuple[str, str], str]:
        """`api_id`s kept from another page, by ("component" or "group", our id)."""
        kept = {("component", c.id): c.api_id for c in self.components if c.api_id}
        return kept | {("group", g.id): g.api_id for g in self.groups if g.api_id}


def load_inputs(site: Site) -> tuple[object, ...]:
    """What of the settings loading an incident folder reads (content.load): the zone of a
    time written without an offset (for the message that refuses it), and the severities and
    component ids it checks against. Under two settings alike in these, a folder loads as the
    same model, so the caches of loaded incidents are keyed by them: a new site name or
    description reloads nothing (and see `still_loads`)."""
    return (
        site.timezone,
        tuple(s.key for s in site.severities),
        tuple(sorted(c.id for c in site.components)),
    )


def still_loads(site: Site) -> Callable[[Incident], bool]:
    """Whether an incident that loaded without errors under other settings loads as the same
    model under `site`: it does while `site` has every severity and component it names, since
    of the rest of `load_inputs` only an error's message reads the zone. A new component,
    severity or zone loads no folder again."""
    severities = frozenset(s.key for s in site.severities)
    components = frozenset(c.id for c in site.components)

    def holds(incident: Incident) -> bool:
        return components.issuperset(incident.component_ids) and all(
            u.severity is None or u.severity in severities for u in incident.updates
        )

    return holds


@dataclass(frozen=True)
class Update:
    """One public update: a markdown file with front matter."""

    at: datetime
    status: Status
    body: str  # markdown source
    file: str  # the file as shown to people, `incidents/<slug>/<name>` (see `path`)
    line: int  # line of `at:` in the file
    title: str | None = None
    severity: str | None = None
    components: tuple[tuple[str, ComponentStatus], ...] = ()
    body_line: int = 0  # file line where the message starts, for wording findings
    scheduled_for: datetime | None = None  # the maintenance window as this update states it
    scheduled_until: datetime | None = None
    api_id: str | None = None  # `update_id`: the id another page published for this update
    title_line: int = 0  # line of `title:`, for wording findings on the title
    corrected: datetime | None = None  # when its message was last changed after publishing
    first_published: tuple[str | None, str | None] | None = None  # `at`, `status` as first
    # published, where a later commit changed them (content.corrections)

    # A string in the model, a Path on demand: a large site's cached model holds tens of
    # thousands of them, and a Path costs more to unpickle than the rest of its update.
    @property
    def path(self) -> Path:
        return Path(self.file)


@dataclass(frozen=True)
class Postmortem:
    at: datetime
    body: str
    file: str
    body_line: int = 0  # file line where the text starts, for findings in it

    @property
    def path(self) -> Path:
        return Path(self.file)


@hashed_once
@dataclass(frozen=True)
class Incident:
    """An incident or a scheduled maintenance: a folder of updates, oldest first."""

    slug: str
    kind: Kind
    updates: tuple[Update, ...]
    folder: str  # `incidents/<slug>` (see `path`)
    started: datetime | None = None
    detected: datetime | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    postmortem: Postmortem | None = None  # published: `postmortem.md` without `draft: true`
    postmortem_draft: str | None = None  # the file of a postmortem still marked `draft: true`
    ignored: tuple[str, ...] = ()  # markdown-like files in the folder that were not read
    # Kept from another page (`incident_id`, `shortlink` on the first update), so that its API
    # clients and old links find the incident under the same id and address.
    api_id: str | None = None
    shortlink: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.folder)

    # Derived once per incident (a frozen dataclass has a __dict__ for them): the listings
    # and checks of a large site ask each incident for these tens of thousands of times.

    @property
    def first(self) -> Update:
        return self.updates[0]

    @property
    def last(self) -> Update:
        return self.updates[-1]

    @cached_property
    def title(self) -> str:
        return next(u.title for u in reversed(self.updates) if u.title)

    @property
    def severity(self) -> str | None:
        """The severity in force after the latest update."""
        return next((u.severity for u in reversed(self.updates) if u.severity), None)

    @cached_property
    def began(self) -> datetime:
        """When the impact began: `started`, else the window start, else the first update."""
        return self.started or self.scheduled_for or self.first.at

    @cached_property
    def component_ids(self) -> tuple[str, ...]:
        """Every component ever attached, in first-mention order."""
        seen: dict[str, None] = {}
        for u in self.updates:
            seen.update((cid, None) for cid, _ in u.components)
        return tuple(seen)

    @cached_property
    def resolved_at(self) -> datetime | None:
        return self.last.at if self.last.status in CLOSED_STATUSES else None

    @property  # not kept: it would be pickled with every cached incident, for a few reads
    def last_moment(self) -> datetime:
        """Its last update, or a maintenance window's edge after it."""
        final = self.last.at
        if self.kind is Kind.MAINTENANCE:
            final = max(e for e in (final, self.scheduled_for, self.scheduled_until) if e)
        return final


def newest_first(incidents: Iterable[Incident]) -> list[Incident]:
    """The model's order of incidents: the latest to begin first (by folder name if equal)."""
    return sorted(incidents, key=began_key, reverse=True)


def began_key(incident: Incident) -> tuple[datetime, str]:
    return incident.began, incident.slug


@dataclass(frozen=True)
class Content:
    """Everything a build reads: the site settings and every incident."""

    site: Site
    incidents: tuple[Incident, ...] = field(default=())

    # Asked by several renderers of one build; each answer is a walk over the whole history.

    @cached_property
    def newest_update(self) -> datetime | None:
        return max((i.updates[-1].at for i in self.incidents), default=None)

    @cached_property
    def newest_postmortem(self) -> datetime | None:
        return max((i.postmortem.at for i in self.incidents if i.postmortem), default=None)

    @cached_property
    def not_closed(self) -> tuple[Incident, ...]:
        """Incidents whose newest update does not close them, in content order."""
        return tuple(i for i in self.incidents if i.resolved_at is None)

    def began_since(self, since: datetime) -> tuple[Incident, ...]:
        """The incidents that began at `since` or later, in content order."""
        if "_ends" not in self.__dict__:
            return tuple(i for i in self.incidents if i.began >= since)
        # newest first (see `knowing`): they are the first ones, found by a binary search
        low, high = 0, len(self.incidents)
        while low < high:
            middle = (low + high) // 2
            if self.incidents[middle].began >= since:
                low = middle + 1
            else:
                high = middle
        return self.incidents[:low]

    def ending_after(self, since: datetime) -> tuple[Incident, ...]:
        """The incidents whose last moment is after `since`, in content order."""
        ends: list[tuple[datetime, str, Incident]] | None = self.__dict__.get("_ends")
        if ends is None:
            return tuple(i for i in self.incidents if _ends_after(i, since))
        later = ends[bisect_right(ends, since, key=_moment) :]
        return tuple(sorted((e[2] for e in later), key=began_key, reverse=True))

    def knowing(
        self,
        newest_update: datetime | None,
        newest_postmortem: datetime | None,
        not_closed: tuple[Incident, ...],
        ends: list[tuple[datetime, str, Incident]],
    ) -> Content:
        """This content, told what its walks over every incident above would find: the
        preview keeps them from one save to the next (incremental.folders), where each walk
        cost a save at ten thousand incidents 5-12 ms. Its incidents are in the model's order
        (`newest_first`), and `ends` holds each one's last moment and slug, in order."""
        self.__dict__.update(
            newest_update=newest_update,
            newest_postmortem=newest_postmortem,
            not_closed=not_closed,
            _ends=ends,  # and the incidents in the model's order: see began_since
        )
        return self

    def with_marked(self, marked: Mapping[str, Incident]) -> Content:
        """This content with the incidents `marked` (by slug) in place of its own: copies
        alike in every time and status, whose updates only carry marks (the corrections of
        content.corrections), so what it was told it knows (`knowing`) still holds."""
        out = replace(self, incidents=tuple(marked.get(i.slug, i) for i in self.incidents))
        ends: list[tuple[datetime, str, Incident]] | None = self.__dict__.get("_ends")
        if ends is None:
            return out
        ends = list(ends)
        for slug, incident in marked.items():
            at = bisect_left(ends, (incident.last_moment, slug))
            if at == len(ends) or ends[at][1] != slug:
                return out  # not alike after all: it works them out itself
            ends[at] = (incident.last_moment, slug, incident)
        not_closed = tuple(marked.get(i.slug, i) for i in self.not_closed)
        return out.knowing(self.newest_update, self.newest_postmortem, not_closed, ends)


def _moment(end: tuple[datetime, str, Incident]) -> datetime:
    return end[0]


def _ends_after(incident: Incident, since: datetime) -> bool:
    # a closed incident's last moment is when it closed, which it keeps: found without a call
    # to `last_moment`, ten thousand times a build
    closed = incident.resolved_at
    if closed is not None and incident.kind is Kind.INCIDENT:
        return closed > since
    return incident.last_moment > since
