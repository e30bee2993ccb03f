"""The command line: each subcommand parses its options and calls one library function."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn, TextIO

from heliograph.content.errors import Abort, ContentErrors


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
    output = getattr(args, "output", None)  # authoring commands have no --output
    return Project.at(source, Path(output) if output else None)


def _show_findings(findings: tuple, source: str, lines: TextIO | None, annotations: TextIO
                   ) -> None:
    """Each finding as `path:line: level: message`; under GitHub Actions also as annotations."""
    if lines and findings:  # one write: a large site can have thousands
        lines.write("".join(f"{f}\n" for f in findings))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from heliograph.checks.findings import annotation
        for f in findings:
            print(annotation(f, os.path.normpath(os.path.join(source, f.path))), file=annotations)


def cmd_build(args: argparse.Namespace) -> int:
    from heliograph.build import build
    from heliograph.checks.findings import CheckFailed, summary
    started = time.perf_counter()
    try:
        result = build(_project(args), args.now or clock(), strict=args.strict,
                       cache_dir=Path(args.cache_dir) if args.cache_dir else None)
    except CheckFailed as exc:
        _show_findings(exc.findings, args.source, sys.stderr, sys.stdout)
        print(f"error: the checks found {summary(exc.findings)} and --strict is set; "
              "nothing was written", file=sys.stderr)
        return 1
    shown = os.path.relpath(result.output) if not os.path.isabs(args.output or "") else result.output
    size = f"{result.bytes / 1e6:.1f} MB" if result.bytes >= 1e6 else f"{result.bytes // 1000} kB"
    print(f"Built {result.pages} pages ({result.files} files, {size}; "
          f"{result.written} written, {result.files - result.written} unchanged) "
          f"into {shown}/ in {time.perf_counter() - started:.1f} s")
    _show_findings(result.findings, args.source, sys.stderr, sys.stdout)
    print(f"Checks: {summary(result.findings)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Cadence and wording findings; exit 1 on errors, and on warnings too with --strict."""
    from heliograph.build import load_content
    from heliograph.checks.cadence import check
    from heliograph.checks.findings import as_json, fails, summary
    now = args.now or clock()
    findings = check(load_content(_project(args), now), now)
    if args.format == "json":
        print(as_json(findings, now))
        # stdout stays valid JSON; the runner reads workflow commands on stderr too
        _show_findings(findings, args.source, None, sys.stderr)
    else:
        _show_findings(findings, args.source, sys.stdout, sys.stdout)
        print(f"Checks: {summary(findings)}")
    return 1 if fails(findings, args.strict) else 0


def cmd_report(args: argparse.Namespace) -> int:
    """Median times to detect, announce and resolve, and the cadence record, per severity."""
    from heliograph.build import load_content
    from heliograph.checks.report import as_json, as_text, report
    now = args.now or clock()
    figures = report(load_content(_project(args), now), now, args.since)
    print(as_json(figures) if args.format == "json" else as_text(figures))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import tempfile

    from heliograph.authoring.serve import LiveServer, scratch_dir, site_builder, site_mount, watched
    source = _project(args).source
    with tempfile.TemporaryDirectory(prefix="heliograph-serve-", dir=scratch_dir()) as tmp:
        output = Path(tmp) / "site"  # a private build: the user's _site stays as it was
        builder = site_builder(source, output, lambda: args.now or clock())
        try:
            server = LiveServer(builder, output, watched(source), port=args.port,
                                mount=site_mount(source), report=lambda r: _report(r, source))
        except OSError as exc:
            raise Abort(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; "
                        "try another --port") from None
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on kill too
        try:
            server.start()
            print(f"Serving on {server.url} from a private build in {tmp} (Ctrl-C to stop)",
                  flush=True)
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    print("Stopped.", flush=True)
    return 0


def _report(report, source: Path) -> None:
    """One line per build on stdout; a failed build's problems on stderr."""
    changed = ", ".join(sorted({os.path.relpath(p, source) for p in report.changed}))
    cause = f" after a change to {changed}" if changed else ""
    if not report.problems:
        print(f"Build #{report.number} done in {report.seconds:.2f} s{cause}", flush=True)
        return
    for problem in report.problems:
        print(problem, file=sys.stderr, flush=True)
    count = len(report.problems)
    print(f"Build #{report.number} failed{cause}: {count} problem{'s' if count != 1 else ''}; "
          "still serving the last good site", flush=True)


def _authoring(args: argparse.Namespace):
    """The site folder, its checked content and the moment of the new file."""
    from heliograph.build import load_content
    project = _project(args)
    now = args.now or clock()
    return project.source, load_content(project, now), now


def _created(source: Path, draft, note: str | None) -> int:
    from heliograph.authoring.drafts import write_draft
    write_draft(source, draft)
    print(f"Created {source / draft.path}")
    if note:
        print(note)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from heliograph.authoring.drafts import cadence_note, draft_incident
    source, content, now = _authoring(args)
    draft = draft_incident(content, args.title, args.severity, args.component, args.message, now)
    return _created(source, draft, cadence_note(draft, content.site))


