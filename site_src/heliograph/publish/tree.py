"""A site tree brought up to date file by file: what a write puts in its fresh folder.

Each output is kept when the fresh folder already holds the live site's very file with its
bytes (same inode: a tree kept from an earlier swap, see `incremental.sparetree`), else linked
from the live site when that file has its bytes, else written anew; never written through a
link the live site shares.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path

FileStat = tuple[int, int, int]  # size, mtime_ns, inode: what says a file is still the same one
Stats = dict[str, FileStat]  # path -> the stat of its file as the write left it
Unchanged = Collection[str] | Mapping[str, FileStat]
Folders = dict[str, tuple[int, int, int]]  # folder below the root -> (inode, mtime_ns, ctime_ns)
_INODE = itemgetter(2)
_FOLDER_STAT = attrgetter("st_ino", "st_mtime_ns", "st_ctime_ns")


@dataclass
class TreeRecord:
    """The files (path -> inode) and folders of a tree; `empty` lists folders holding nothing."""

    files: dict[str, int]
    folders: Folders
    empty: list[str] = field(default_factory=list)


def file_stat(st: os.stat_result) -> FileStat:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def folder_stat(st: os.stat_result) -> tuple[int, int, int]:
    """The part of a folder's stat that any change to its entries moves."""
    return _FOLDER_STAT(st)


def listing(root: Path) -> TreeRecord:
    """Every entry under `root`, walked: files with their inode (read from the folders, no
    stat), folders with their stat (taken before they are read)."""
    found = TreeRecord({}, {})
    todo = [""]
    while todo:
        rel = todo.pop()
        seen = 0
        with os.scandir(os.path.join(root, rel) if rel else root) as entries:
            for e in entries:
                seen += 1
                path = f"{rel}/{e.name}" if rel else e.name
                if e.is_dir(follow_symlinks=False):
                    found.folders[path] = folder_stat(e.stat(follow_symlinks=False))
                    todo.append(path)
                else:
                    found.files[path] = e.inode()
        if rel and not seen:
            found.empty.append(rel)
    return found


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at `path` holds `data` (its size already matched)."""
    try:
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


class TreeUpdate:
    """Bring `fresh` (empty, or an adopted spare) to hold exactly the outputs given to `update`.

    Each output costs one stat of the live site's file (none when the caller gives it); only
    outputs that changed touch `fresh`.
    """

    def __init__(self, fresh: Path, live: Path | None, tree: TreeRecord) -> None:
        self.fresh, self.live = os.path.join(fresh, ""), os.path.join(live, "") if live else None
        self.existing = tree.files  # what `fresh` holds that no output has claimed yet
        self.folders = tree.folders  # kept current: with `stats`, the record of the new tree
        self.empty = tree.empty
        self.touched: set[str] = set()  # folders whose entries changed: their stat is taken anew
        self.stats: Stats = {}
        self.written = 0

    def update(self, outputs: Mapping[str, bytes], unchanged: Unchanged) -> None:
        """Every output: kept if the spare holds the live site's file with its bytes, else
        linked from the live site if that file has its bytes, else written anew.

        `unchanged` names outputs the caller found equal to the live site's file, by path; as a
        mapping it also gives the (size, mtime_ns, inode) the caller saw that file with.
        """
        seen = unchanged.get if isinstance(unchanged, Mapping) else None
        pop, stats, live, lstat = self.existing.pop, self.stats, self.live, os.lstat
        for path, data in outputs.items():
            have = pop(path, None)
            if seen is not None and have is not None:
                known = seen(path)
                if known is not None and known[2] == have and known[0] == len(data):
                    stats[path] = known
                    continue
            try:
                st = lstat(live + path) if live is not None else None
            except OSError:
                st = None
            if (
                st is not None
                and live is not None
                and not (
                    st.st_size == len(data)
                    and stat.S_ISREG(st.st_mode)
                    and (path in unchanged or _holds(live + path, data))
                )
            ):
                st = None  # not a file with these bytes
            if st is not None and st.st_ino == have:
                stats[path] = file_stat(st)
            else:
                self._replace(path, data, have is not None, st)

    def _replace(self, path: str, data: bytes, had: bool, live: os.stat_result | None) -> None:
        """Put one output that the spare does not hold: a link to the live file `live`, or new."""
        dest = self.fresh + path
        folder = os.path.dirname(path)
        if had:
            os.unlink(dest)  # never write through: the spare may share this file with the live site
        self._folder(folder)
        self.touched.add(folder)
        if live is not None and self.live is not None:
            try:
                os.link(self.live + path, dest)
                self.stats[path] = file_stat(live)
                return
            except OSError:
                pass  # a file system without hard links: write it
        with open(dest, "xb") as f:
            f.write(bytes(data))  # a page kept from the last build reads its bytes now
            f.flush()
            st = os.fstat(f.fileno())
        self.stats[path] = file_stat(st)
        self.written += 1

    def _folder(self, folder: str) -> None:
        """Make `folder` in `fresh` if the tree lacks it."""
        if not folder or folder in self.folders:
            return
        os.makedirs(self.fresh + folder, exist_ok=True)
        while folder and folder not in self.folders:
            self.folders[folder] = (0, 0, 0)  # its stat is taken once the update is done
            self.touched.add(folder)
            folder = os.path.dirname(folder)
        self.touched.add(folder)  # the folder that gained one

    def prune(self) -> None:
        """Remove what the spare held that the new site does not, and folders left empty."""
        for path in self.existing:
            os.unlink(self.fresh + path)
        parents = {os.path.dirname(p) for p in self.existing} | set(self.empty)
        self.touched |= parents
        self.existing = {}
        for folder in sorted(parents, key=lambda p: p.count("/"), reverse=True):
            while folder:
                try:
                    os.rmdir(self.fresh + folder)
                except OSError:
                    break  # not empty: it still holds part of the new site
                self.folders.pop(folder, None)
                folder = os.path.dirname(folder)
                self.touched.add(folder)

    def record(self) -> TreeRecord | None:
        """What `fresh` holds now, for the build that adopts it as the spare after next (none
        if a folder it changed has gone: something else is at work in the tree)."""
        try:
            for folder in self.touched:
                if folder in self.folders:
                    self.folders[folder] = folder_stat(os.lstat(self.fresh + folder))
        except OSError:
            return None
        inodes = map(_INODE, self.stats.values())
        return TreeRecord(dict(zip(self.stats, inodes, strict=True)), self.folders)
