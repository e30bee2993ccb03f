"""`notify`: tell each channel of `components.yaml`'s `notify:` list what it was not yet told."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from heliograph.cli.common import add_common, clock, project


def _window(value: str):  # noqa: ANN202 - argparse's type
    from heliograph.content.schema import Invalid, duration

    if value.strip() in ("0", "0m"):
        from datetime import timedelta

        return timedelta(0)
    try:
        return duration(value)
    except Invalid as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_notify(args: argparse.Namespace) -> int:
    from heliograph.build import load_cached
    from heliograph.notify.ledger import LEDGER_NAME
    from heliograph.notify.run import WINDOW, Options, Sent, notify

    site = project(args)
    now = args.now or clock()
    content = load_cached(site, now, as_of=args.now is not None)
    if not content.site.notify:
        print("No channels: components.yaml has no notify: list")
        return 0
    options = Options(
        ledger=Path(args.ledger) if args.ledger else site.source / LEDGER_NAME,
        source=site.source,
        window=args.window if args.window is not None else WINDOW,
        dry_run=args.dry_run,
    )
    verb = "would send" if args.dry_run else "sent"

    def shown(s: Sent) -> None:
        to = f" to {s.recipients:,} recipients" if s.channel.mail else ""
        print(f"{verb} {s.event.kind} to {s.channel.name} ({s.channel.kind}){to}: {s.headline}")
        if args.dry_run:
            print(f"    {s.event.id} at {s.event.at.isoformat()}")

    outcome = notify(content, now, options, os.environ, shown)
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for channel, message, permanent in outcome.failures:
        level = "error" if permanent else "warning"
        where = f"{channel.kind}, components.yaml:{channel.line}"
        line = f"channel '{channel.name}' ({where}): {message}"
        print(f"{level}: {line}", file=sys.stderr)
        if annotate:
            print(f"::warning file=components.yaml,line={channel.line},title=notify::{line}")
    done = len(outcome.sent)
    print(
        f"{verb} {done:,} message{'s' if done != 1 else ''}"
        + (f"; {outcome.waiting:,} wait for the next run" if outcome.waiting else "")
        + (" (dry run: nothing sent or recorded)" if args.dry_run else "")
    )
    return 1 if outcome.failures and args.strict else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "notify", help="send subscribers every public event not yet sent (after a deploy)"
    )
    add_common(p, "the moment the deployed site shows")
    p.add_argument(
        "--ledger",
        default=None,
        help="the record of what was sent (default: SOURCE/.heliograph-notify/ledger.jsonl)",
    )
    p.add_argument(
        "--window",
        type=_window,
        default=None,
        help="events older than this count as sent, so a first run sends nothing old (default: 1h)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would go where; send nothing")
    p.add_argument(
        "--strict", action="store_true", help="exit 1 if any channel failed (default: warn)"
    )
    p.set_defaults(func=cmd_notify)
