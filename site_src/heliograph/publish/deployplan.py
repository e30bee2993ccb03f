"""The deploy plan: a pure comparison of the built site with what the bucket holds (bytes and
headers), the HTTP headers of each file, and the order in which uploads go out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60"  # a status page must show a new update within a minute
# theme.py publishes .css/.js as name.<10 hex digits of sha256>.ext: a new content is a new name.
_FINGERPRINTED = re.compile(r"^static/(?:.+/)?[^/]+\.[0-9a-f]{10}\.[A-Za-z0-9]+$")
_MD5_ETAG = re.compile(r'^"?([0-9a-f]{32})"?$')

_UTF8 = "; charset=utf-8"
CONTENT_TYPES = {
    ".html": "text/html" + _UTF8,
    ".css": "text/css" + _UTF8,
    ".js": "text/javascript" + _UTF8,
    ".json": "application/json" + _UTF8,
    ".xml": "application/xml" + _UTF8,
    ".rss": "application/rss+xml" + _UTF8,
    ".atom": "application/atom+xml" + _UTF8,
    ".ics": "text/calendar" + _UTF8,
    ".svg": "image/svg+xml" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".webmanifest": "application/manifest+json" + _UTF8,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}
# Fixed by name so that a machine's /etc/mime.types cannot change what a deploy sends.
DEFAULT_TYPE = "application/octet-stream"
_ENTRY_SUFFIXES = (".rss", ".atom", ".ics")
_ENTRY_FILES = ("sitemap.xml", "robots.txt", "search.json", "embed.js", "embed/index.html")
_ENTRY_FOLDERS = ("api/", "badges/")  # read by programs and other sites: they go out last
_ARCHIVE_INDEXES = ("history/index.html", "404.html")
# Heliograph's own state in the bucket (the deploy manifest, say): never a page, never stale.
# Output paths never start with a dot (see write.safe_relative), so no page can clash with it.
RESERVED = ".heliograph/"


class Stage(IntEnum):
    """When an upload goes out: what a page links to is online before the page itself, leaves
    first, then the pages that list them, the entry points, and the home page last."""

    ASSETS = 1  # stylesheets, scripts, images
    LEAVES = 2  # incident pages: linked from everything else, they link only to what exists
    LISTINGS = 3  # month and component pages, which list incidents
    ARCHIVE = 4  # the history index (it lists the months) and the not-found page
    ENTRY_POINTS = 5  # feeds, JSON API, badges, calendar, sitemap: read by programs
    HOME = 6  # where visitors arrive: it links to all of the above


@dataclass(frozen=True)
class LocalFile:
    """One file of the built site, by its path relative to the site folder."""

    path: str
    size: int
    md5: str
    sha256: str


@dataclass(frozen=True)
class RemoteObject:
    """One object as the bucket holds it; `sha256` and the headers are read (from a HEAD, or
    from the deploy manifest) only when needed: None is not known."""

    key: str
    size: int
    etag: str
    sha256: str | None = None
    content_type: str | None = None
    cache_control: str | None = None


@dataclass(frozen=True)
class Upload:
    """One file to put, with the headers it is served with."""

    path: str
    key: str
    stage: Stage
    new: bool  # not in the bucket yet; else its bytes, or only its headers, changed
    content_type: str
    cache_control: str
    md5: str
    sha256: str


@dataclass(frozen=True)
class Plan:
    """What a deploy does: uploads in stage order, then deletions (empty without --delete)."""

    uploads: tuple[Upload, ...]
    unchanged: int
    deletes: tuple[str, ...]
    stale: tuple[str, ...]  # remote keys with no local file, deleted or not
    remote_count: int

    @property
    def mass_deletion(self) -> bool:
        """More than half of the remote objects would go: a wrong prefix or folder, most likely."""
        return len(self.deletes) * 2 > self.remote_count

    def stages(self) -> list[tuple[Stage, tuple[Upload, ...]]]:
        """The uploads grouped by stage, in the order the stages run; empty stages left out."""
        return [
            (s, group) for s in Stage if (group := tuple(u for u in self.uploads if u.stage is s))
        ]


def key_prefix(prefix: str | None) -> str:
    """`--prefix` as a key prefix: no leading slash, one trailing slash, or empty."""
    cleaned = "/".join(part for part in (prefix or "").split("/") if part)
    return cleaned + "/" if cleaned else ""


def md5_of_etag(etag: str) -> str | None:
    """The MD5 an ETag stands for; None for multipart (`"…-3"`) or unknown ETags."""
    m = _MD5_ETAG.match(etag)
    return m.group(1) if m else None


def needs_stored_hash(obj: RemoteObject) -> bool:
    """Whether comparing this object needs the sha256 kept in its metadata."""
    return md5_of_etag(obj.etag) is None and obj.sha256 is None


def stage_of(path: str) -> Stage:
    """The upload stage of a site path."""
    if path == "index.html":
        return Stage.HOME
    if path in _ENTRY_FILES or path.startswith(_ENTRY_FOLDERS) or path.endswith(_ENTRY_SUFFIXES):
        return Stage.ENTRY_POINTS
    if path in _ARCHIVE_INDEXES:
        return Stage.ARCHIVE
    if path.startswith("incidents/") and path.endswith(".html"):
        return Stage.LEAVES
    if path.endswith(".html"):
        return Stage.LISTINGS
    return Stage.ASSETS


def content_type(path: str) -> str:
    """The Content-Type of a site path, with charset=utf-8 for text."""
    dot = path.rfind(".")
    return (
        CONTENT_TYPES.get(path[dot:].lower(), DEFAULT_TYPE)
        if dot > path.rfind("/")
        else DEFAULT_TYPE
    )


def cache_control(path: str) -> str:
    """A year and immutable for fingerprinted assets; a minute for everything else."""
    return IMMUTABLE if _FINGERPRINTED.match(path) else SHORT


def same_bytes(local: LocalFile, remote: RemoteObject | None) -> bool:
    """Same content: the MD5 of a single-part ETag, else the sha256 stored at upload."""
    if remote is None or remote.size != local.size:
        return False
    md5 = md5_of_etag(remote.etag)
    if md5 is not None:
        return md5 == local.md5
    return remote.sha256 == local.sha256


def is_unchanged(local: LocalFile, remote: RemoteObject | None) -> bool:
    """Same content and the headers this deploy would send: a right file served with a wrong
    Content-Type, or under an old Cache-Control policy, is uploaded again."""
    return (
        same_bytes(local, remote)
        and remote is not None
        and remote.content_type == content_type(local.path)
        and remote.cache_control == cache_control(local.path)
    )


def plan(
    local: Iterable[LocalFile],
    remote: Iterable[RemoteObject],
    prefix: str = "",
    delete: bool = False,
) -> Plan:
    """Compare the site with the bucket listing under `prefix` (as from key_prefix)."""
    remote_by_key = {r.key: r for r in remote}
    uploads, unchanged, keys = [], 0, set()
    for f in sorted(local, key=lambda f: f.path):
        key = prefix + f.path
        keys.add(key)
        there = remote_by_key.get(key)
        if is_unchanged(f, there):
            unchanged += 1
            continue
        uploads.append(
            Upload(
                f.path,
                key,
                stage_of(f.path),
                there is None,
                content_type(f.path),
                cache_control(f.path),
                f.md5,
                f.sha256,
            )
        )
    uploads.sort(key=lambda u: (u.stage, u.path))
    ours = prefix + RESERVED
    stale = tuple(sorted(k for k in remote_by_key if k not in keys and not k.startswith(ours)))
    count = sum(not k.startswith(ours) for k in remote_by_key)
    return Plan(tuple(uploads), unchanged, stale if delete else (), stale, count)


def site_path(key: str, prefix: str) -> str:
    """The site path of a bucket key under `prefix`."""
    return key[len(prefix) :] if key.startswith(prefix) else key


def invalidation_paths(plan_: Plan, prefix: str, limit: int = 50) -> tuple[str, ...]:
    """CloudFront paths for what changed; a directory's index.html is also its `/dir/` URL."""
    changed = [u.path for u in plan_.uploads] + [site_path(k, prefix) for k in plan_.deletes]
    paths: set[str] = set()
    for path in changed:
        paths.add("/" + path)
        if path == "index.html" or path.endswith("/index.html"):
            paths.add("/" + path[: -len("index.html")])
    # A wildcard counts as one path, and CloudFront bills per path beyond the free allowance.
    return ("/*",) if len(paths) > limit else tuple(sorted(paths))
