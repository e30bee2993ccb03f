"""Which update files a site has and what they hold: a hash of each, taken again only for a
file whose stat changed since the last scan (git's index does the same).

Kept apart from parsing so that a build with nothing to do reads only this: no YAML, no
templates.
"""

from __future__ import annotations

import os
import stat
import time
import zlib
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from heliograph.content.layout import INCIDENTS_DIR, MAX_FILE_BYTES
from heliograph.incremental.cache import Cache, digest, digest_of
from heliograph.incremental.cores import share, workers
from heliograph.publish.tree import folder_stat

RACY_NS = 2_000_000_000  # a file changed this close to the last scan may change again unseen
StatKey = tuple[int, int, int, int]
_stat_key = attrgetter("st_size", "st_mtime_ns", "st_ino", "st_ctime_ns")  # of an update file
SHARDS = 64  # the index and the incident cache are kept in this many parts, by slug
SPLIT_FROM = 2000  # from this many folders, a second process shares the stat calls
PARTS = 40  # in as many parts, taken by whichever process is free


def shard_of(slug: str) -> int:
    return zlib.crc32(slug.encode("utf-8")) % SHARDS


@dataclass(frozen=True)
class SourceIndex:
    """Every `incidents/<slug>/*.md` file: slug -> file name -> hash of its bytes."""

    folders: dict[str, dict[str, bytes]]
    _prints: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    # what else `incidents/` holds (a loose file, a linked folder), by name and kind: `load`
    # refuses some of these, so a build with one is not the build without it
    strays: tuple[tuple[str, bytes], ...] = ()
    # what else an incident is made of besides its files (its corrections, from the history)
    marks: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def fingerprint(self, slug: str) -> bytes:
        """A hash of an incident folder's files (names and contents) and of its marks."""
        if (known := self._prints.get(slug)) is None:
            known = folder_print(slug, self.folders.get(slug, {}))
            if slug in self.marks:
                known = digest(known, self.marks[slug])
            self._prints[slug] = known
        return known

    def digest(self) -> bytes:
        """A hash of every folder's fingerprint: of all the incidents' files."""
        return digest_of(
            ([(slug, self.fingerprint(slug)) for slug in sorted(self.folders)], self.strays)
        )


def folder_print(slug: str, files: dict[str, bytes]) -> bytes:
    return digest(slug, *(part for name in sorted(files) for part in (name, files[name])))


Entry = tuple[str, StatKey | bytes]  # a file name and its stat key, or the kind of entry
FolderStat = tuple[int, int, int]  # publish.tree.folder_stat: what any change to entries moves
# what a scan saw in a folder, its files' hashes, the folder's fingerprint and its own stat
Folder = tuple[tuple[Entry, ...], dict[str, bytes], bytes, FolderStat]


def _folder_entries(path: str) -> tuple[tuple[Entry, ...], int]:
    """(name, stat key or kind) of every entry in an incident folder, and its newest change.

    Links, folders and other files are listed too (by kind, not content): `load` reports some
    of them, so they are part of what an incident folder is.
    """
    found: list[Entry] = []
    newest = 0
    with os.scandir(path) as entries:
        for e in entries:
            if e.name.endswith(".md"):  # one lstat answers both the kind and the change check
                st = e.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    found.append((e.name, _stat_key(st)))
                    newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
                    continue
            found.append((e.name, _kind(e)))
    found.sort()
    return tuple(found), newest


def _kind(entry: os.DirEntry[str]) -> bytes:
    """What an entry that is not a regular update file is: `load` reports links and folders."""
    if entry.is_symlink():
        return b"link to a folder" if entry.is_dir() else b"link"
    return b"dir" if entry.is_dir() else b"other"


def _hashes(
    folder: str, entries: tuple[Entry, ...], before: Folder | None, settled_before: int
) -> dict[str, bytes]:
    """Each file's hash: kept from `before` for a file whose stat is the same and settled."""
    old = dict(before[0]) if before else {}
    files: dict[str, bytes] = {}
    for name, seen in entries:
        if isinstance(seen, bytes):
            files[name] = seen
        elif (
            old.get(name) == seen
            and before is not None
            and name in before[1]
            and max(seen[1], seen[3]) < settled_before
        ):
            files[name] = before[1][name]
        else:
            try:
                with open(os.path.join(folder, name), "rb") as f:
                    data = f.read(MAX_FILE_BYTES + 1)  # `load` refuses a larger file unread
                files[name] = digest(data) if len(data) <= MAX_FILE_BYTES else b"too large"
            except OSError:
                files[name] = b"unreadable"  # `load` reports it
    return files


