"""`write`: put a rendered site on disk all at once; a failed or killed build leaves the old one."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from heliograph.sparetree import TreeUpdate, adopt, retire

RENAME_EXCHANGE = 2  # linux/fs.h


class UnsafePath(ValueError):
    """An output path that would land outside the output directory."""


def merge_outputs(*parts: Mapping[str, bytes]) -> dict[str, bytes]:
    """Join the outputs of each render module; two modules claiming one path is a bug."""
    merged: dict[str, bytes] = {}
    for part in parts:
        for path, data in part.items():
            if path in merged:
                raise ValueError(f"two outputs claim the path {path!r}")
            merged[path] = data
    return merged


def safe_relative(path: str) -> PurePosixPath:
    """Refuse absolute paths, `..`, empty parts and hidden names in an output path."""
    p = PurePosixPath(path)
    if p.is_absolute() or not p.parts or any(
            part in ("", ".", "..") or part.startswith(".") or "\\" in part or "\0" in part
            for part in p.parts):
        raise UnsafePath(f"refusing to write output path {path!r}")
    return p


@dataclass(frozen=True)
class WriteReport:
    """How many files a write put down anew, and how many it kept from the previous site."""

    written: int
    kept: int


def write_site(outputs: Mapping[str, bytes], target: Path,
               unchanged: Collection[str] = frozenset(), spare: Path | None = None
               ) -> WriteReport:
    """Write every output into a fresh folder beside `target`, then swap it in atomically.

    A file whose bytes are those already in `target` is hard-linked into the fresh folder
    instead of written; `unchanged` names outputs the caller already compared. With `spare`
    (a folder on the same file system), the tree the swap retires is kept there and becomes
    the next fresh folder, so a small change does not recreate every folder of a large site.
    """
    for path in outputs:
        safe_relative(path)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh, old = _sibling(target, "new"), _sibling(target, "old")
    clear_leftovers(target)
    live = target if target.is_dir() and not target.is_symlink() else None
    try:
        tree = TreeUpdate(fresh, live, adopt(spare if live else None, fresh))
        for path, data in sorted(outputs.items()):
            tree.put(path, data, path in unchanged)
        tree.prune()
    except OSError:  # an odd spare (a folder where a file goes, say): start from nothing
        shutil.rmtree(fresh, ignore_errors=True)
        tree = TreeUpdate(fresh, live, adopt(None, fresh))
        for path, data in sorted(outputs.items()):
            tree.put(path, data, path in unchanged)
    swap_in(fresh, target, old, spare)
    return WriteReport(len(outputs) - tree.kept, tree.kept)


def swap_in(fresh: Path, target: Path, old: Path, spare: Path | None = None) -> None:
    """Make `fresh` the new `target`; at no moment is `target` missing or half-written."""
    if target.is_dir() and not target.is_symlink() and _exchange(fresh, target):
        retire(fresh, spare)  # after the exchange it holds the previous site
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


_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two directories in one step."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    fn = getattr(_libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0
