"""`load`: read `components.yaml` and `incidents/` into the frozen model, or a list of errors."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

from heliograph.content.config import load_site
from heliograph.content.errors import ContentError
from heliograph.content.layout import INCIDENTS_DIR, POSTMORTEM_NAME
from heliograph.content.model import (
    ComponentStatus,
    Content,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    Postmortem,
    Site,
    Update,
    newest_first,
)
from heliograph.content.postmortems import placeholder_lines
from heliograph.content.published import duplicate_ids
from heliograph.content.schema import (
    Field,
    Invalid,
    boolean,
    check_mapping,
    choice,
    describe,
    optional_text,
    published_id,
    time_in,
    url,
)
from heliograph.content.sourcefile import Document, read_text, split_front_matter
from heliograph.content.yamltext import LineMap

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.md")


@lru_cache(maxsize=8)
def update_fields(site_zone: str | None) -> dict[str, Field]:
    """The front matter of an update; a time without offset is shown in the site's zone."""
    at = time_in(site_zone)
    return {
        "at": Field(at, required=True),
        "status": Field(lambda v: v, required=True),
        "title": Field(optional_text),
        "severity": Field(lambda v: v),
        "components": Field(lambda v: v),
        "kind": Field(choice(Kind)),
        "started": Field(at),
        "detected": Field(at),
        "scheduled_for": Field(at),
        "scheduled_until": Field(at),
        "incident_id": Field(published_id),
        "shortlink": Field(url),
        "update_id": Field(published_id),
    }


@lru_cache(maxsize=8)
def postmortem_fields(site_zone: str | None) -> dict[str, Field]:
    return {
        "at": Field(time_in(site_zone), required=True),
        "title": Field(optional_text),
        "draft": Field(boolean, default=False),
    }


FIRST_ONLY = ("kind", "started", "detected", "incident_id", "shortlink")
STATUS_CHOICE = {
    Kind.INCIDENT: choice(IncidentStatus),
    Kind.MAINTENANCE: choice(MaintenanceStatus, " (statuses of scheduled maintenance)"),
}
COMPONENT_STATUS = choice(ComponentStatus)


@dataclass(frozen=True)
class _Parsed:
    """A file's checked single-field values, before the checks across updates."""

    doc: Document
    values: dict[str, Any]
    path: Path


Reader = Callable[[Path, Path], tuple[Document | None, list[ContentError]]]
# (incidents folder, slug, site, now, reader) -> one incident, or its errors
IncidentLoader = Callable[
    [Path, str, Site | None, datetime, Reader], tuple[Incident | None, list[ContentError]]
]


def read_document(file: Path, display: Path) -> tuple[Document | None, list[ContentError]]:
    """A markdown file's front matter and body, or every reason it cannot be read."""
    text, errors = read_text(file, display)
    doc, more = split_front_matter(text, display) if text is not None else (None, [])
    return doc, errors + more


def load(
    source: Path, now: datetime, read: Reader = read_document, one: IncidentLoader | None = None
) -> tuple[Content | None, list[ContentError]]:
    """Read the whole site in `source`; return the model, or every error in it.

    `read` parses one file and `one` loads one incident folder (default `load_folder`); the
    build passes ones that answer from its cache.
    """
    site, errors = load_site(source)
    incidents: list[Incident] = []
    root = source / INCIDENTS_DIR
    try:
        entries = _entries(root)
    except OSError as exc:
        entries, errors = [], [*errors, _unlisted(Path(INCIDENTS_DIR), exc)]
    for entry in entries:  # the folder's own listing tells links and folders apart
        incident, errs = load_entry(root, entry, site, now, read, one)
        errors += errs
        if incident:
            incidents.append(incident)
    return assembled(site, newest_first(incidents), errors + duplicate_ids(incidents))


class Entry(Protocol):
    """An entry of `incidents/`, as `os.scandir` gives it."""

    @property
    def name(self) -> str: ...
    def is_dir(self, *, follow_symlinks: bool = True) -> bool: ...
    def is_symlink(self) -> bool: ...


@dataclass(frozen=True)
class NamedEntry:
    """The entry `name` of the folder `root`, known by its name alone (from a file event), as
    `os.scandir` would give it; a name that is gone is neither a folder nor a link."""

    root: Path
    name: str

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        try:
            mode = os.stat(self.root / self.name, follow_symlinks=follow_symlinks).st_mode
        except OSError:
            return False
        return stat.S_ISDIR(mode)

    def is_symlink(self) -> bool:
        return os.path.islink(self.root / self.name)


