"""Which update files a site has and what they hold: a hash of each, taken again only for a
file whose stat changed since the last scan (git's index does the same).

Kept apart from parsing so that a build with nothing to do reads only this: no YAML, no
templates.
"""

from __future__ import annotations

import os
import pickle
import stat
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from heliograph.content.layout import INCIDENTS_DIR, MAX_FILE_BYTES
from heliograph.incremental.cache import Cache, digest
from heliograph.incremental.cores import share, workers
from heliograph.publish.tree import folder_stat

RACY_NS = 2_000_000_000  # a file changed this close to the last scan may change again unseen
StatKey = tuple[int, int, int, int]
_stat_key = attrgetter("st_size", "st_mtime_ns", "st_ino", "st_ctime_ns")  # of an update file
SHARDS = 64  # the index and the incident cache are kept in this many parts, by slug
SPLIT_FROM = 2000  # from this many folders, a second process shares the stat calls


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


Look = tuple[tuple[str, ...] | None, bytes, int]
# what it takes to see that a folder is as a scan saw it without listing it: the names of its
# update files (None when it holds anything else, see `_as_before`), its own stat and theirs,
# packed, and the newest time among them; a few objects to unpickle where a Folder has dozens


def _packed(values: list[int]) -> bytes | None:
    """Stat values as bytes (see Look); None for a value that does not fit in 64 bits."""
    try:
        return struct.pack(f"<{len(values)}q", *values)
    except struct.error:
        return None


def _stats_of(folder: str, names: tuple[str, ...]) -> list[int]:
    """A folder's own stat and each named file's stat key, in one list, as Look packs them."""
    prefix, lstat = os.path.join(folder, ""), os.lstat
    values = list(folder_stat(lstat(folder)))
    for name in names:
        values += _stat_key(lstat(prefix + name))
    return values


def _look_of(folder: Folder) -> Look:
    entries, _, _, was = folder
    keys = [seen for _, seen in entries if not isinstance(seen, bytes)]
    packed = _packed([*was, *(n for key in keys for n in key)])
    if len(keys) < len(entries) or packed is None:
        return None, b"", 0
    newest = max(was[1], was[2], *(max(key[1], key[3]) for key in keys))
    return tuple(name for name, _ in entries), packed, newest


def _as_before(folder: str, look: Look, settled: int) -> bool:
    """Whether a folder is as a settled scan left it, without listing it: a stat of the folder
    and of each update file it held.

    Adding, removing or renaming an entry moves the folder's mtime and ctime, so a folder whose
    stat is unchanged and older than the scan (see RACY_NS) holds the entries it held. A folder
    with any other entry than update files is listed instead: a link's target can change kind
    with no change to the folder.
    """
    names, packed, newest = look
    if names is None or newest >= settled:
        return False
    try:
        return _packed(_stats_of(folder, names)) == packed
    except OSError:
        return False


def _listed(folder: str, before: Folder | None, settled: int) -> Folder | None:
    """What a folder holds now, listed; None when it cannot be listed (it is left out)."""
    try:
        stat_before = folder_stat(os.lstat(folder))  # first: a change while listing moves it
        entries, newest = _folder_entries(folder)
    except OSError:
        return None
    if before is not None and before[0] == entries and newest < settled:
        return (*before[:3], stat_before)
    files = _hashes(folder, entries, before, settled)
    return entries, files, folder_print(os.path.basename(folder), files), stat_before


Stored = tuple[int, dict[str, Look], bytes, bytes]
# a shard as the cache keeps it: when it was saved, each folder's Look, a hash of its folders'
# fingerprints, and its folders (slug -> Folder), pickled apart: unpickled only if needed


def _shard_print(folders: dict[str, Folder]) -> bytes:
    return digest(*(part for slug in sorted(folders) for part in (slug, folders[slug][2])))


EMPTY = _shard_print({})


def _look_shard(
    root: str, before: Stored | None, listed: frozenset[str], new: list[str], settled: int
) -> tuple[dict[str, Look], bytes, bytes] | None:
    """A shard's folders as they are now: None when every one is as `before` has it, and no
    folder came or went; else the shard's new Looks, hash and pickled folders."""
    looks = before[1] if before else {}
    again = [
        slug
        for slug, look in looks.items()
        if slug in listed and not _as_before(os.path.join(root, slug), look, settled)
    ]
    if not again and not new and listed.issuperset(looks):
        return None
    folders: dict[str, Folder] = pickle.loads(before[3]) if before else {}
    for slug in list(folders):
        if slug not in listed:
            del folders[slug]
    for slug in again + new:
        folder = _listed(os.path.join(root, slug), folders.get(slug), settled)
        if folder is None:
            folders.pop(slug, None)
        else:
            folders[slug] = folder
    return (
        {slug: _look_of(folder) for slug, folder in folders.items()},
        _shard_print(folders),
        pickle.dumps(folders, protocol=pickle.HIGHEST_PROTOCOL),
    )


