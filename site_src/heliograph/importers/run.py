"""One import from start to finish, short of printing: read, plan, check; then write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from heliograph.content.errors import ContentError, ContentErrors
from heliograph.importers.draft import Imported
from heliograph.importers.plan import Plan, apply_plan, check_plan, make_plan


@dataclass(frozen=True)
class Prepared:
    """An import ready to write, or the errors that stop it (then nothing is written)."""

    imported: Imported
    plan: Plan
    problems: tuple[ContentError, ...] = ()


def prepare(imported: Imported, site: Path, kind: str, now: datetime, force: bool) -> Prepared:
    """Plan the import into `site` and load the site it would leave; raise ContentErrors when
    the input is malformed (every error at once), and keep the site's own errors as problems."""
    if imported.errors:
        raise ContentErrors(list(imported.errors))
    plan, errors = make_plan(site, imported, kind, force)
    if plan is None:
        raise ContentErrors(errors)
    return Prepared(imported, plan, tuple(check_plan(plan, now)))


def write(prepared: Prepared) -> None:
    """Write a prepared import that has no problems."""
    if prepared.problems:
        raise ContentErrors(list(prepared.problems))
    apply_plan(prepared.plan)
