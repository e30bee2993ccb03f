"""`deploy`: sync the built site to S3, only what changed, in an order that never breaks a page.

What the bucket holds comes from the deploy manifest that the last deploy left in it (one
request), else from a listing of the bucket and a HEAD of each object whose bytes may match (its
headers and stored hash). Uploads go leaves first, home page last; a failed upload does not stop
the others: the deploy uploads all it can, tries the failed ones once more, and only then
reports them and exits non-zero, leaving the manifest true to what the bucket holds.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import random
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heliograph.content.errors import Abort
from heliograph.publish import localindex, manifest
from heliograph.publish.deployplan import (
    RESERVED,
    LocalFile,
    Plan,
    RemoteObject,
    Upload,
    invalidation_paths,
    key_prefix,
    needs_stored_hash,
    plan,
    same_bytes,
)
from heliograph.publish.lock import held

HASH_METADATA = "sha256"  # x-amz-meta-sha256: compared when the ETag is not an MD5
WORKERS = 8
SAMPLE = 8  # objects checked against a trusted manifest before the deploy relies on it
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
    full: bool = False  # list the bucket even when its manifest could be trusted


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did (or, with dry_run, would do)."""

    plan: Plan
    dry_run: bool
    uploaded: int
    deleted: int
    invalidation: str | None = None
    listed: bool = True  # the bucket was listed, rather than read from its manifest
    failed: tuple[str, ...] = field(default=())  # keys whose upload failed twice

    @property
    def stale_kept(self) -> int:
        """Objects no longer in the site that stayed in the bucket (no --delete)."""
        return len(self.plan.stale) - len(self.plan.deletes)


def scan_site(site: Path) -> tuple[LocalFile, ...]:
    """Every file of a built site with its hashes; refuses a missing, empty or unbuilt folder,
    and a link anywhere in it (a deploy never follows one: it could upload any file). Files
    unchanged since the last scan (by stat, see localindex) are not read again."""
    if not site.is_dir():
        raise Abort(f"{site}/ does not exist: build the site first (python build.py build)")
    started = localindex.now_ns()
    known, settled = localindex.load(site)
    entries: dict[str, localindex.Entry] = {}
    files = []
    for rel, path, st in _files(site, ""):
        seen = localindex.stat_key(st)
        entry = known.get(rel)
        if entry is None or entry[0] != seen or max(seen[1], seen[3]) >= settled:
            with open(path, "rb") as f:
                data = f.read()
            entry = (
                seen,
                hashlib.md5(data, usedforsecurity=False).hexdigest(),
                hashlib.sha256(data).hexdigest(),
            )
        entries[rel] = entry
        files.append(LocalFile(rel, seen[0], entry[1], entry[2]))
    if not files:
        raise Abort(f"{site}/ is empty: build the site first (python build.py build)")
    if not (site / "index.html").is_file():
        raise Abort(
            f"{site}/ has no index.html, so it is not a built site: check --source/--output"
        )
    if entries != known:
        localindex.store(site, entries, started)
    return tuple(sorted(files, key=lambda f: f.path))