def load_entry(
    root: Path,
    entry: Entry,
    site: Site | None,
    now: datetime,
    read: Reader = read_document,
    one: IncidentLoader | None = None,
) -> tuple[Incident | None, list[ContentError]]:
    """An entry of `incidents/` (`root`): its incident if it is an incident folder, else what
    is wrong with it (nothing, for a file that is not an update)."""
    if not entry.is_dir(follow_symlinks=False) or not SLUG.fullmatch(entry.name):
        return None, _misplaced(entry)
    return (one or load_folder)(root, entry.name, site, now, read)


def assembled(
    site: Site | None, incidents: Iterable[Incident], errors: list[ContentError]
) -> tuple[Content | None, list[ContentError]]:
    """The model of `site` and its `incidents` (in the model's order, `newest_first`), or
    `errors` if there are any (in order, each once)."""
    if errors or site is None:
        return None, sorted(set(errors))
    return Content(site, tuple(incidents)), []


def _misplaced(entry: Entry) -> list[ContentError]:
    """What is wrong with an entry of `incidents/` that is not an incident folder."""
    display = Path(INCIDENTS_DIR, entry.name)
    if entry.is_symlink() and entry.is_dir():
        return [ContentError(display, 1, "incident folders must be real folders, not links")]
    if not entry.is_dir():
        if entry.name.endswith(".md"):
            return [
                ContentError(
                    display,
                    1,
                    f"an update must live in its incident's folder: incidents/<slug>/{entry.name}",
                )
            ]
        return []
    return [
        ContentError(
            display,
            1,
            f"incident folder name {entry.name!r} is its URL: use "
            "lowercase letters, digits and '-' only",
        )
    ]


def _unlisted(display: Path, exc: OSError) -> ContentError:
    return ContentError(display, 1, f"cannot read folder: {exc.strerror or exc}")


def _entries(root: Path) -> list[os.DirEntry[str]]:
    """What `incidents/` holds, by name, hidden names left out."""
    if not root.is_dir():
        return []
    with os.scandir(root) as it:
        return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)


def load_folder(
    root: Path, slug: str, site: Site | None, now: datetime, read: Reader = read_document
) -> tuple[Incident | None, list[ContentError]]:
    """`load_incident` of `root/slug`, shown to people as `incidents/<slug>`."""
    return load_incident(root / slug, Path(INCIDENTS_DIR, slug), site, now, read)


def load_incident(
    folder: Path, display: Path, site: Site | None, now: datetime, read: Reader = read_document
) -> tuple[Incident | None, list[ContentError]]:
    """One incident folder as the model, or every error in it. Of `site` it reads only what
    `model.load_inputs` names (the caches rely on it): read more, and name it there."""
    errors: list[ContentError] = []
    parsed: list[_Parsed] = []
    postmortem = None
    ignored: list[str] = []
    zone = site.timezone if site else None
    fields = update_fields(zone)
    draft: str | None = None
    try:
        files = sorted(folder.iterdir())
    except OSError as exc:
        return None, [_unlisted(display, exc)]
    for file in files:
        if file.name.startswith(".") or file.is_dir() or file.suffix != ".md":
            if _looks_like_an_update(file.name):
                ignored.append(file.name)  # said in a finding: a name away from being read
            continue
        path = display / file.name
        if not FILE_NAME.fullmatch(file.name) or file.is_symlink():
            errors.append(
                ContentError(
                    path,
                    1,
                    "update file names use letters, digits, '.', "
                    "'-' and '_' only, and must not be links",
                )
            )
            continue
        doc, errs = read(file, path)
        errors += errs
        if doc is None:
            continue
        if file.name == POSTMORTEM_NAME:
            postmortem, errs = _postmortem(doc, path, now, zone)
            errors += errs
            if postmortem is None and not errs:  # a draft: kept off the site, feeds and API
                draft = path.as_posix()
            continue
        values, errs = check_mapping(doc.meta, fields, path, 1, "front matter")
        errors += errs
        if values["at"] and values["at"] > now:
            errors.append(
                ContentError(
                    path,
                    doc.meta.line_of("at"),
                    f"'at' {values['at'].isoformat()} is after the build's "
                    f"time {now.isoformat()}; updates record what was "
                    "published (use --now to build as of a later time)",
                )
            )
        if not doc.body:
            errors.append(
                ContentError(
                    path,
                    doc.body_line - 1,
                    "the update has no message; "
                    "write what customers should know below the front matter",
                )
            )
        if values["at"] is not None:  # the other fields' errors are reported, and it sorts
            parsed.append(_Parsed(doc, values, path))
    if not parsed:
        if not errors:
            also = f"; not read: {', '.join(ignored)}" if ignored else ""
            errors.append(
                ContentError(display, 1, f"incident folder has no update files (*.md){also}")
            )
        return None, errors
    parsed.sort(key=lambda p: p.values["at"])
    errors += _check_order(parsed)
    updates, errs = _updates(parsed, site)
    errors += errs
    if errors:
        return None, errors
    first = parsed[0].values
    kind = first["kind"] or Kind.INCIDENT
    return Incident(
        slug=folder.name,
        kind=kind,
        updates=tuple(updates),
        folder=display.as_posix(),
        started=first["started"],
        detected=first["detected"],
        scheduled_for=_latest(parsed, "scheduled_for"),
        scheduled_until=_latest(parsed, "scheduled_until"),
        postmortem=postmortem,
        ignored=tuple(ignored),
        api_id=first["incident_id"],
        shortlink=first["shortlink"],
        postmortem_draft=draft,
    ), []


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")


