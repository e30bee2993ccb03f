"""`deploy`: sync the built site to an S3 bucket."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROGRESS_SECONDS = 2.0  # a deploy that runs longer says how far it is, this often


def cmd_deploy(args: argparse.Namespace) -> int:
    from heliograph.build import Project
    from heliograph.publish.deploy import Options, Target, deploy

    site = Project.at(Path(args.source), Path(args.output) if args.output else None).output
    target = Target(
        args.bucket, args.prefix or "", args.region, args.endpoint_url, args.cloudfront_distribution
    )
    options = Options(delete=args.delete, force=args.force, dry_run=args.dry_run, full=args.full)
    started = last = time.perf_counter()

    def progress(done: int, total: int, key: str) -> None:
        nonlocal last
        if time.perf_counter() - last >= PROGRESS_SECONDS:
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
        print(
            f"{result.stale_kept:,} objects in the bucket are no longer in the site; "
            "--delete removes them"
        )
    if result.invalidation:
        print(f"CloudFront invalidation {result.invalidation} created")
    if result.dry_run:
        print(
            f"would upload {len(todo.uploads):,}, unchanged {todo.unchanged:,}, would delete "
            f"{len(todo.deletes):,} (dry run: nothing changed)"
        )
    else:
        print(
            f"uploaded {result.uploaded:,}, unchanged {todo.unchanged:,}, deleted "
            f"{result.deleted:,} in {time.perf_counter() - started:.1f} s"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("deploy", help="sync the built site to an S3 bucket")
    p.add_argument("--source", default=".", help="the site folder (default: current directory)")
    p.add_argument("--output", default=None, help="the built site (default: SOURCE/_site)")
    p.add_argument("--bucket", required=True, help="the S3 bucket to deploy to")
    p.add_argument("--prefix", default=None, help="a key prefix inside the bucket (default: none)")
    p.add_argument("--region", default=None, help="the bucket's region (default: AWS_REGION)")
    p.add_argument(
        "--endpoint-url",
        default=None,
        help="an S3-compatible endpoint instead of AWS (e.g. http://127.0.0.1:9000)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument(
        "--delete",
        action="store_true",
        help="delete objects that are no longer in the site (after all uploads)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --delete, allow deleting more than half of the remote objects",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="list the bucket (and read each object's headers) instead of trusting the "
        "manifest the last deploy left; a deploy does so by itself once a day",
    )
    p.add_argument(
        "--cloudfront-distribution",
        default=None,
        metavar="ID",
        help="create one CloudFront invalidation for the changed paths",
    )
    p.set_defaults(func=cmd_deploy)
