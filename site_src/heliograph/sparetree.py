"""The spare site: the tree that the last swap took out of service, kept to become the next one.

A new site is made by bringing the spare up to date (its files that the live site shares by
hard link stay; others are replaced, never written through) instead of creating every folder
again, which costs most of a write on large sites. The spare is never trusted: a file in it is
kept only when it is the very file (same inode) that the live site holds with the right bytes.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

Listing = dict[str, int]  # path relative to the tree -> inode


def listing(root: Path) -> Listing:
    """Every non-folder entry under `root`, with its inode (read from the folders, no stat)."""
    found: Listing = {}
    todo = [""]
    while todo:
        rel = todo.pop()
        with os.scandir(os.path.join(root, rel) if rel else root) as entries:
            for e in entries:
                path = f"{rel}/{e.name}" if rel else e.name
                if e.is_dir(follow_symlinks=False):
                    todo.append(path)
                else:
                    found[path] = e.inode()
    return found


def adopt(spare: Path | None, fresh: Path) -> Listing:
    """Move the spare into place as `fresh` and list it; an empty `fresh` when there is none."""
    if spare is not None and spare.is_dir() and not spare.is_symlink():
        try:
            os.rename(spare, fresh)
            return listing(fresh)
        except OSError:  # another file system, or a damaged spare: start empty
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.rmtree(spare, ignore_errors=True)
    fresh.mkdir()
    return {}


def retire(tree: Path, spare: Path | None) -> None:
    """Keep the tree the swap took out of service as the spare, or delete it."""
    if spare is not None:
        try:
            shutil.rmtree(spare, ignore_errors=True)
            spare.parent.mkdir(parents=True, exist_ok=True)
            os.rename(tree, spare)
            return
        except OSError:
            pass
    shutil.rmtree(tree, ignore_errors=True)


def same_file(current: str, data: bytes, known_same: bool) -> bool:
    """Whether the live site's file at `current` is a regular file holding `data`."""
    try:
        st = os.lstat(current)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        if known_same:
            return True
        with open(current, "rb") as f:
            return f.read() == data
    except OSError:
        return False


class TreeUpdate:
    """Bring `fresh` (empty, or an adopted spare) to hold exactly the outputs given to `put`."""

    def __init__(self, fresh: Path, live: Path | None, existing: Listing) -> None:
        self.fresh, self.live = str(fresh), str(live) if live else None
        self.existing = existing
        self.current = listing(live) if live else {}
        self.folders = {os.path.dirname(p) for p in existing} | {""}
        self.kept = 0

    def put(self, path: str, data: bytes, known_same: bool) -> None:
        """One output: kept if already there, linked from the live site, or written anew."""
        dest = os.path.join(self.fresh, path)
        have = self.existing.pop(path, None)
        live_ino = self.current.get(path)
        live = os.path.join(self.live, path) if self.live and live_ino is not None else None
        same = live is not None and same_file(live, data, known_same)
        if same and have == live_ino:
            self.kept += 1
            return
        if have is not None:
            os.unlink(dest)  # never write through: the spare may share this file with the live site
        self._folder(os.path.dirname(path))
        if same and live is not None:
            try:
                os.link(live, dest)
                self.kept += 1
                return
            except OSError:
                pass  # a file system without hard links: write it
        with open(dest, "xb") as f:
            f.write(data)

    def _folder(self, folder: str) -> None:
        if folder not in self.folders:
            os.makedirs(os.path.join(self.fresh, folder), exist_ok=True)
            self.folders.add(folder)

    def prune(self) -> None:
        """Remove what the spare held that the new site does not, and folders left empty."""
        for path in self.existing:
            os.unlink(os.path.join(self.fresh, path))
        parents = {os.path.dirname(p) for p in self.existing}
        for folder in sorted(parents, key=lambda p: p.count("/"), reverse=True):
            while folder:
                try:
                    os.rmdir(os.path.join(self.fresh, folder))
                except OSError:
                    break  # not empty: it still holds part of the new site
                folder = os.path.dirname(folder)
