"""`heliograph import cstate`: a cState site (`config.yml`, `content/issues/*.md`) as drafts.

Systems become components and categories groups (an `untitled` category's systems stand at the
top level). Each issue becomes an incident, or upcoming maintenance when it is dated after the
import's `now`; `cstateissue.py` reads one issue.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heliograph.content.config import timezone as zone_name
from heliograph.content.errors import ContentError
from heliograph.content.schema import Invalid, url
from heliograph.content.sourcefile import load_yaml_file
from heliograph.content.yamltext import LineMap
from heliograph.importers.draft import (
    ComponentDraft,
    Entry,
    GroupDraft,
    Imported,
    Note,
    Options,
    SiteDraft,
)
from heliograph.importers.names import Names, site_name

CONFIG_NAMES = ("config.yml", "config.yaml", "hugo.yml", "hugo.yaml")
ISSUES_DIR = "content/issues"
MAX_ISSUES = 100_000
DEFAULT_SEVERITIES = {"down": "SEV-1", "disrupted": "SEV-2", "notice": "SEV-3"}
UNLISTED = "Not in config.yml"  # the group of systems that issues name and config.yml does not


@dataclass
class Systems:
    """config.yml's systems by name, and the names issues use that it does not list."""

    names: Names
    by_name: dict[str, str] = field(default_factory=dict)  # system name -> our component id
    unlisted: list[ComponentDraft] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    renames: Mapping[str, str] = field(default_factory=dict)

    def lookup(self, name: str, path: str, line: int) -> str:
        """Our id for a system an issue names; a near miss is matched (or added) with a note."""
        wanted = self.renames.get(name, name)
        if wanted in self.by_name:
            return self.by_name[wanted]
        folded = {" ".join(n.lower().split()): cid for n, cid in self.by_name.items()}
        if (cid := folded.get(" ".join(wanted.lower().split()))) is not None:
            self.notes.append(
                Note(
                    path,
                    line,
                    f"system {name!r} matched to the system of that "
                    "name in config.yml, spelt otherwise there",
                )
            )
            return cid
        close = difflib.get_close_matches(wanted, list(self.by_name), n=1)
        hint = (
            f" (closest: {close[0]!r}; --map '{name}={close[0]}' files it there)" if close else ""
        )
        component = ComponentDraft(self.names.new(wanted), wanted, show_uptime=False)
        self.by_name[wanted] = component.id
        self.unlisted.append(component)
        self.notes.append(
            Note(
                path,
                line,
                f"system {name!r} is not in config.yml{hint}; added "
                f"as a component of its own in the group {UNLISTED!r}",
            )
        )
        return component.id


def read(folder: Path, options: Options) -> Imported:
    """The cState site in `folder`: config.yml and every issue, with notes and errors."""
    from heliograph.importers.cstateissue import read_issue

    source = str(folder)
    config_path = next((folder / n for n in CONFIG_NAMES if (folder / n).is_file()), None)
    if config_path is None:
        why = f"no {' or '.join(CONFIG_NAMES[:2])} here: expected the folder of a cState site"
        return Imported(source, None, errors=(ContentError(folder, 1, why),))
    site, systems, errors = _site(config_path, options)
    files = issue_files(folder / ISSUES_DIR)
    if not files:
        errors.append(ContentError(Path(ISSUES_DIR), 1, "no issues (*.md) in this folder"))
    if len(files) > MAX_ISSUES:
        errors.append(
            ContentError(Path(ISSUES_DIR), 1, f"{len(files):,} issues; at most {MAX_ISSUES:,}")
        )
        files = []
    config_digest = hashlib.sha256(config_path.read_bytes()).hexdigest()
    incidents, notes = [], []
    zone = site.timezone if site else "UTC"
    for file, name in files:
        if file.is_symlink():  # a link could read any file on the machine into the site
            errors.append(ContentError(_shown(folder, file), 1, "a link; issues must be files"))
            continue
        incident, issue_notes, issue_errors = read_issue(
            file, _shown(folder, file).as_posix(), name, zone, systems, options, config_digest
        )
        notes += issue_notes
        errors += issue_errors
        if incident is not None:
            incidents.append(incident)
    if site is not None and systems.unlisted:
        group = GroupDraft(systems.names.new("unlisted"), UNLISTED, tuple(systems.unlisted))
        site = SiteDraft(site.name, site.url, site.timezone, (*site.entries, group), site.page_id)
    origin = f"the cState site {site.name} ({site.url})" if site else source
    return Imported(
        source,
        site,
        origin,
        tuple(incidents),
        tuple(sorted(notes + systems.notes)),
        tuple(sorted(errors)),
    )


def issue_files(issues: Path) -> list[tuple[Path, str]]:
    """Each issue file and its name (its URL on the cState site): `<name>.md`, or a Hugo page
    bundle `<name>/index.md`."""
    if not issues.is_dir():
        return []
    files = [(p, p.stem) for p in issues.glob("*.md") if p.name != "_index.md"]
    files += [(p, p.parent.name) for p in issues.glob("*/index.md")]
    return sorted(files, key=lambda f: f[1])


