"""An import's files written once, into a scratch folder beside the site; the site they would
make loaded there, before anything in the site changes; then moved in, file by file.

The check loads every incident, so it sees what the import breaks anywhere (a component that
a kept `components.yaml` lacks, an id taken twice); the incidents the import does not touch are
read where they are, and only the folders it changes are assembled in the scratch folder. A new
folder then moves into the site in one rename.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from heliograph.content.errors import ContentError
from heliograph.content.layout import CONFIG_NAME, INCIDENTS_DIR
from heliograph.content.load import Reader, load, load_incident, read_document
from heliograph.content.model import Incident, Site
from heliograph.importers.plan import Plan
from heliograph.importers.record import RECORD_NAME


class Staged:
    """A plan's files in a scratch folder, laid out as in the site (`files/`)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        near = plan.site if plan.site.is_dir() else plan.site.parent  # one disk: moves are renames
        self.root = Path(
            tempfile.mkdtemp(prefix=".heliograph-import-", dir=near if near.is_dir() else None)
        )
        self.touched = {p.split("/")[1] for p in [*plan.writes, *plan.removes] if "/" in p}
        self.staged_in: dict[str, set[str]] = {}  # folder name -> the names staged in it
        self.linked: set[str] = set()  # folders that got links to kept files (see `_keep`)
        for path in plan.writes:
            if path.count("/") == 2:
                _, folder, name = path.split("/")
                self.staged_in.setdefault(folder, set()).add(name)
        made: set[Path] = set()
        for path, text in plan.writes.items():
            target = self.root / "files" / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            with open(target, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)

    def check(self, now: datetime) -> list[ContentError]:
        """Every error of the site the import would leave (none if it changes nothing).

        The site is looked at in the scratch folder: the staged files are where they will go,
        a folder the import changes gets links to the files it keeps, and one it leaves alone
        is an empty folder there that is read from the site itself.
        """
        if not self.plan.writes and not self.plan.removes:
            return []
        view = self.root / "files"
        (view / INCIDENTS_DIR).mkdir(parents=True, exist_ok=True)
        if CONFIG_NAME not in self.plan.writes and (self.plan.site / CONFIG_NAME).is_file():
            _link(self.plan.site / CONFIG_NAME, view / CONFIG_NAME)
        site_incidents = self.plan.site / INCIDENTS_DIR
        names = (
            {p.name for p in site_incidents.iterdir() if p.is_dir() and not p.is_symlink()}
            if site_incidents.is_dir()
            else set()
        )
        for name in sorted(names):
            folder = view / INCIDENTS_DIR / name
            folder.mkdir(exist_ok=True)
            if name in self.touched:
                self._keep(name, folder)

        def one(
            root: Path, slug: str, site: Site | None, t: datetime, read: Reader = read_document
        ) -> tuple[Incident | None, list[ContentError]]:
            where = root / slug if slug in self.touched else site_incidents / slug
            return load_incident(where, Path(INCIDENTS_DIR, slug), site, t, read)

        _, errors = load(view, now, read_document, one)
        return errors

    def _keep(self, name: str, folder: Path) -> None:
        """Links to the files a changed folder keeps, beside the ones staged in it."""
        rel = f"{INCIDENTS_DIR}/{name}"
        staged = self.staged_in.get(name, set())
        for p in (self.plan.site / rel).iterdir():
            path = f"{rel}/{p.name}"
            if p.is_file() and p.name not in staged and path not in self.plan.removes:
                _link(p, folder / p.name)
                self.linked.add(name)

    def commit(self) -> None:
        """Move the staged files into the site (a new folder whole, in one rename), remove what
        the plan removes; the record goes last, so that an import cut short is done again."""
        plan = self.plan
        moved: set[str] = set()
        for name in sorted(self.staged_in):
            target = plan.site / INCIDENTS_DIR / name
            if name not in self.linked and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                if _rename(self.root / "files" / INCIDENTS_DIR / name, target):
                    moved.add(name)
        made: set[Path] = set()
        for path in plan.writes:
            if path.count("/") == 2 and path.split("/")[1] in moved:
                continue
            target = plan.site / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            _move(self.root / "files" / path, target)
        for path in plan.removes:
            (plan.site / path).unlink(missing_ok=True)
        record = self.root / RECORD_NAME
        record.write_text(plan.record.text(), encoding="utf-8", newline="\n")
        _move(record, plan.site / RECORD_NAME)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _rename(source: Path, target: Path) -> bool:
    try:
        os.rename(source, target)
    except OSError:  # another disk: file by file instead
        return False
    return True


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another disk, or links not allowed
        shutil.copyfile(source, target)


def _move(source: Path, target: Path) -> None:
    """Replace `target` whole (a rename on one disk: never a half-written file)."""
    try:
        os.replace(source, target)
    except OSError:
        temp = target.with_name(f".{target.name}.importing")
        shutil.copyfile(source, temp)
        os.replace(temp, target)