def cmd_update(args: argparse.Namespace) -> int:
    from heliograph.authoring.drafts import cadence_note, draft_update
    source, content, now = _authoring(args)
    draft = draft_update(content, args.slug, args.status, args.message, args.component,
                         args.severity, now)
    return _created(source, draft, cadence_note(draft, content.site))


def cmd_postmortem(args: argparse.Namespace) -> int:
    from heliograph.authoring.drafts import draft_postmortem
    source, content, now = _authoring(args)
    return _created(source, draft_postmortem(content, args.slug, now), None)


DEPLOY_PROGRESS_SECONDS = 2.0  # a deploy that runs longer says how far it is, this often


def cmd_deploy(args: argparse.Namespace) -> int:
    from heliograph.build import Project
    from heliograph.publish.deploy import Options, Target, deploy
    site = Project.at(Path(args.source), Path(args.output) if args.output else None).output
    target = Target(args.bucket, args.prefix or "", args.region, args.endpoint_url,
                    args.cloudfront_distribution)
    options = Options(delete=args.delete, force=args.force, dry_run=args.dry_run)
    started = last = time.perf_counter()

    def progress(done: int, total: int, key: str) -> None:
        nonlocal last
        if time.perf_counter() - last >= DEPLOY_PROGRESS_SECONDS:
            last = time.perf_counter()
            print(f"  {done:,} of {total:,} uploaded", file=sys.stderr, flush=True)

    result = deploy(site, target, options, progress)
    todo = result.plan
    if result.dry_run:
        for u in todo.uploads:
            print(f"would upload {u.key} ({'new' if u.new else 'changed'}, {u.content_type})")
        for key in todo.deletes:
            print(f"would delete {key}")
    if result.stale_kept:
        print(f"{result.stale_kept:,} objects in the bucket are no longer in the site; "
              "--delete removes them")
    if result.invalidation:
        print(f"CloudFront invalidation {result.invalidation} created")
    if result.dry_run:
        print(f"would upload {len(todo.uploads):,}, unchanged {todo.unchanged:,}, would delete "
              f"{len(todo.deletes):,} (dry run: nothing changed)")
    else:
        print(f"uploaded {result.uploaded:,}, unchanged {todo.unchanged:,}, deleted "
              f"{result.deleted:,} in {time.perf_counter() - started:.1f} s")
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
    p.add_argument("--strict", action="store_true",
                   help="write nothing and exit 1 if the checks find anything, warnings too")
    p.add_argument("--cache-dir", default=None,
                   help="build cache folder, kept between builds to make them fast (default: "
                   "$HELIOGRAPH_CACHE_DIR, else SOURCE/.heliograph-cache)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="check the update cadence and public wording")
    _common(p)
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: one line per finding (default); json: a document for tools")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("report", help="median response times and cadence record per severity")
    _common(p)
    p.add_argument("--since", type=date.fromisoformat, default=None, metavar="DATE",
                   help="only incidents that began on or after this day (YYYY-MM-DD, site zone)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: a table (default); json: a document for tools")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("serve", help="preview the site on 127.0.0.1, rebuilding on change")
    _common(p)
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("new", help="start an incident: write its first update")
    _common(p)
    p.add_argument("title", help="what customers see, e.g. 'Publishing API returning errors'")
    p.add_argument("--severity", required=True, help="a severity from components.yaml")
    p.add_argument("--component", action="append", default=[], metavar="ID=STATUS",
                   help="an affected component and its status (repeatable)")
    p.add_argument("--message", default=None, help="the message (default: the SOP's draft)")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("update", help="add the next update to an incident")
    _common(p)
    p.add_argument("slug", help="the incident's folder name under incidents/")
    p.add_argument("--status", required=True, help="identified, monitoring, resolved, ...")
    p.add_argument("--message", default=None, help="the message (default: the SOP's draft)")
    p.add_argument("--component", action="append", default=[], metavar="ID=STATUS",
                   help="a component whose status changes (repeatable); resolving without "
                        "one returns every affected component to operational")
    p.add_argument("--severity", default=None, help="change the severity from this update on")
    p.set_defaults(func=cmd_update)
    p = sub.add_parser("postmortem", help="draft postmortem.md for an incident")
    _common(p)
    p.add_argument("slug", help="the incident's folder name under incidents/")
    p.set_defaults(func=cmd_postmortem)
    p = sub.add_parser("deploy", help="sync the built site to an S3 bucket")
    p.add_argument("--source", default=".", help="the site folder (default: current directory)")
    p.add_argument("--output", default=None, help="the built site (default: SOURCE/_site)")
    p.add_argument("--bucket", required=True, help="the S3 bucket to deploy to")
    p.add_argument("--prefix", default=None, help="a key prefix inside the bucket (default: none)")
    p.add_argument("--region", default=None, help="the bucket's region (default: AWS_REGION)")
    p.add_argument("--endpoint-url", default=None,
                   help="an S3-compatible endpoint instead of AWS (e.g. http://127.0.0.1:9000)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--delete", action="store_true",
                   help="delete objects that are no longer in the site (after all uploads)")
    p.add_argument("--force", action="store_true",
                   help="with --delete, allow deleting more than half of the remote objects")
    p.add_argument("--cloudfront-distribution", default=None, metavar="ID",
                   help="create one CloudFront invalidation for the changed paths")
    p.set_defaults(func=cmd_deploy)
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
