"""What every command shares: `--source` and `--now`, the clock, the site folder, findings."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from heliograph.content.errors import Abort

if TYPE_CHECKING:
    from heliograph.build import Project
    from heliograph.checks.findings import Finding


def parse_now(value: str) -> datetime:
    """`--now`: an ISO time with an offset, so a build is the same on every machine."""
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a time like 2026-02-10T14:32:00Z, got {value!r}"
        ) from None
    if t.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--now {value!r} needs an offset, e.g. {value}Z")
    from heliograph.content.timefmt import in_range

    if not in_range(t):
        raise argparse.ArgumentTypeError(f"{value!r} is not between 1900 and 2999")
    return t


def clock() -> datetime:
    """The one place the wall clock is read: the default for `--now`."""
    return datetime.now(UTC).replace(microsecond=0)


def add_common(p: argparse.ArgumentParser, now_help: str = "build as of this time") -> None:
    """`--source` and `--now`; `now_help` says what `now` means for the command."""
    p.add_argument("--source", default=".", help="the site folder (default: current directory)")
    p.add_argument(
        "--now",
        type=parse_now,
        default=None,
        help=f"{now_help} (ISO 8601 with offset; default: the clock)",
    )


def add_all_findings(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--all-findings",
        action="store_true",
        help="list every finding one by one (by default many findings of one rule in closed "
        "incidents, such as an imported history, are summed up in one line per rule)",
    )


def project(args: argparse.Namespace) -> Project:
    """The site folder (it must hold components.yaml) and the build's output folder."""
    from heliograph.build import Project

    source = Path(args.source)
    if not (source / "components.yaml").is_file():
        raise Abort(
            f"{source}/components.yaml not found: run in a Heliograph site or pass --source DIR"
        )
    output = getattr(args, "output", None)  # authoring commands have no --output
    return Project.at(source, Path(output) if output else None)


def show_findings(
    findings: Sequence[Finding],
    source: str,
    lines: TextIO | None,
    annotations: TextIO,
    every: bool = False,
) -> None:
    """Each finding as `path:line: level: message`; under GitHub Actions also as annotations.
    Many historic findings of one rule are one line, unless `every` (`--all-findings`)."""
    if not every:
        from heliograph.checks.findings import condensed

        findings = condensed(findings)
    if lines and findings:  # one write: a large site can have thousands
        lines.write("".join(f"{f}\n" for f in findings))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from heliograph.checks.findings import annotation

        for f in findings:
            print(annotation(f, os.path.normpath(os.path.join(source, f.path))), file=annotations)
