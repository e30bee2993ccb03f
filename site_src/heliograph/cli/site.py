"""`build`, `check` and `report`: the site as a whole."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from heliograph.cli.common import add_all_findings, add_common, clock, project, show_findings

# With the clock, an update dated later is a mistyped date; a chosen time looks back
AS_OF = "{} as it stood at this time: updates and postmortems dated later are left out"


def cmd_build(args: argparse.Namespace) -> int:
    from heliograph.build import build
    from heliograph.checks.findings import CheckFailed, summary

    started = time.perf_counter()
    try:
        result = build(
            project(args),
            args.now or clock(),
            strict=args.strict,
            cache_dir=Path(args.cache_dir) if args.cache_dir else None,
            use_cache=not args.no_cache,
            as_of=args.now is not None,
        )
    except CheckFailed as exc:
        show_findings(exc.findings, args.source, sys.stderr, sys.stdout, args.all_findings)
        print(
            f"error: the checks found {summary(exc.findings)} and --strict is set; "
            "nothing was written",
            file=sys.stderr,
        )
        return 1
    shown = result.output if os.path.isabs(args.output or "") else os.path.relpath(result.output)
    size = f"{result.bytes / 1e6:.1f} MB" if result.bytes >= 1e6 else f"{result.bytes // 1000} kB"
    print(
        f"Built {result.pages} pages ({result.files} files, {size}; "
        f"{result.written} written, {result.files - result.written} unchanged) "
        f"into {shown}/ in {time.perf_counter() - started:.1f} s"
    )
    show_findings(result.findings, args.source, sys.stderr, sys.stdout, args.all_findings)
    print(f"Checks: {summary(result.findings)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Cadence and wording findings; exit 1 on errors, and on warnings too with --strict."""
    from heliograph.build import corrected_content
    from heliograph.checks.findings import as_json, fails, summary
    from heliograph.checks.site import check

    now = args.now or clock()
    findings = check(corrected_content(project(args), now, as_of=args.now is not None), now)
    if args.format == "json":
        print(as_json(findings, now))
        # stdout stays valid JSON; the runner reads workflow commands on stderr too
        show_findings(findings, args.source, None, sys.stderr)
    else:
        show_findings(findings, args.source, sys.stdout, sys.stdout, args.all_findings)
        print(f"Checks: {summary(findings)}")
    return 1 if fails(findings, args.strict) else 0


def cmd_report(args: argparse.Namespace) -> int:
    """Times to detect, announce and resolve, and the SOPs' record, per severity and month."""
    from heliograph.build import load_content
    from heliograph.checks.report import as_json, as_markdown, as_text, report

    now = args.now or clock()
    figures = report(load_content(project(args), now, as_of=args.now is not None), now, args.since)
    show = {"json": as_json, "markdown": as_markdown}.get(args.format, as_text)
    print(show(figures))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the site into _site/")
    add_common(p, AS_OF.format("build the site"))
    p.add_argument("--output", default=None, help="output folder (default: SOURCE/_site)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="write nothing and exit 1 if the checks find anything, warnings too",
    )
    p.add_argument(
        "--cache-dir",
        default=None,
        help="build cache folder, kept between builds to make them fast (default: "
        "$HELIOGRAPH_CACHE_DIR, else SOURCE/.heliograph-cache)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="build from the sources alone, neither reading nor writing the cache "
        "(the same bytes, only slower: for when the cache is suspected)",
    )
    add_all_findings(p)
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="check the SOPs: cadence, wording, postmortems and the rest")
    add_common(
        p, AS_OF.format("check") + "; an open incident is overdue, a postmortem late, against it"
    )
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    add_all_findings(p)
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one line per finding (default); json: a document for tools",
    )
    p.set_defaults(func=cmd_check)
    p = sub.add_parser(
        "report", help="response times and the SOPs' record per severity, against the targets"
    )
    add_common(
        p, AS_OF.format("report") + "; open incidents are measured up to it, postmortems due by it"
    )
    p.add_argument(
        "--since",
        type=date.fromisoformat,
        default=None,
        metavar="DATE",
        help="only incidents that began on or after this day (YYYY-MM-DD, site zone)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default); json: a document for tools; markdown: tables for a workflow's "
        "job summary ($GITHUB_STEP_SUMMARY)",
    )
    p.set_defaults(func=cmd_report)
