"""The hashes of a built site's files, kept beside it by stat so a deploy reads only new files.

As git's index does: a file whose size, mtime, inode and ctime are those recorded, and that had
settled (not changed within RACY_NS of the recording), is the recorded file, and its hashes are
reused; anything else is read and hashed again. A build keeps unchanged files as the very same
files (hard links), so after one update a deploy of ten thousand files hashes a handful. The
index is never trusted blindly: a damaged one is ignored, and it only ever saves reading.
"""

from __future__ import annotations

import os
import pickle
import time
import zlib
from pathlib import Path

FORMAT = "heliograph-hashes-1"
RACY_NS = 2_000_000_000
Stat = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns
Entry = tuple[Stat, str, str]  # the stat it was hashed at, md5, sha256


def index_path(site: Path) -> Path:
    site = site.absolute()
    return site.with_name(f".{site.name}.hashes")


def stat_key(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def load(site: Path) -> tuple[dict[str, Entry], int]:
    """The recorded hashes by site path, and the moment before which recorded files had
    settled; nothing when there is no usable index."""
    try:
        blob = index_path(site).read_bytes()
        payload = blob[4:]
        if zlib.crc32(payload).to_bytes(4, "little") != blob[:4]:
            return {}, 0
        form, written, entries = pickle.loads(payload)
        if form != FORMAT or not isinstance(entries, dict):
            return {}, 0
        return entries, int(written) - RACY_NS
    except Exception:  # noqa: BLE001 - missing or damaged: every file is read, no more
        return {}, 0


def store(site: Path, entries: dict[str, Entry], started: int) -> None:
    """Record `entries` as hashed during a scan that began at `started` (ns since the epoch)."""
    path = index_path(site)
    payload = pickle.dumps((FORMAT, started, entries), protocol=5)
    part = path.with_name(path.name + f".{os.getpid()}.part")
    try:
        part.write_bytes(zlib.crc32(payload).to_bytes(4, "little") + payload)
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)  # no index: the next deploy reads every file


def now_ns() -> int:
    return time.time_ns()
