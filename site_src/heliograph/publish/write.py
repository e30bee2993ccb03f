"""`write`: put a rendered site on disk all at once; a failed or killed build leaves the old one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from heliograph.publish.tree import Folders, Stats, TreeRecord, TreeUpdate, Unchanged

RENAME_EXCHANGE = 2  # linux/fs.h


class Spare(Protocol):
    """A tree kept from an earlier swap, to become the next fresh folder instead of one made
    from nothing (the build cache keeps one; see incremental.sparetree)."""

    def adopt(self, fresh: Path) -> TreeRecord:
        """Become `fresh` (an empty folder if there is nothing to adopt); what it holds."""

    def keep(self, fresh: Path, record: TreeRecord | None, live: Path | None) -> None:
        """Note what `fresh` holds, just before it is swapped in."""

    def retire(self, tree: Path) -> None:
        """Take the tree the swap took out of service, to be adopted next time."""


class UnsafePath(ValueError):
    """An output path that would land outside the output directory."""


def merge_outputs(*parts: Mapping[str, bytes]) -> dict[str, bytes]:
    """Join the outputs of each render module; two modules claiming one path is a bug."""
    merged: dict[str, bytes] = {}
    for part in parts:
        if both := merged.keys() & part.keys():  # as sets: the preview merges 10,000 pages a save
            raise ValueError(f"two outputs claim the path {min(both)!r}")
        merged.update(part)
    return merged


def safe_relative(path: str) -> str:
    """Refuse absolute paths, `..`, empty parts and hidden names in an output path."""
    # Plain string tests, one pass each in C: a large site has ten thousand paths to check.
    if (
        not path
        or path[0] in "/."
        or path[-1] == "/"
        or "/." in path
        or "//" in path
        or "\\" in path
        or "\0" in path
    ):
        raise UnsafePath(f"refusing to write output path {path!r}")
    return path


@dataclass(frozen=True)
class WriteReport:
    """How many files a write put down anew, how many it kept from the previous site, and the
    (size, mtime_ns, inode) of every file it left, so that nothing need stat them again."""

    written: int
    kept: int
    stats: Stats = field(default_factory=dict)
    # the stat of every folder, as the write left it, where it kept a spare tree (else None)
    folders: Folders | None = None


def write_site(
    outputs: Mapping[str, bytes],
    target: Path,
    unchanged: Unchanged = frozenset(),
    spare: Spare | None = None,
) -> WriteReport:
    """Write every output into a fresh folder beside `target`, then swap it in atomically.

    A file whose bytes are those already in `target` is hard-linked into the fresh folder
    instead of written; `unchanged` names outputs the caller already compared (a mapping to the
    (size, mtime_ns, inode) it saw spares a stat of each). With `spare`, the tree the swap
    retires is kept and becomes the next fresh folder, so a small change does not recreate
    every folder of a large site.
    """
    for path in outputs:
        safe_relative(path)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh, old = _sibling(target, "new"), _sibling(target, "old")
    clear_leftovers(target)
    live = target if target.is_dir() and not target.is_symlink() else None
    try:
        tree = TreeUpdate(fresh, live, spare.adopt(fresh) if spare and live else _empty(fresh))
        tree.update(outputs, unchanged)
        tree.prune()
    except OSError:  # an odd spare (a folder where a file goes, say): start from nothing
        shutil.rmtree(fresh, ignore_errors=True)
        tree = TreeUpdate(fresh, live, _empty(fresh))
        tree.update(outputs, unchanged)
    record = tree.record() if spare is not None else None
    if spare is not None:  # before the swap: a build killed after it still leaves the record
        spare.keep(fresh, record, live)
    swap_in(fresh, target, old, spare)
    folders = dict(record.folders) if record is not None else None
    return WriteReport(tree.written, len(outputs) - tree.written, tree.stats, folders)


def _empty(fresh: Path) -> TreeRecord:
    fresh.mkdir()
    return TreeRecord({}, {})


def swap_in(fresh: Path, target: Path, old: Path, spare: Spare | None = None) -> None:
    """Make `fresh` the new `target`; at no moment is `target` missing or half-written."""
    if target.is_dir() and not target.is_symlink() and _exchange(fresh, target):
        # after the exchange `fresh` holds the previous site
        if spare is not None:
            spare.retire(fresh)
        else:
            shutil.rmtree(fresh, ignore_errors=True)
        return
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def clear_leftovers(target: Path) -> None:
    """Remove the temporary folders that a killed build left beside `target`."""
    for tag in ("new", "old"):
        shutil.rmtree(_sibling(target.absolute(), tag), ignore_errors=True)


def _sibling(target: Path, tag: str) -> Path:
    return target.with_name(f".{target.name}.{tag}")


_libc: Any = None


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two directories in one step."""
    global _libc
    if _libc is None:
        import ctypes.util  # here: a build with nothing to write never needs it

        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    fn = getattr(_libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0
