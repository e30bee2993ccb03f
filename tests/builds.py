"""Building a throwaway site at a given moment, for tests that read the output back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import ModuleType

from conftest import update

from heliograph.build import Project, build


def build_at(source: Path, now: datetime, out: str = "_site") -> Path:
    """Build `source` as of `now` into a sibling folder named `out`; return that folder."""
    build(Project.at(source, source.parent / out), now)
    return source.parent / out


def resolved_incidents(count: int) -> dict[str, str]:
    """`count` one-update incidents on api, an hour apart from 2026-01-01, titled `Incident N`."""
    files = {}
    for n in range(1, count + 1):
        day, hour = divmod(n - 1, 24)
        files[f"incidents/2026-01-{day + 1:02d}-x{n}/01.md"] = update(
            f"2026-01-{day + 1:02d}T{hour:02d}:00:00Z",
            "resolved",
            f"Fixed number {n}.",
            title=f"Incident {n}",
            severity="SEV-3",
            components={"api": "degraded_performance"},
        )
    return files


def loads_and_checks(monkeypatch, checks: ModuleType) -> tuple[list[str], list[str]]:
    """The slugs of the incident folders loaded, and of the incidents checked, from now on;
    `checks` is the module of the memo whose `incident_findings` runs when it cannot answer."""
    from heliograph.content import load as loader

    loaded: list[str] = []
    checked: list[str] = []
    load_folder, incident_findings = loader.load_folder, checks.incident_findings

    def loading(root, slug, *args):
        loaded.append(slug)
        return load_folder(root, slug, *args)

    def checking(site, incident, now):
        checked.append(incident.slug)
        return incident_findings(site, incident, now)

    monkeypatch.setattr(loader, "load_folder", loading)
    monkeypatch.setattr(checks, "incident_findings", checking)
    return loaded, checked
