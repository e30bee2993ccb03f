"""`write`: put a rendered site on disk all at once; a failed or killed build leaves the old one."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
               unchanged: Collection[str] = frozenset()) -> WriteReport:
    """Write every output into a fresh folder beside `target`, then swap it in atomically.

    A file whose bytes are those already in `target` is hard-linked into the fresh folder
    instead of written; `unchanged` names outputs the caller already compared.
    """
    for path in outputs:
        safe_relative(path)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh, old = _sibling(target, "new"), _sibling(target, "old")
    clear_leftovers(target)
    fresh.mkdir()
    previous = target if target.is_dir() and not target.is_symlink() else None
    made: set[Path] = {fresh}
    kept = 0
    for path, data in sorted(outputs.items()):
        dest = fresh / path
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        if previous is not None and _keep(previous / path, dest, data, path in unchanged):
            kept += 1
        else:
            dest.write_bytes(data)
    swap_in(fresh, target, old)
    return WriteReport(len(outputs) - kept, kept)


def _keep(current: Path, dest: Path, data: bytes, known_same: bool) -> bool:
    """Link the current file into the fresh tree when its bytes are `data`."""
    try:
        st = current.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        if not known_same and current.read_bytes() != data:
            return False
        os.link(current, dest)  # the old tree is removed after the swap; the new one keeps it
        return True
    except OSError:  # gone, unreadable, or a file system without hard links: write it
        return False


def swap_in(fresh: Path, target: Path, old: Path) -> None:
    """Make `fresh` the new `target`; at no moment is `target` missing or half-written."""
    if target.is_dir() and not target.is_symlink() and _exchange(fresh, target):
        shutil.rmtree(fresh)  # after the exchange it holds the previous site
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
