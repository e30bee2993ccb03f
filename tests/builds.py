"""Building a throwaway site at a given moment, for tests that read the output back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from heliograph.build import Project, build


def build_at(source: Path, now: datetime, out: str = "_site") -> Path:
    """Build `source` as of `now` into a sibling folder named `out`; return that folder."""
    build(Project.at(source, source.parent / out), now)
    return source.parent / out
