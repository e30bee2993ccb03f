"""The spare site: the tree that the last swap took out of service, kept to become the next one.

A new site is made by bringing the spare up to date (its files that the live site shares by
hard link stay; others are replaced, never written through) instead of creating every folder
again, which costs most of a write on large sites. The spare is never trusted: a file in it is
kept only when it is the very file (same inode) that the live site holds with the right bytes,
and what it holds comes from its record (see treerecord) only while every folder matches that.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from heliograph.incremental.treerecord import keep_record, recorded
from heliograph.publish.tree import TreeRecord, listing


@dataclass(frozen=True)
class SpareTree:
    """The spare kept at `path` (on the output's file system), as `write_site` takes it."""

    path: Path

    def adopt(self, fresh: Path) -> TreeRecord:
        """Move the spare into place as `fresh` and say what it holds: its record while every
        folder still matches it, else a listing; an empty `fresh` when there is no spare."""
        return adopt(self.path, fresh)

    def keep(self, fresh: Path, record: TreeRecord | None, live: Path | None) -> None:
        """Record what `fresh` holds before the swap: a build killed after it still has it."""
        keep_record(self.path, fresh, record, live)

    def retire(self, tree: Path) -> None:
        """Keep the tree the swap took out of service as the spare."""
        retire(tree, self.path)


def adopt(spare: Path | None, fresh: Path) -> TreeRecord:
    """Move the spare into place as `fresh` and say what it holds: its record while every
    folder still matches it, else a listing; an empty `fresh` when there is no spare."""
    if spare is not None and spare.is_dir() and not spare.is_symlink():
        try:
            os.rename(spare, fresh)
            return recorded(spare, fresh) or listing(fresh)
        except OSError:  # another file system, or a damaged spare: start empty
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.rmtree(spare, ignore_errors=True)
    fresh.mkdir()
    return TreeRecord({}, {})


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
