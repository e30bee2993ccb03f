"""`new`, `update`, `postmortem` and `serve`: the commands an author uses during an incident."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from heliograph.cli.common import add_common, clock, parse_now, project
from heliograph.content.errors import Abort

if TYPE_CHECKING:
    from datetime import datetime

    from heliograph.authoring.drafts import Draft
    from heliograph.authoring.serve import BuildReport
    from heliograph.content.model import Content


def cmd_serve(args: argparse.Namespace) -> int:
    import signal

    from heliograph.authoring.serve import LiveServer, site_builder, site_mount, watched

    source = project(args).source
    # The site is built and served from memory: the user's _site stays as it was.
    # With --now the preview shows the site as it stood then, as `build --now` does.
    builder, files, findings, settle = site_builder(
        source, lambda: args.now or clock(), as_of=args.now is not None
    )
    try:
        server = LiveServer(
            builder,
            files,
            watched(source),
            port=args.port,
            mount=site_mount(source),
            report=lambda r: _report(r, source, findings()),
            findings=findings,
            settle=settle,
        )
    except OSError as exc:
        raise Abort(
            f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; try another --port"
        ) from None
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on kill too
    # Python leaves SIGINT ignored when it starts so (a shell's background job, or a child of
    # one, as a test run started with `&`); "Ctrl-C to stop" must hold there too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import faulthandler

    # `kill -USR1` prints where each thread is: for a preview that seems stuck, on stderr
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        server.start()
        print(f"Serving on {server.url} (Ctrl-C to stop)", flush=True)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("Stopped.", flush=True)
    return 0


def _report(report: BuildReport, source: Path, findings: Sequence[str]) -> None:
    """One line per build on stdout with the check findings after it; a failed build's
    problems on stderr."""
    changed = ", ".join(sorted({os.path.relpath(p, source) for p in report.changed}))
    cause = f" after a change to {changed}" if changed else ""
    if report.later:
        cause = " making the pages no tab had asked for yet"
    if not report.problems:
        print(f"Build #{report.number} done in {report.seconds:.2f} s{cause}", flush=True)
        if findings:
            print("".join(f"  {f}\n" for f in findings), end="", flush=True)
        return
    for problem in report.problems:
        print(problem, file=sys.stderr, flush=True)
    count = len(report.problems)
    print(
        f"Build #{report.number} failed{cause}: {count} problem{'s' if count != 1 else ''}; "
        "still serving the last good site",
        flush=True,
    )


def _authoring(args: argparse.Namespace) -> tuple[Path, Content, datetime]:
    """The site folder, its checked content and the moment of the new file."""
    from heliograph.build import load_content

    site = project(args)
    now = args.now or clock()
    return site.source, load_content(site, now), now


def _created(
    source: Path,
    draft: Draft,
    note: str | None,
    content: Content | None = None,
    strict: bool = False,
) -> int:
    """Show the wording findings of the new file's message first; under `strict` they stop it."""
    from heliograph.authoring.drafts import message_wording, write_draft

    found = message_wording(content, draft) if content is not None else []
    for line in found:
        print(line, file=sys.stderr)
    if found and strict:
        raise Abort(
            f"the wording checks found {len(found)} problem{'s' if len(found) != 1 else ''} in "
            "the message and --strict is set; nothing was written"
        )
    write_draft(source, draft)
    print(f"Created {source / draft.path}")
    if note:
        print(note)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from heliograph.authoring.drafts import cadence_note, draft_incident

    source, content, now = _authoring(args)
    draft = draft_incident(
        content,
        args.title,
        args.severity,
        args.component,
        args.message,
        now,
        started=args.started,
        detected=args.detected,
        slug=args.slug,
    )
    return _created(source, draft, cadence_note(draft, content.site), content, args.strict)


def cmd_update(args: argparse.Namespace) -> int:
    from heliograph.authoring.drafts import cadence_note, draft_update, lateness_note

    source, content, now = _authoring(args)
    draft = draft_update(
        content,
        args.slug,
        args.status,
        args.message,
        args.component,
        args.severity,
        now,
        force=args.force,
    )
    late = lateness_note(content, args.slug, now)
    note = cadence_note(draft, content.site)
    return _created(source, draft, f"{late}\n{note}" if late else note, content, args.strict)


def cmd_postmortem(args: argparse.Namespace) -> int:
    from heliograph.authoring.drafts import draft_postmortem

    source, content, now = _authoring(args)
    return _created(source, draft_postmortem(content, args.slug, now), None)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="preview the site on 127.0.0.1, rebuilding on change")
    add_common(p, "preview as of this time, fixed while the server runs")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("new", help="start an incident: write its first update")
    add_common(
        p, "the time of the first update (its 'at:'): the first-update rule is measured to it"
    )
    p.add_argument("title", help="what customers see, e.g. 'Publishing API returning errors'")
    p.add_argument("--severity", required=True, help="a severity from components.yaml")
    p.add_argument(
        "--component",
        action="append",
        default=[],
        metavar="ID=STATUS",
        help="an affected component and its status (repeatable)",
    )
    p.add_argument("--message", default=None, help="the message (default: the SOP's draft)")
    p.add_argument("--started", type=parse_now, default=None, help="when impact began (ISO 8601)")
    p.add_argument("--detected", type=parse_now, default=None, help="when the team knew (ISO 8601)")
    p.add_argument(
        "--slug",
        default=None,
        help="the incident's folder and URL (default: the date and the title's words)",
    )
    p.add_argument(
        "--strict", action="store_true", help="write nothing if the wording checks find anything"
    )
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("update", help="add the next update to an incident")
    add_common(
        p,
        "the time of the new update (its 'at:'): the monitoring window and the cadence are "
        "measured to it",
    )
    p.add_argument("slug", help="the incident's folder name under incidents/")
    p.add_argument("--status", required=True, help="identified, monitoring, resolved, ...")
    p.add_argument("--message", default=None, help="the message (default: the SOP's draft)")
    p.add_argument(
        "--component",
        action="append",
        default=[],
        metavar="ID=STATUS",
        help="a component whose status changes (repeatable); resolving without "
        "one returns every affected component to operational",
    )
    p.add_argument("--severity", default=None, help="change the severity from this update on")
    p.add_argument(
        "--force",
        action="store_true",
        help="resolve even before the monitoring window (monitor_for) has passed",
    )
    p.add_argument(
        "--strict", action="store_true", help="write nothing if the wording checks find anything"
    )
    p.set_defaults(func=cmd_update)
    p = sub.add_parser("postmortem", help="draft postmortem.md for an incident")
    add_common(p, "the time of the postmortem (its 'at:')")
    p.add_argument("slug", help="the incident's folder name under incidents/")
    p.set_defaults(func=cmd_postmortem)
