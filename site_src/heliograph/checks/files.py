"""Findings about an incident's folder itself: files that look like updates but were not read."""

from __future__ import annotations

from heliograph.checks.findings import Finding, Level
from heliograph.content.model import Incident


def ignored_files(incident: Incident) -> list[Finding]:
    """A warning for each markdown-like file `load` passed over, saying why and what to do."""
    found = []
    for name in incident.ignored:
        if name.startswith("."):
            why = "hidden files are not read; remove the leading '.' to publish it"
        else:
            stem = name[: name.rfind(".")]
            why = f"only files ending in '.md' are updates; rename it to {stem}.md to publish it"
        found.append(
            Finding(
                Level.WARNING,
                "ignored_file",
                incident.slug,
                f"{incident.folder}/{name}",
                1,
                f"not read: {why}",
            )
        )
    return found
