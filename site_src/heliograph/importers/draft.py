"""What an importer reads from another page: the site and its incidents, before they are files.

Each source (`statuspage`, `cstate`) turns its input into these frozen values; `writer` turns
them into `components.yaml` and update files, and `plan` compares those with the site on disk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from heliograph.content.errors import ContentError


@dataclass(frozen=True)
class Options:
    """What the user chose for an import: `now`, the source's severities (impact or cState
    severity -> ours), the site settings to override, and (cState) system names to file."""

    now: datetime
    severities: Mapping[str, str]
    url: str | None = None
    timezone: str | None = None
    renames: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class Note:
    """Something in the input that the import could not carry over as it was, and what it did."""

    path: str  # the input file (or URL) as shown to people
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


@dataclass(frozen=True)
class ComponentDraft:
    id: str
    name: str
    description: str | None = None
    show_uptime: bool = True
    api_id: str | None = None


@dataclass(frozen=True)
class GroupDraft:
    id: str
    name: str
    components: tuple[ComponentDraft, ...]
    description: str | None = None
    api_id: str | None = None


Entry = ComponentDraft | GroupDraft


@dataclass(frozen=True)
class SiteDraft:
    name: str
    url: str
    timezone: str
    entries: tuple[Entry, ...]  # page order: components and groups at the top level
    page_id: str | None = None

    @property
    def components(self) -> tuple[ComponentDraft, ...]:
        """Every component, grouped ones included, in page order."""
        out: list[ComponentDraft] = []
        for e in self.entries:
            out += e.components if isinstance(e, GroupDraft) else [e]
        return tuple(out)


@dataclass(frozen=True)
class UpdateDraft:
    at: datetime
    status: str
    body: str
    # Component id to status; None writes no `components:` (the update changes none).
    components: tuple[tuple[str, str], ...] | None = None
    update_id: str | None = None


@dataclass(frozen=True)
class IncidentDraft:
    """One incident or maintenance, its updates oldest first."""

    key: str  # the source's own name for it (`statuspage:<id>`, `cstate:<file>`), for reruns
    slug: str  # the folder it wants; a rerun keeps the folder it already has
    kind: str  # incident | maintenance
    title: str
    updates: tuple[UpdateDraft, ...]
    severity: str | None = None
    started: datetime | None = None
    detected: datetime | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    incident_id: str | None = None
    shortlink: str | None = None
    postmortem: tuple[datetime, str] | None = None  # when it was published, and its text
    # What upstream said, for reruns: unchanged, the incident is left as it is on disk. Empty:
    # the draft itself stands for it (a reader whose draft depends on the clock sets its own).
    source: str = ""

    def digest(self) -> str:
        return hashlib.sha256((self.source or repr(self)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Imported:
    """Everything one import read: the site, its incidents, what it noted, what was wrong."""

    source: str  # what was read, for messages (a URL, folders or files)
    site: SiteDraft | None
    origin: str = ""  # the old page, as components.yaml names it: the same on every rerun
    incidents: tuple[IncidentDraft, ...] = ()
    notes: tuple[Note, ...] = ()
    errors: tuple[ContentError, ...] = ()
    facts: tuple[str, ...] = field(default=())  # plain statements for the user, e.g. limits