def _looks_like_an_update(name: str) -> bool:
    """A markdown file that `load` passes over: hidden, or its suffix not exactly `.md`."""
    return name.lower().endswith(MARKDOWN_SUFFIXES) and (
        name.startswith(".") or not name.endswith(".md")
    )


def _latest(parsed: list[_Parsed], key: str) -> datetime | None:
    """A later update may move the maintenance window; the newest value wins."""
    return next((p.values[key] for p in reversed(parsed) if p.values[key]), None)


def _check_order(parsed: list[_Parsed]) -> list[ContentError]:
    """Two updates at one moment are ambiguous; numbered file names must agree with `at`."""
    errors = []
    for before, after in pairwise(parsed):
        if before.values["at"] == after.values["at"]:
            errors.append(
                ContentError(
                    after.path,
                    after.doc.meta.line_of("at"),
                    f"duplicate time: {before.path.name} has the same "
                    f"'at' {after.values['at'].isoformat()}; each update "
                    "needs its own",
                )
            )
    numbered = [(int(m.group()), p) for p in parsed if (m := re.match(r"\d+", p.path.name))]
    for (n1, p1), (n2, p2) in pairwise(numbered):
        if n2 < n1:
            errors.append(
                ContentError(
                    p2.path,
                    p2.doc.meta.line_of("at"),
                    f"update out of order: {p2.path.name} is at "
                    f"{p2.values['at'].isoformat()}, after {p1.path.name} "
                    f"({p1.values['at'].isoformat()}); fix the time or rename",
                )
            )
    return errors


def _updates(parsed: list[_Parsed], site: Site | None) -> tuple[list[Update], list[ContentError]]:
    errors: list[ContentError] = []
    updates: list[Update] = []
    first = parsed[0]
    kind = first.values["kind"] or Kind.INCIDENT
    severities = [s.key for s in site.severities] if site else []
    for index, p in enumerate(parsed):
        meta, values, path = p.doc.meta, p.values, p.path
        if index == 0:
            required = ["title", "components"] + (["severity"] if kind is Kind.INCIDENT else [])
            if kind is Kind.MAINTENANCE:
                required += ["scheduled_for", "scheduled_until"]
            for key in required:
                if values[key] is None and meta.get(key) is None:  # invalid ones are reported
                    errors.append(
                        ContentError(
                            path,
                            1,
                            f"the first update of an incident needs '{key}:' ({_HINTS[key]})",
                        )
                    )
        else:
            for key in FIRST_ONLY:
                if values[key] is not None:
                    errors.append(
                        ContentError(
                            path,
                            meta.line_of(key),
                            f"'{key}' belongs on the first update ({first.path.name})",
                        )
                    )
        if values["status"] is None:
            continue  # already reported as required
        try:
            status = STATUS_CHOICE[kind](values["status"])
        except Invalid as exc:
            errors.append(ContentError(path, meta.line_of("status"), f"'status': {exc}"))
            continue
        severity = values["severity"]
        if severity is not None and site and severity not in severities:
            errors.append(
                ContentError(
                    path,
                    meta.line_of("severity"),
                    f"unknown severity {describe(severity)}; known: {', '.join(severities)}",
                )
            )
        components, errs = _component_statuses(values["components"], meta, path, site)
        errors += errs
        updates.append(
            Update(
                at=values["at"],
                status=status,
                body=p.doc.body,
                file=path.as_posix(),
                line=meta.line_of("at"),
                title=values["title"],
                severity=severity,
                components=components,
                body_line=p.doc.body_line,
                scheduled_for=values["scheduled_for"],
                scheduled_until=values["scheduled_until"],
                api_id=values["update_id"],
                title_line=meta.line_of("title") if values["title"] else 0,
            )
        )
    errors += _check_times(parsed)
    return updates, errors