def _shown(folder: Path, file: Path) -> Path:
    return file.relative_to(folder)


def _site(path: Path, options: Options) -> tuple[SiteDraft | None, Systems, list[ContentError]]:
    shown = Path(path.name)
    data, errors = load_yaml_file(path, shown)
    systems = Systems(Names(), renames=dict(options.renames))
    if not isinstance(data, LineMap):
        return None, systems, errors or [ContentError(shown, 1, "expected a mapping of settings")]
    name = data.get("title")
    if not isinstance(name, str) or not name.strip():
        errors.append(
            ContentError(shown, data.line_of("title"), "'title': the site's name is missing")
        )
    address = options.url or data.get("baseURL") or data.get("baseurl")
    try:
        address = url(address)
    except Invalid as exc:
        errors.append(
            ContentError(shown, data.line_of("baseURL"), f"'baseURL': {exc} (or pass --url)")
        )
    zone = options.timezone or data.get("timeZone") or data.get("timezone") or "UTC"
    try:
        zone = zone_name(zone)
    except Invalid as exc:
        errors.append(ContentError(shown, data.line_of("timeZone"), f"'timeZone': {exc}"))
    params = data.get("params")
    params = params if isinstance(params, LineMap) else LineMap(1)
    entries = _systems(params, shown, systems, errors)
    for tab in _list(params, "customTabs", shown, errors):
        if isinstance(tab, LineMap) and tab.get("link"):
            where = f"the tab {tab.get('name')!r} ({tab['link']})"
            systems.notes.append(
                Note(
                    shown.name,
                    tab.line,
                    f"{where} is not carried over; list it under site.subscribe in "
                    "components.yaml to keep it on the page",
                )
            )
    if errors or not isinstance(name, str) or not isinstance(address, str):
        return None, systems, errors
    title = " ".join(name.split())
    if site_name(title) != title:
        systems.notes.append(
            Note(
                shown.name,
                data.line_of("title"),
                f"title {title!r}: the site "
                f"is named {site_name(title)!r}, as pages here add 'Status'",
            )
        )
    return SiteDraft(site_name(title), address, zone, entries), systems, errors


def _systems(
    params: LineMap, shown: Path, systems: Systems, errors: list[ContentError]
) -> tuple[Entry, ...]:
    """Categories in their order, each with its systems; an untitled one's at the top level,
    as are systems of no category (after the categories)."""
    categories = [c for c in _list(params, "categories", shown, errors) if isinstance(c, LineMap)]
    listed = _list(params, "systems", shown, errors)
    if not listed:
        errors.append(
            ContentError(shown, params.line_of("systems"), "'params.systems': no systems")
        )
    known = {str(c.get("name")): c for c in categories}
    members: dict[str | None, list[ComponentDraft]] = {}
    for entry in listed:
        system = _system(entry, shown, systems, known, errors)
        if system is not None:
            members.setdefault(system[0], []).append(system[1])
    entries: list[Entry] = []
    for name, category in known.items():
        found = members.get(name, [])
        if found and category.get("untitled") is True:
            entries += found
        elif found:
            gid = systems.names.new(name, "group")
            entries.append(
                GroupDraft(
                    gid, " ".join(name.split()), tuple(found), _text(category, "description")
                )
            )
    return (*entries, *members.get(None, []))


def _system(
    entry: Any,
    shown: Path,
    systems: Systems,
    categories: Mapping[str, LineMap],
    errors: list[ContentError],
) -> tuple[str | None, ComponentDraft] | None:
    """One system of config.yml, and the name of its category (None: the top level)."""
    name = _text(entry, "name") if isinstance(entry, LineMap) else None
    if name is None:
        errors.append(ContentError(shown, getattr(entry, "line", 1), "a system needs a 'name'"))
        return None
    name = " ".join(name.split())
    if name in systems.by_name:
        errors.append(ContentError(shown, entry.line, f"system {name!r} is listed twice"))
        return None
    category = entry.get("category")
    if category is not None and str(category) not in categories:
        why = "is not among params.categories; it goes at the top level"
        systems.notes.append(
            Note(shown.name, entry.line, f"system {name!r}: category {category!r} {why}")
        )
        category = None
    if entry.get("link"):
        why = "its link is not carried over (components have no link)"
        systems.notes.append(Note(shown.name, entry.line_of("link"), f"system {name!r}: {why}"))
    component = ComponentDraft(systems.names.new(name), name, _text(entry, "description"))
    systems.by_name[name] = component.id
    return (None if category is None else str(category)), component


def _text(entry: LineMap, key: str) -> str | None:
    value = entry.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _list(params: LineMap, key: str, shown: Path, errors: list[ContentError]) -> list[Any]:
    value = params.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(ContentError(shown, params.line_of(key), f"'params.{key}': expected a list"))
        return []
    return value
