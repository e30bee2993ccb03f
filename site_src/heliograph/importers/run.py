"""One import from start to finish, short of printing: read, plan, stage and check; write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from heliograph.content.errors import ContentError, ContentErrors
from heliograph.importers.draft import Imported
from heliograph.importers.plan import Plan, make_plan
from heliograph.importers.staging import Staged


@dataclass(frozen=True)
class Prepared:
    """An import ready to write, or the errors that stop it (then nothing is written)."""

    imported: Imported
    plan: Plan
    staged: Staged
    problems: tuple[ContentError, ...] = ()

    def write(self) -> None:
        """Move the import into the site; only an import without problems is written."""
        if self.problems:
            raise ContentErrors(list(self.problems))
        self.staged.commit()

    def close(self) -> None:
        self.staged.close()


def prepare(imported: Imported, site: Path, kind: str, now: datetime, force: bool) -> Prepared:
    """Plan the import into `site`, stage its files and load the site it would leave; raise
    ContentErrors when the input is malformed (every error at once), and keep the errors of
    the site it would leave as problems. Close the result when done with it."""
    if imported.errors:
        raise ContentErrors(list(imported.errors))
    plan, errors = make_plan(site, imported, kind, force)
    if plan is None:
        raise ContentErrors(errors)
    staged = Staged(plan)
    try:
        return Prepared(imported, plan, staged, tuple(staged.check(now)))
    except BaseException:
        staged.close()
        raise
