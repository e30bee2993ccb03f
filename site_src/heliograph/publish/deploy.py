"""`deploy`: sync the built site to S3, only what changed, in an order that never breaks a page."""

from __future__ import annotations

import base64
import functools
import hashlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heliograph.content.errors import Abort
from heliograph.publish.deployplan import (
    LocalFile,
    Plan,
    RemoteObject,
    Upload,
    invalidation_paths,
    key_prefix,
    needs_stored_hash,
    plan,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

HASH_METADATA = "sha256"  # x-amz-meta-sha256: compared when the ETag is not an MD5
WORKERS = 8
Progress = Callable[[int, int, str], None]  # (done, total, key) after each upload


@dataclass(frozen=True)
class Target:
    """Where the site goes."""

    bucket: str
    prefix: str = ""
    region: str | None = None
    endpoint_url: str | None = None
    cloudfront_distribution: str | None = None


@dataclass(frozen=True)
class Options:
    """How the sync behaves."""

    delete: bool = False  # remove objects that are no longer in the site
    force: bool = False  # allow deleting more than half of the bucket
    dry_run: bool = False
    workers: int = WORKERS


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did (or, with dry_run, would do)."""

    plan: Plan
    dry_run: bool
    uploaded: int
    deleted: int
    invalidation: str | None = None

    @property
    def stale_kept(self) -> int:
        """Objects no longer in the site that stayed in the bucket (no --delete)."""
        return len(self.plan.stale) - len(self.plan.deletes)


def scan_site(site: Path) -> tuple[LocalFile, ...]:
    """Every file of a built site with its hashes; refuses a missing, empty or unbuilt folder."""
    if not site.is_dir():
        raise Abort(f"{site}/ does not exist: build the site first (python build.py build)")
    files = []
    for f in sorted(site.rglob("*")):
        rel = f.relative_to(site).as_posix()
        if f.is_file() and not any(part.startswith(".") for part in rel.split("/")):
            data = f.read_bytes()
            files.append(
                LocalFile(
                    rel,
                    len(data),
                    hashlib.md5(data, usedforsecurity=False).hexdigest(),
                    hashlib.sha256(data).hexdigest(),
                )
            )
    if not files:
        raise Abort(f"{site}/ is empty: build the site first (python build.py build)")
    if not (site / "index.html").is_file():
        raise Abort(
            f"{site}/ has no index.html, so it is not a built site: check --source/--output"
        )
    return tuple(files)


def deploy(
    site: Path, target: Target, options: Options = Options(), progress: Progress | None = None
) -> DeployResult:
    """Sync `site` to the bucket: assets, then pages, then entry points, then deletions."""
    local = scan_site(site)
    prefix = key_prefix(target.prefix)
    s3 = _client("s3", target, options.workers)
    with _explained(target, "listing the bucket"):
        remote = _with_stored_hashes(
            s3,
            target,
            _list(s3, target.bucket, prefix),
            {prefix + f.path for f in local},
            options.workers,
        )
    todo = plan(local, remote, prefix, options.delete)
    if todo.mass_deletion and not options.force:
        raise Abort(
            f"refusing to delete {len(todo.deletes)} of {todo.remote_count} objects in "
            f"s3://{target.bucket}/{prefix} (more than half): check --bucket, --prefix "
            "and the built site, or pass --force"
        )
    if options.dry_run:
        return DeployResult(todo, True, 0, 0)
    uploaded = _upload(s3, site, target, todo, options.workers, progress)
    deleted = _delete(s3, target, todo.deletes)
    invalidation = None
    if target.cloudfront_distribution and (todo.uploads or todo.deletes):
        invalidation = _invalidate(target, invalidation_paths(todo, prefix))
    return DeployResult(todo, False, uploaded, deleted, invalidation)


@functools.cache
def _model_loader() -> Any:
    """botocore's reader of service models, shared: each new session would parse them again."""
    from botocore.loaders import create_loader

    return create_loader()


def _client(service: str, target: Target, workers: int) -> Any:
    import boto3
    import botocore.session
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard"},
        max_pool_connections=max(workers, 10),
        connect_timeout=10,
        read_timeout=60,
    )
    # CloudFront keeps its own endpoint (or AWS_ENDPOINT_URL_CLOUDFRONT); --endpoint-url is S3's.
    endpoint = target.endpoint_url if service == "s3" else None
    try:
        # A fresh session per deploy reads the credentials and region of this moment.
        core = botocore.session.get_session()
        core.register_component("data_loader", _model_loader())
        return boto3.session.Session(botocore_session=core).client(
            service, region_name=target.region, endpoint_url=endpoint, config=config
        )
    except ValueError as exc:
        raise Abort(f"cannot use endpoint {endpoint!r}: {exc}") from None