@dataclass(frozen=True)
class Scan:
    """What a scan found: a hash of each shard's folders and what else `incidents/` holds; the
    index itself is unpickled from the shards only when a build asks for it (`index`), which a
    build with nothing to do never does."""

    prints: tuple[bytes, ...]
    strays: tuple[tuple[str, bytes], ...]
    folders: tuple[bytes, ...]  # each shard's folders, pickled (see Stored)

    def digest(self, marks: dict[str, bytes]) -> bytes:
        """A hash of every folder's files, of what else `incidents/` holds, and of `marks`
        (see SourceIndex.marks)."""
        # `digest`, not `digest_of`: a pickle writes an object met before as a reference, so
        # equal prints held as one object or as two would hash apart
        return digest(
            *self.prints,
            str(len(self.strays)),
            *(part for stray in self.strays for part in stray),
            *(part for mark in sorted(marks.items()) for part in mark),
        )

    def index(self, marks: dict[str, bytes]) -> SourceIndex:
        """Every folder's files and fingerprint, as the scan saw them, with `marks`."""
        folders: dict[str, dict[str, bytes]] = {}
        prints: dict[str, bytes] = {}
        for blob in self.folders:
            for slug, folder in pickle.loads(blob).items():
                folders[slug] = folder[1]
                if slug not in marks:  # taken with the marks on demand (see fingerprint)
                    prints[slug] = folder[2]
        return SourceIndex(folders, prints, self.strays, dict(marks))


def scan(source: Path, cache: Cache, beside: Callable[[], object] = lambda: None) -> Scan:
    """Hash every update file; a file whose stat is unchanged since a settled scan is not read.

    As in git's index, a file modified within RACY_NS of the previous scan is read again even
    when its stat matches, since a second edit in the same clock tick would leave it unchanged.
    A folder whose own stat and files' stats are as a settled scan saw them is not listed, and
    a shard whose every folder is so is kept as stored, not even unpickled; only a shard with a
    change is stored again.

    A large site's shards are looked at on two cores, and `beside` is done meanwhile (the
    build's look at its last output), by this process while the other takes shards.
    """
    root = os.path.join(source, INCIDENTS_DIR)
    started = time.time_ns()
    keys = [cache.key("source-index", str(Path(root).absolute()), str(n)) for n in range(SHARDS)]
    found = cache.get_many(keys)
    stored: list[Stored | None] = [found.get(key) for key in keys]
    # per shard: files changed before this were settled when it was saved
    settled = [(s[0] if s else RACY_NS) - RACY_NS for s in stored]
    try:
        with os.scandir(root) as listing:
            entries = [e for e in listing if not e.name.startswith(".")]
    except OSError:
        entries = []
    slugs = frozenset(e.name for e in entries if e.is_dir(follow_symlinks=False))
    strays = tuple(
        sorted((e.name, _kind(e)) for e in entries if not e.is_dir(follow_symlinks=False))
    )
    new: list[list[str]] = [[] for _ in keys]
    for slug in sorted(slugs.difference(*(s[1] for s in stored if s))):  # in a stable order
        new[shard_of(slug)].append(slug)

    def look(n: int) -> tuple[dict[str, Look], bytes, bytes] | None:
        return _look_shard(root, stored[n], slugs, new[n], settled[n])

    if len(slugs) >= SPLIT_FROM and workers() > 1:  # the stat calls on two cores
        looked = share(look, SHARDS, beside)
    else:
        beside()
        looked = [look(n) for n in range(SHARDS)]
    prints, folders = [], []
    for key, before, now in zip(keys, stored, looked, strict=True):
        if now is not None:
            cache.put(key, (started, *now))  # new, read or gone: this shard is saved anew
            prints.append(now[1])
            folders.append(now[2])
        elif before is not None:
            prints.append(before[2])
            folders.append(before[3])
        else:
            prints.append(EMPTY)
    return Scan(tuple(prints), strays, tuple(folders))