_HINTS = {
    "title": "what customers see, e.g. 'Publishing API returning errors'",
    "severity": "SEV-1, SEV-2, ... as listed in components.yaml",
    "components": "a mapping of component id to status, e.g. 'api: partial_outage', "
    "or {} when no component is affected",
    "scheduled_for": "when the maintenance window starts, with an offset",
    "scheduled_until": "when the maintenance window ends, with an offset",
}


def _component_statuses(
    data: Any, meta: LineMap, path: Path, site: Site | None
) -> tuple[tuple[tuple[str, ComponentStatus], ...], list[ContentError]]:
    if data is None:
        return (), []
    line = meta.line_of("components")
    if not isinstance(data, LineMap):  # `{}`: no component is affected, said in so many words
        return (), [
            ContentError(
                path,
                line,
                "'components': expected a mapping of component id "
                f"to status, e.g. 'api: partial_outage', got {describe(data)}",
            )
        ]
    known = {c.id for c in site.components} if site else set()
    result, errors = [], []
    for cid, value in data.items():
        if site and cid not in known:
            errors.append(
                ContentError(
                    path,
                    data.line_of(cid),
                    f"unknown component "
                    f"{describe(cid)}; components.yaml defines: "
                    f"{', '.join(sorted(known))}",
                )
            )
            continue
        try:
            result.append((cid, COMPONENT_STATUS(value)))
        except Invalid as exc:
            errors.append(ContentError(path, data.line_of(cid), f"component '{cid}': {exc}"))
    return tuple(result), errors


def _check_times(parsed: list[_Parsed]) -> list[ContentError]:
    """Cross-field checks on the first update's times, after the single-field checks."""
    p = parsed[0]
    v, meta = p.values, p.doc.meta
    errors = []
    if v["started"] and v["detected"] and v["detected"] < v["started"]:
        errors.append(
            ContentError(
                p.path,
                meta.line_of("detected"),
                "'detected' is before 'started': the team cannot know of impact before it begins",
            )
        )
    for key in ("started", "detected"):
        if v[key] and v["at"] and v[key] > v["at"]:
            errors.append(
                ContentError(
                    p.path,
                    meta.line_of(key),
                    f"'{key}' "
                    f"{v[key].isoformat()} is after the first update "
                    f"({v['at'].isoformat()})",
                )
            )
    start, end = _latest(parsed, "scheduled_for"), _latest(parsed, "scheduled_until")
    if start and end and end <= start:
        q = next(q for q in reversed(parsed) if q.values["scheduled_until"])
        errors.append(
            ContentError(
                q.path,
                q.doc.meta.line_of("scheduled_until"),
                f"'scheduled_until' {end.isoformat()} must be after "
                f"'scheduled_for' {start.isoformat()}",
            )
        )
    return errors


def _postmortem(
    doc: Document, path: Path, now: datetime, zone: str | None
) -> tuple[Postmortem | None, list[ContentError]]:
    values, errors = check_mapping(doc.meta, postmortem_fields(zone), path, 1, "postmortem")
    if not errors and values["at"] > now:
        errors.append(ContentError(path, doc.meta.line_of("at"), "'at' is after the build's time"))
    if not errors and not doc.body:
        errors.append(ContentError(path, doc.body_line - 1, "the postmortem is empty"))
    if errors or values["draft"]:
        return None, errors
    for n, placeholder in placeholder_lines(doc.body):
        errors.append(
            ContentError(
                path,
                doc.body_line + n,
                f"the postmortem still holds the template's placeholder '{placeholder}': write "
                "that part, or keep 'draft: true' in the front matter until it is done",
            )
        )
    if errors:
        return None, errors
    return Postmortem(values["at"], doc.body, path.as_posix(), doc.body_line), []