def _list(s3: Any, bucket: str, prefix: str) -> list[RemoteObject]:
    """One paginated listing of every object under the prefix."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [
        RemoteObject(o["Key"], o["Size"], o.get("ETag", ""))
        for page in pages
        for o in page.get("Contents", ())
    ]


def _with_stored_hashes(
    s3: Any, target: Target, remote: list[RemoteObject], wanted: set[str], workers: int
) -> list[RemoteObject]:
    """Read the stored sha256 of objects whose ETag is no MD5 (multipart uploads, say)."""

    def head(obj: RemoteObject) -> RemoteObject:
        meta = s3.head_object(Bucket=target.bucket, Key=obj.key).get("Metadata", {})
        return RemoteObject(obj.key, obj.size, obj.etag, meta.get(HASH_METADATA, ""))

    unknown = [r for r in remote if r.key in wanted and needs_stored_hash(r)]
    if not unknown:
        return remote
    with ThreadPoolExecutor(workers) as pool:
        found = {r.key: r for r in pool.map(head, unknown)}
    return [found.get(r.key, r) for r in remote]


def _upload(
    s3: Any, site: Path, target: Target, todo: Plan, workers: int, progress: Progress | None
) -> int:
    """Upload stage by stage; a failed stage stops the deploy before the next one starts."""
    done, total = 0, len(todo.uploads)

    def put(u: Upload) -> str:
        s3.put_object(
            Bucket=target.bucket,
            Key=u.key,
            Body=(site / u.path).read_bytes(),
            ContentType=u.content_type,
            CacheControl=u.cache_control,
            ContentMD5=base64.b64encode(bytes.fromhex(u.md5)).decode(),
            Metadata={HASH_METADATA: u.sha256},
        )
        return u.key

    pool = ThreadPoolExecutor(workers)
    try:
        for _stage, uploads in todo.stages():
            futures: dict[Future[str], Upload] = {pool.submit(put, u): u for u in uploads}
            failed: Future[str] | None = None
            for f in as_completed(futures):
                if f.cancelled():
                    continue
                if f.exception() is not None:
                    failed = failed or f
                    for other in futures:  # the rest of the stage is not started
                        other.cancel()
                    continue
                done += 1
                if progress is not None:
                    progress(done, total, f.result())
            if failed is not None:
                with _explained(target, f"uploading {futures[failed].key}", done):
                    failed.result()
    finally:
        pool.shutdown(cancel_futures=True)  # after Ctrl-C, queued uploads never start
    return done


def _delete(s3: Any, target: Target, keys: tuple[str, ...]) -> int:
    """Delete in batches of 1,000, the most one request takes."""
    for start in range(0, len(keys), 1000):
        batch = [{"Key": k} for k in keys[start : start + 1000]]
        with _explained(target, "deleting stale objects"):
            errors = s3.delete_objects(
                Bucket=target.bucket, Delete={"Objects": batch, "Quiet": True}
            ).get("Errors")
        if errors:
            first = errors[0]
            raise Abort(
                f"could not delete {len(errors)} of {len(keys)} stale objects; the first, "
                f"{first.get('Key')}: {first.get('Code')}: {first.get('Message')}"
            )
    return len(keys)


def _invalidate(target: Target, paths: tuple[str, ...]) -> str:
    """One CloudFront invalidation for the changed paths; returns its id."""
    cf = _client("cloudfront", target, 1)
    # A reference seen before returns the earlier invalidation instead of making a new one.
    reference = f"heliograph-{time.time_ns()}"
    with _explained(target, "creating the CloudFront invalidation"):
        answer = cf.create_invalidation(
            DistributionId=target.cloudfront_distribution,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": list(paths)},
                "CallerReference": reference,
            },
        )
    return answer["Invalidation"]["Id"]


@contextmanager
def _explained(target: Target, doing: str, uploaded: int | None = None) -> Iterator[None]:
    """Turn boto3's exceptions into one-line Abort messages that say what to do."""
    from heliograph.publish.s3errors import explain

    try:
        yield
    except Exception as exc:
        message = explain(exc, target, doing)
        if message is None:
            raise
        if uploaded is not None:
            message += f" ({uploaded} of the uploads went through before it; run deploy again)"
        raise Abort(message) from None
