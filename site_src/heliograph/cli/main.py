"""The program: the parser of every command, and `main`, which turns errors into exit 1."""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from heliograph.cli import authoring, deploy, importing, notify, site
from heliograph.cli.common import parse_now
from heliograph.content.errors import Abort, ContentErrors

__all__ = ["main", "parse_now", "parser", "run"]

# each module adds its commands, in this order
COMMANDS = (site, authoring, deploy, notify, importing)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="heliograph", description="Build a static status site.")
    sub = root.add_subparsers(dest="command")
    for module in COMMANDS:
        module.register(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv]
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args(["build", *argv])
    try:
        return int(args.func(args))
    except ContentErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        print(
            f"error: {count} problem{'s' if count != 1 else ''} in the content; "
            "nothing was written",
            file=sys.stderr,
        )
        return 1
    except Abort as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `report | head`: the reader has all it wanted. Later writes (and the flush at exit)
        # go nowhere instead of raising again; the status is a shell's for a closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13  # SIGPIPE


def run() -> NoReturn:
    """`main` as a command: the process leaves without tearing the interpreter down, since
    everything is written and closed by then, and freeing a large site's leftovers object by
    object only makes the command slower to return."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
