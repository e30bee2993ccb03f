"""The deploy manifest: what the bucket holds under a prefix, kept in the bucket by each deploy.

A deploy that trusts the manifest reads one object instead of listing ten thousand (and heading
them for their headers). It is trusted only when no deploy is under way or was killed midway (a
deploy marks the bucket before it changes anything, and lifts the mark after writing the new
manifest), when it is fresh (a day old at most: other tools may write to the bucket), and when a
few objects picked at random agree with it; otherwise, or when asked, the deploy lists the
bucket and writes the manifest anew. A foreign object added beside the site is seen by that
listing, so `--delete` removes it within a day (or at once with `--full`).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from heliograph.publish.deployplan import RESERVED, RemoteObject

FORMAT = "heliograph-deploy-1"
NAME = RESERVED + "deploy-manifest.json.gz"
UNDER_WAY = RESERVED + "deploy-under-way"  # the marker of a deploy that changes the bucket
MAX_AGE = 24 * 3600.0  # seconds; a scheduled deploy then lists the bucket once a day
MAX_BYTES = 64 << 20  # a manifest beyond this is not read: a listing is cheaper than that


@dataclass(frozen=True)
class Manifest:
    """The objects a deploy left, by key."""

    objects: dict[str, RemoteObject]
    written: float  # seconds since the epoch: its age decides whether to trust it


def encode(objects: Iterable[RemoteObject], written: float | None = None) -> bytes:
    rows = {o.key: [o.size, o.etag, o.sha256, o.content_type, o.cache_control] for o in objects}
    doc = {"format": FORMAT, "written": written or time.time(), "objects": rows}
    return zlib.compress(json.dumps(doc, separators=(",", ":")).encode(), 6)


def decode(data: bytes) -> Manifest | None:
    """The manifest in `data`, or None if it is not one this version wrote whole."""
    try:
        doc = json.loads(zlib.decompressobj().decompress(data, MAX_BYTES))
        if doc.get("format") != FORMAT:
            return None
        objects = {
            key: RemoteObject(key, int(size), str(etag), sha, ctype, cache)
            for key, (size, etag, sha, ctype, cache) in doc["objects"].items()
        }
        return Manifest(objects, float(doc["written"]))
    except (ValueError, KeyError, TypeError, AttributeError, zlib.error):
        return None  # damaged or foreign: the bucket is listed instead


def trusted(manifest: Manifest | None, now: float) -> bool:
    """Whether a deploy may plan against `manifest` without listing the bucket."""
    return manifest is not None and 0 <= now - manifest.written <= MAX_AGE
