"""What a site tree held when a build last left it: each file's inode and each folder's stat.

A build that adopts the spare tree (see sparetree) trusts this record instead of listing the
tree's ten thousand folders, but only once a stat of every folder shows that none changed since:
adding, removing, renaming or replacing an entry in a folder sets that folder's mtime and ctime,
so an unchanged folder still holds exactly the entries recorded, each with its recorded inode.
File bytes are not recorded: the spare's file is kept only when it is the live site's very file
(same inode), whose bytes the build has just compared.
"""

from __future__ import annotations

import os
import pickle
import zlib
from functools import partial
from pathlib import Path

from heliograph.publish.tree import TreeRecord, folder_stat

FORMAT = "heliograph-tree-1"
_CHECK = 4  # bytes of CRC-32 before the pickled record: it catches a damaged file


def record_path(spare: Path, root: Path) -> Path:
    """Where the record of the tree at `root` is kept: beside `spare`, named by the root's inode
    (the root keeps its inode as it moves between live site and spare)."""
    return spare.with_name(f".{spare.name}.{os.lstat(root).st_ino}.tree")


def recorded(spare: Path, root: Path) -> TreeRecord | None:
    """The record of the tree now at `root`, if there is one and every folder still matches it."""
    try:
        blob = record_path(spare, root).read_bytes()
    except OSError:
        return None
    record = _decode(blob)
    return record if record is not None and intact(root, record) else None


def intact(root: Path, record: TreeRecord) -> bool:
    """Whether no folder under `root` changed since `record` was taken (a stat each), and the
    root, whose own stat moves as the tree is swapped, holds exactly the recorded entries."""
    expected = {path: ino for path, ino in record.files.items() if "/" not in path}
    expected.update((name, st[0]) for name, st in record.folders.items() if "/" not in name)
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    # Relative to the root's descriptor (a shorter path to resolve), in C loops: ten thousand.
    look = partial(os.stat, dir_fd=fd, follow_symlinks=False)
    try:
        now = list(map(folder_stat, map(look, record.folders)))
        with os.scandir(fd) as entries:
            top = {e.name: e.inode() for e in entries}
    except OSError:
        return False
    finally:
        os.close(fd)
    return now == list(record.folders.values()) and top == expected


def keep_record(spare: Path, root: Path, record: TreeRecord | None, also: Path | None) -> None:
    """Store the record of the tree at `root` (none: drop it); drop the spare's other records
    but `also`'s."""
    mine = record_path(spare, root)
    keep = {mine.name} | ({record_path(spare, also).name} if also is not None else set())
    try:
        for old in spare.parent.glob(f".{spare.name}.*"):  # records, and parts a kill left
            if old.name not in keep:
                old.unlink(missing_ok=True)
        if record is None:
            mine.unlink(missing_ok=True)
            return
        part = mine.with_name(mine.name + ".part")
        part.write_bytes(_encode(record))
        os.replace(part, mine)  # a build killed while saving leaves no half-written record
    except OSError:
        mine.unlink(missing_ok=True)  # no record: the next build lists the tree instead


def _encode(record: TreeRecord) -> bytes:
    # Names joined by NUL (never in an output path): one string pickles far faster than 10,000.
    payload = pickle.dumps(
        (
            FORMAT,
            "\0".join(record.files),
            list(record.files.values()),
            "\0".join(record.folders),
            [n for st in record.folders.values() for n in st],
        ),
        protocol=5,
    )
    return zlib.crc32(payload).to_bytes(_CHECK, "little") + payload


def _decode(blob: bytes) -> TreeRecord | None:
    payload = blob[_CHECK:]
    if zlib.crc32(payload).to_bytes(_CHECK, "little") != blob[:_CHECK]:
        return None  # damaged: the tree is listed instead
    try:
        form, files, inodes, folders, stats = pickle.loads(payload)
    except Exception:  # an unreadable record only costs a listing
        return None
    names = files.split("\0") if files else []
    dirs = folders.split("\0") if folders else []
    if form != FORMAT or len(names) != len(inodes) or len(stats) != 3 * len(dirs):
        return None
    numbers = iter(stats)
    return TreeRecord(
        dict(zip(names, inodes, strict=True)),
        dict(zip(dirs, zip(numbers, numbers, numbers, strict=True), strict=True)),
    )
