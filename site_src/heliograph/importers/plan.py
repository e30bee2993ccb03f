"""An import against the site on disk: what it creates, updates, keeps and removes (written,
checked and moved in by `staging.py`).

A rerun takes what changed upstream and never overwrites a local edit without `force`: the
record (`record.py`) holds the hash of what the last import wrote, so a file that still has
that hash is untouched and may be replaced, and any other is the user's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from heliograph.content.errors import ContentError
from heliograph.content.layout import CONFIG_NAME, INCIDENTS_DIR
from heliograph.importers.draft import Imported
from heliograph.importers.record import Record, read_record, text_hash
from heliograph.importers.writer import components_yaml, incident_files

CREATE, UPDATE, SAME, KEPT, CONFLICT, DELETED, REMOVE = (
    "create",
    "update",
    "same",
    "kept",
    "conflict",
    "deleted",
    "remove",
)


@dataclass(frozen=True)
class Action:
    """What the import does to one file, and why."""

    verb: str
    path: str
    why: str = ""


@dataclass(frozen=True)
class Plan:
    site: Path
    actions: tuple[Action, ...]
    writes: Mapping[str, str]  # path -> text, for `create` and `update`
    removes: tuple[str, ...]
    record: Record
    unchanged: int = 0  # incidents that did not change upstream, left as they are
    incidents: int = 0  # incidents in the input

    def count(self, verb: str) -> int:
        return sum(a.verb == verb for a in self.actions)


@dataclass
class _Planner:
    site: Path
    old: Record
    force: bool
    actions: list[Action] = field(default_factory=list)
    writes: dict[str, str] = field(default_factory=dict)
    removes: list[str] = field(default_factory=list)

    def on_disk(self, path: str) -> str | None:
        try:
            return (self.site / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def file(self, path: str, text: str) -> None:
        """Decide one wanted file against the disk and the record."""
        disk, was = self.on_disk(path), self.old.files.get(path)
        new = text_hash(text)
        if disk == text:
            return self.actions.append(Action(SAME, path))
        mine = disk is not None and text_hash(disk) == was  # as the last import wrote it
        if disk is None and was is None or mine or self.force:
            verb = CREATE if disk is None else UPDATE
            why = "changed upstream" if mine else ("--force" if disk is not None else "")
            self.writes[path] = text
            return self.actions.append(Action(verb, path, why))
        if disk is None:
            return self.actions.append(
                Action(DELETED, path, "you deleted it after an import; --force brings it back")
            )
        if was == new:  # upstream has not changed it since: the edit stands, quietly
            return self.actions.append(Action(KEPT, path, "your edit"))
        why = (
            "you edited it and upstream changed it: kept yours (--force takes upstream's)"
            if was
            else "it was not written by an import: kept (--force replaces it)"
        )
        self.actions.append(Action(CONFLICT, path, why))

    def stale(self, path: str) -> None:
        """A file the last import wrote that upstream no longer has (an update deleted there)."""
        disk = self.on_disk(path)
        if disk is None:
            return
        if text_hash(disk) == self.old.files.get(path) or self.force:
            self.removes.append(path)
            self.actions.append(Action(REMOVE, path, "gone upstream"))
        else:
            self.actions.append(Action(CONFLICT, path, "gone upstream, but you edited it: kept"))


def make_plan(
    site: Path, imported: Imported, kind: str, force: bool = False
) -> tuple[Plan | None, list[ContentError]]:
    """The plan of importing `imported` into `site`, or why it cannot be made."""
    old, errors = read_record(site)
    if errors or imported.site is None:
        return None, errors
    planner = _Planner(site, old, force)
    files = dict(old.files)
    folders, sources = dict(old.folders), dict(old.sources)
    wanted = {CONFIG_NAME: components_yaml(imported.site, imported.origin, kind)}
    taken = _folders_on_disk(site) | {f.rsplit("/", 1)[-1] for f in old.folders.values()}
    written: dict[str, list[str]] = {}  # folder -> the files the last import wrote in it
    for path in old.files:
        written.setdefault(path.rsplit("/", 1)[0], []).append(path)
    unchanged = 0
    for incident in imported.incidents:
        folder = old.folders.get(incident.key)
        digest = incident.digest()
        if folder and not force and old.sources.get(incident.key) == digest:
            unchanged += 1
            continue
        if folder is None:
            folder = f"{INCIDENTS_DIR}/{_unique(incident.slug, taken)}"
        made = incident_files(incident, folder.rsplit("/", 1)[-1])
        wanted.update(made)
        folders[incident.key], sources[incident.key] = folder, digest
        for path in written.get(folder, ()):
            if path not in made:
                planner.stale(path)
    for path, text in wanted.items():
        planner.file(path, text)
        files[path] = text_hash(text)
    for path in planner.removes:
        files.pop(path, None)
    plan = Plan(
        site,
        tuple(planner.actions),
        planner.writes,
        tuple(planner.removes),
        Record(files, folders, sources),
        unchanged,
        len(imported.incidents),
    )
    return plan, []


def _folders_on_disk(site: Path) -> set[str]:
    root = site / INCIDENTS_DIR
    return {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()


def _unique(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`, ... when another incident has it (one title, one day)."""
    wanted, n = slug, 2
    while wanted in taken:
        wanted, n = f"{slug}-{n}", n + 1
    taken.add(wanted)
    return wanted