def _files(root: Path, rel: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """(site path, file path, stat) of each regular file under `root`, hidden names left out."""
    with os.scandir(os.path.join(root, rel) if rel else root) as entries:
        for e in entries:
            if e.name.startswith("."):
                continue
            path = f"{rel}/{e.name}" if rel else e.name
            if e.is_symlink():
                raise Abort(
                    f"{root}/{path} is a link; a deploy never follows links (they could upload "
                    "any file of the machine): build the site again"
                )
            if e.is_dir(follow_symlinks=False):
                yield from _files(root, path)
            elif stat.S_ISREG((st := e.stat(follow_symlinks=False)).st_mode):
                yield path, e.path, st


def deploy(
    site: Path, target: Target, options: Options = Options(), progress: Progress | None = None
) -> DeployResult:
    """Sync `site` to the bucket: assets, leaf pages, listings, entry points, the home page,
    then deletions; a build of `site` meanwhile waits (the output's lock)."""
    with held(site, f"a deploy of {site} to s3://{target.bucket}"):
        return _deploy(site, target, options, progress)


def _deploy(
    site: Path, target: Target, options: Options, progress: Progress | None
) -> DeployResult:
    local = scan_site(site)
    prefix = key_prefix(target.prefix)
    s3 = _client("s3", target, options.workers)
    remote, listed = _remote(s3, target, prefix, local, options)
    todo = plan(local, remote.values(), prefix, options.delete)
    if todo.mass_deletion and not options.force:
        raise Abort(
            f"refusing to delete {len(todo.deletes)} of {todo.remote_count} objects in "
            f"s3://{target.bucket}/{prefix} (more than half): check --bucket, --prefix "
            "and the built site, or pass --force"
        )
    if options.dry_run:
        return DeployResult(todo, True, 0, 0, listed=listed)
    changes = bool(todo.uploads or todo.deletes)
    if changes:  # a deploy killed from here on leaves the marker: its manifest is not trusted
        with _explained(target, "marking the deploy as under way"):
            s3.put_object(
                Bucket=target.bucket,
                Key=prefix + manifest.UNDER_WAY,
                Body=b"1\n",
                ContentType="text/plain",
                CacheControl="no-store",
            )
    done, failed = _upload(s3, site, target, todo, options.workers, progress)
    for u in todo.uploads:  # what the bucket now holds; a failed upload is not known
        remote.pop(u.key, None)
        if u.key in done:
            remote[u.key] = done[u.key]
    deleted = 0
    if not failed:  # stale objects stay until every new file is up
        deleted = _delete(s3, target, todo.deletes)
        for key in todo.deletes:
            remote.pop(key, None)
    if changes or listed:
        _keep_manifest(s3, target, prefix, remote.values(), changes)
    invalidation = None
    if target.cloudfront_distribution and (done or deleted):
        invalidation = _invalidate(target, invalidation_paths(todo, prefix))
    if failed:
        raise Abort(_failures(target, failed, len(todo.uploads)))
    return DeployResult(todo, False, len(done), deleted, invalidation, listed)


def _failures(target: Target, failed: dict[str, BaseException], total: int) -> str:
    """One line: how many uploads failed, why the first did, and what to do."""
    from heliograph.publish.s3errors import explain

    first, error = next(iter(failed.items()))
    why = explain(error, target, f"uploading {first}") or f"uploading {first} failed: {error}"
    return (
        f"{why} ({len(failed)} of {total} uploads failed twice; every other file went up, "
        "no stale object was deleted, and the next deploy retries them: run deploy again)"
    )


def _remote(
    s3: Any, target: Target, prefix: str, local: Sequence[LocalFile], options: Options
) -> tuple[dict[str, RemoteObject], bool]:
    """What the bucket holds under `prefix`, by key, and whether it had to be listed."""
    if not options.full:
        kept = _read_manifest(s3, target, prefix)
        if manifest.trusted(kept, time.time()) and kept is not None:
            if _sample_agrees(s3, target, kept.objects, options.workers):
                return dict(kept.objects), False
    with _explained(target, "listing the bucket"):
        ours = prefix + RESERVED  # the manifest and other state of our own: not the site's
        listing = [r for r in _list(s3, target.bucket, prefix) if not r.key.startswith(ours)]
    by_path = {prefix + f.path: f for f in local}
    # Bytes that may match need their headers (and a multipart object its stored hash).
    unknown = [
        r
        for r in listing
        if (f := by_path.get(r.key)) is not None and (needs_stored_hash(r) or same_bytes(f, r))
    ]
    with _explained(target, "reading object headers"):
        headed = _head_all(s3, target, unknown, options.workers)
    return {r.key: headed.get(r.key, r) for r in listing}, True


def _read_manifest(s3: Any, target: Target, prefix: str) -> manifest.Manifest | None:
    """The manifest the last deploy left, if it finished (no marker of one under way)."""
    from botocore.exceptions import ClientError

    try:
        with ThreadPoolExecutor(2) as pool:  # both at once: one round trip
            marker = pool.submit(
                s3.head_object, Bucket=target.bucket, Key=prefix + manifest.UNDER_WAY
            )
            answer = s3.get_object(Bucket=target.bucket, Key=prefix + manifest.NAME)
            if not _missing(marker):
                return None  # a deploy was killed (or runs) after it changed the bucket
        if answer.get("ContentLength", 0) > manifest.MAX_BYTES:
            return None
        return manifest.decode(answer["Body"].read())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        with _explained(target, "reading the bucket"):
            raise
    except Exception:  # noqa: BLE001 - an unreadable manifest costs a listing, no more
        return None


def _missing(head: Future[Any]) -> bool:
    """Whether a HEAD found no object; any other error is raised."""
    from botocore.exceptions import ClientError

    try:
        head.result()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return True
        raise
    return False


def _keep_manifest(s3: Any, target: Target, prefix: str, objects: Any, marked: bool) -> None:
    """Store what the bucket now holds, then lift the marker. If either fails, the marker (or
    an old manifest that a listing replaces) stays and the next deploy lists the bucket: the
    site itself is up, so that is no reason to fail this deploy."""
    try:
        s3.put_object(
            Bucket=target.bucket,
            Key=prefix + manifest.NAME,
            Body=manifest.encode(objects),
            ContentType="application/gzip",
            CacheControl="no-store",
        )
        if marked:
            s3.delete_object(Bucket=target.bucket, Key=prefix + manifest.UNDER_WAY)
    except Exception:  # noqa: BLE001 - see above: costs the next deploy a listing only
        return


def _sample_agrees(s3: Any, target: Target, objects: dict[str, RemoteObject], workers: int) -> bool:
    """Whether a few objects, picked at random, are as the manifest says: another tool that
    wrote to the bucket since is found this way, and the bucket listed."""
    keys = random.sample(sorted(objects), min(SAMPLE, len(objects)))
    try:
        seen = _head_all(s3, target, [objects[k] for k in keys], workers)
    except Exception:  # noqa: BLE001 - a missing or unreadable object: list the bucket
        return False
    return all(_agrees(seen.get(k), objects[k]) for k in keys)


def _agrees(seen: RemoteObject | None, known: RemoteObject) -> bool:
    """Whether an object is as recorded, in every field the record knows."""
    return (
        seen is not None
        and (seen.size, seen.etag) == (known.size, known.etag)
        and all(
            want is None or got == want
            for got, want in (
                (seen.sha256, known.sha256),
                (seen.content_type, known.content_type),
                (seen.cache_control, known.cache_control),
            )
        )
    )


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


def _head_all(
    s3: Any, target: Target, objects: Sequence[RemoteObject], workers: int
) -> dict[str, RemoteObject]:
    """Each object as a HEAD shows it: size, ETag, stored sha256 and headers."""

    def head(obj: RemoteObject) -> RemoteObject:
        meta = s3.head_object(Bucket=target.bucket, Key=obj.key)
        return RemoteObject(
            obj.key,
            int(meta.get("ContentLength", obj.size)),
            meta.get("ETag", obj.etag),
            meta.get("Metadata", {}).get(HASH_METADATA, ""),
            meta.get("ContentType"),
            meta.get("CacheControl"),
        )

    if not objects:
        return {}
    with ThreadPoolExecutor(workers) as pool:
        return {r.key: r for r in pool.map(head, objects)}


def _upload(
    s3: Any, site: Path, target: Target, todo: Plan, workers: int, progress: Progress | None
) -> tuple[dict[str, RemoteObject], dict[str, BaseException]]:
    """Upload stage by stage (a stage waits for the one before it), every file even when some
    fail, then the failed ones once more; what went up, and what failed with its error."""
    done: dict[str, RemoteObject] = {}
    total = len(todo.uploads)

    def put(u: Upload) -> RemoteObject:
        with open(site / u.path, "rb") as f:
            body = f.read()
        answer = s3.put_object(
            Bucket=target.bucket,
            Key=u.key,
            Body=body,
            ContentType=u.content_type,
            CacheControl=u.cache_control,
            ContentMD5=base64.b64encode(bytes.fromhex(u.md5)).decode(),
            Metadata={HASH_METADATA: u.sha256},
        )
        return RemoteObject(
            u.key,
            len(body),
            answer.get("ETag", f'"{u.md5}"'),
            u.sha256,
            u.content_type,
            u.cache_control,
        )

    def run(uploads: Sequence[Upload], pool: ThreadPoolExecutor) -> dict[str, BaseException]:
        failed: dict[str, BaseException] = {}
        futures = [(u, pool.submit(put, u)) for u in uploads]
        for u, future in futures:
            error = future.exception()
            if error is not None:
                failed[u.key] = error
                continue
            done[u.key] = future.result()
            if progress is not None:
                progress(len(done), total, u.key)
        return failed

    pool = ThreadPoolExecutor(workers)
    try:
        failed: dict[str, BaseException] = {}
        for _stage, uploads in todo.stages():
            failed |= run(uploads, pool)
        if failed:  # once more, in the same order; boto3 has retried each already
            retry = [u for u in todo.uploads if u.key in failed]
            failed = {}
            for _stage, uploads in Plan(tuple(retry), 0, (), (), 0).stages():
                failed |= run(uploads, pool)
    finally:
        pool.shutdown(cancel_futures=True)  # after Ctrl-C, queued uploads never start
    return done, failed


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
