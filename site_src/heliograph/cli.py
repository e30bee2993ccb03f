"""The command line: each subcommand parses its options and calls one library function."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from heliograph.errors import Abort, ContentErrors


def parse_now(value: str) -> datetime:
    """`--now`: an ISO time with an offset, so a build is the same on every machine."""
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time like 2026-02-10T14:32:00Z, got {value!r}")
    if t.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--now {value!r} needs an offset, e.g. {value}Z")
    return t


def clock() -> datetime:
    """The one place the wall clock is read: the default for `--now`."""
    return datetime.now(UTC).replace(microsecond=0)


def _project(args: argparse.Namespace):
    from heliograph.build import Project
    source = Path(args.source)
    if not (source / "components.yaml").is_file():
        raise Abort(f"{source}/components.yaml not found: run in a Heliograph site or pass "
                    "--source DIR")
    return Project.at(source, Path(args.output) if args.output else None)


def cmd_build(args: argparse.Namespace) -> int:
    from heliograph.build import build
    started = time.perf_counter()
    result = build(_project(args), args.now or clock())
    shown = os.path.relpath(result.output) if not os.path.isabs(args.output or "") else result.output
    size = f"{result.bytes / 1e6:.1f} MB" if result.bytes >= 1e6 else f"{result.bytes // 1000} kB"
    print(f"Built {result.pages} pages ({result.files} files, {size}) "
          f"into {shown}/ in {time.perf_counter() - started:.1f} s")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", default=".", help="the site folder (default: current directory)")
    p.add_argument("--now", type=parse_now, default=None,
                   help="build as of this time (ISO 8601 with offset; default: the clock)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="heliograph", description="Build a static status site.")
    sub = root.add_subparsers(dest="command")
    p = sub.add_parser("build", help="build the site into _site/")
    _common(p)
    p.add_argument("--output", default=None, help="output folder (default: SOURCE/_site)")
    p.set_defaults(func=cmd_build)
    return root


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv]
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args(["build", *argv])
    try:
        return args.func(args)
    except ContentErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        print(f"error: {count} problem{'s' if count != 1 else ''} in the content; "
              "nothing was written", file=sys.stderr)
        return 1
    except Abort as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