def _as_before(folder: str, before: Folder, settled: int) -> bool:
    """Whether a folder is as a settled scan left it, without listing it: a stat of the folder
    and of each update file it held.

    Adding, removing or renaming an entry moves the folder's mtime and ctime, so a folder whose
    stat is unchanged and older than the scan (see RACY_NS) holds the entries it held. A folder
    with any other entry than update files is listed instead: a link's target can change kind
    with no change to the folder.
    """
    entries, _, _, was = before
    try:
        if folder_stat(os.lstat(folder)) != was or max(was[1], was[2]) >= settled:
            return False
        prefix, lstat = os.path.join(folder, ""), os.lstat
        for name, seen in entries:
            if isinstance(seen, bytes):
                return False
            st = lstat(prefix + name)
            if _stat_key(st) != seen or max(seen[1], seen[3]) >= settled:
                return False
    except OSError:
        return False
    return True


def _look(
    root: str, slugs: list[str], previous: dict[str, Folder], settled: list[int]
) -> dict[str, Folder | None]:
    """What each folder holds now, None where that is just what `previous` says; a folder
    that cannot be listed is left out."""
    seen: dict[str, Folder | None] = {}
    for slug in slugs:
        folder = os.path.join(root, slug)
        before = previous.get(slug)
        if before is not None and _as_before(folder, before, settled[shard_of(slug)]):
            seen[slug] = None
            continue
        try:
            stat_before = folder_stat(os.lstat(folder))  # first: a change while listing moves it
            entries, newest = _folder_entries(folder)
        except OSError:
            continue
        if before is not None and before[0] == entries and newest < settled[shard_of(slug)]:
            seen[slug] = (*before[:3], stat_before)
        else:
            files = _hashes(folder, entries, before, settled[shard_of(slug)])
            seen[slug] = (entries, files, folder_print(slug, files), stat_before)
    return seen


def scan(source: Path, cache: Cache) -> SourceIndex:
    """Hash every update file; a file whose stat is unchanged since a settled scan is not read.

    As in git's index, a file modified within RACY_NS of the previous scan is read again even
    when its stat matches, since a second edit in the same clock tick would leave it unchanged.
    A folder whose every entry is as the last scan saw it is taken whole. The index is kept in
    shards by slug, so that a change stores one shard again, not the index of every file.

    A folder whose own stat and files' stats are as a settled scan saw them is not listed.
    A large site's folders are looked at on two cores.
    """
    root = os.path.join(source, INCIDENTS_DIR)
    started = time.time_ns()
    keys = [cache.key("source-index", str(Path(root).absolute()), str(n)) for n in range(SHARDS)]
    stored = cache.get_many(keys)
    previous: dict[str, Folder] = {}
    settled: list[int] = []  # per shard: files changed before this were settled when it was saved
    for key in keys:
        when, folders = stored.get(key, (RACY_NS, {}))
        settled.append(when - RACY_NS)
        previous.update(folders)
    shards: list[dict[str, Folder]] = [{} for _ in keys]
    try:
        with os.scandir(root) as listing:
            listed = [e for e in listing if not e.name.startswith(".")]
    except OSError:
        listed = []
    slugs = [e.name for e in listed if e.is_dir(follow_symlinks=False)]
    strays = tuple(
        sorted((e.name, _kind(e)) for e in listed if not e.is_dir(follow_symlinks=False))
    )
    if len(slugs) >= SPLIT_FROM and workers() > 1:  # the stat calls on two cores
        seen: dict[str, Folder | None] = {}
        for part in share(lambda i: _look(root, slugs[i::PARTS], previous, settled), PARTS):
            seen.update(part)
    else:
        seen = _look(root, slugs, previous, settled)
    for slug in slugs:
        if slug in seen:
            shards[shard_of(slug)][slug] = seen[slug] or previous[slug]
    index: dict[str, Folder] = {}
    for key, shard in zip(keys, shards, strict=True):
        old = stored.get(key, (0, {}))[1]
        if shard.keys() != old.keys() or any(shard[s] is not old[s] for s in shard):
            cache.put(key, (started, shard))  # new, read or gone: this shard is saved anew
        index.update(shard)
    return SourceIndex(
        {slug: folder[1] for slug, folder in index.items()},
        {slug: folder[2] for slug, folder in index.items()},
        strays,
    )
