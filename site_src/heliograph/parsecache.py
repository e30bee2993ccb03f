"""Update files parsed once per content: a hash of each file's bytes, the parsed front matter
cached under it, and a process pool for the files the cache has not seen.

Only files that parse cleanly are cached: a file with an error is read again by `load`, which
reports it with its own path and line.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from heliograph.cache import DIGEST_SIZE, Cache, digest
from heliograph.errors import ContentError
from heliograph.load import INCIDENTS_DIR, read_document
from heliograph.sourcefile import MAX_FILE_BYTES, Document, split_front_matter

RACY_NS = 2_000_000_000  # a file changed this close to the last scan may change again unseen
POOL_FROM = 400  # below this many files to parse, a pool costs more than it saves
StatKey = tuple[int, int, int, int]


@dataclass(frozen=True)
class SourceIndex:
    """Every `incidents/<slug>/*.md` file: slug -> file name -> hash of its bytes."""

    folders: dict[str, dict[str, bytes]]
    _prints: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def fingerprint(self, slug: str) -> bytes:
        """A hash of an incident folder's files: names and contents."""
        if (known := self._prints.get(slug)) is None:
            known = self._prints[slug] = folder_print(slug, self.folders.get(slug, {}))
        return known

    def digest(self) -> bytes:
        """A hash of every folder's fingerprint: of all the incidents' files."""
        return digest(*(part for slug in sorted(self.folders)
                        for part in (slug, self.fingerprint(slug))))


def folder_print(slug: str, files: dict[str, bytes]) -> bytes:
    return digest(slug, *(part for name in sorted(files) for part in (name, files[name])))


def workers() -> int:
    """The cores this process may use; one when other threads run (the preview server's),
    since forking a process with threads can copy a lock some thread holds."""
    if threading.active_count() > 1:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


Entry = tuple[str, StatKey | bytes]  # a file name and its stat key, or the kind of entry
# what a scan saw in a folder, its files' hashes, and the folder's fingerprint
Folder = tuple[tuple[Entry, ...], dict[str, bytes], bytes]


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
                    found.append((e.name, (st.st_size, st.st_mtime_ns, st.st_ino,
                                           st.st_ctime_ns)))
                    newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
                    continue
            found.append((e.name, b"link" if e.is_symlink() else b"dir" if e.is_dir()
                          else b"other"))
    found.sort()
    return tuple(found), newest


def _hashes(folder: str, entries: tuple[Entry, ...], before: Folder | None,
            settled_before: int) -> dict[str, bytes]:
    """Each file's hash: kept from `before` for a file whose stat is the same and settled."""
    old = dict(before[0]) if before else {}
    files: dict[str, bytes] = {}
    for name, seen in entries:
        if isinstance(seen, bytes):
            files[name] = seen
        elif (old.get(name) == seen and before is not None and name in before[1]
              and max(seen[1], seen[3]) < settled_before):
            files[name] = before[1][name]
        else:
            try:
                with open(os.path.join(folder, name), "rb") as f:
                    files[name] = digest(f.read())
            except OSError:
                files[name] = b"unreadable"  # `load` reports it
    return files


def scan(source: Path, cache: Cache) -> SourceIndex:
    """Hash every update file; a file whose stat is unchanged since a settled scan is not read.

    As in git's index, a file modified within RACY_NS of the previous scan is read again even
    when its stat matches, since a second edit in the same clock tick would leave it unchanged.
    A folder whose every entry is as the last scan saw it is taken whole.
    """
    root = os.path.join(source, INCIDENTS_DIR)
    started = time.time_ns()
    key = cache.key("source-index", str(Path(root).absolute()))
    previous: dict[str, Folder] = {}
    settled_before = 0
    if (stored := cache.get(key)) is not None:
        settled_before, previous = stored[0] - RACY_NS, stored[1]
    index: dict[str, Folder] = {}
    try:
        slugs = [e.name for e in os.scandir(root) if not e.name.startswith(".")
                 and e.is_dir(follow_symlinks=False)]
    except OSError:
        slugs = []
    for slug in slugs:
        folder = os.path.join(root, slug)
        try:
            entries, newest = _folder_entries(folder)
        except OSError:
            continue
        before = previous.get(slug)
        if before is not None and before[0] == entries and newest < settled_before:
            index[slug] = before
        else:
            files = _hashes(folder, entries, before, settled_before)
            index[slug] = (entries, files, folder_print(slug, files))
    if index.keys() != previous.keys() or any(
            index[slug] is not previous[slug] for slug in index):  # new, read or gone
        cache.put(key, (started, index))
    return SourceIndex({slug: files for slug, (_, files, _) in index.items()},
                       {slug: fingerprint for slug, (_, _, fingerprint) in index.items()})


def _parse(paths: list[str]) -> list[tuple[str, bytes, Document | None]]:
    """Parse files as `load` would; a file with any error comes back as None."""
    out = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
            text = data.decode("utf-8-sig") if len(data) <= MAX_FILE_BYTES else None
        except (OSError, UnicodeDecodeError):
            continue
        doc, errors = split_front_matter(text, Path(path)) if text is not None else (None, [])
        out.append((path, digest(data), None if errors else doc))
    return out


def parsed_documents(source: Path, index: SourceIndex, cache: Cache
                     ) -> tuple[dict[Path, Document], SourceIndex]:
    """Every cleanly parsed update file by path, and the index as the files were parsed."""
    root = source / INCIDENTS_DIR
    paths = {root / slug / name: sha for slug, files in index.folders.items()
             for name, sha in files.items() if len(sha) == DIGEST_SIZE}
    keys = {path: cache.key("document", sha) for path, sha in paths.items()}
    found = cache.get_many(keys.values())
    docs = {path: found[k] for path, k in keys.items() if k in found}
    missing = [str(p) for p in paths if p not in docs]
    if not missing:
        return docs, index
    folders = {slug: dict(files) for slug, files in index.folders.items()}
    for path, sha, doc in _parse_all(missing):
        p = Path(path)
        folders[p.parent.name][p.name] = sha  # the bytes that were parsed, if changed since
        if doc is not None:
            docs[p] = doc
            cache.put(cache.key("document", sha), doc)
    return docs, SourceIndex(folders)


def _parse_all(paths: list[str]) -> list[tuple[str, bytes, Document | None]]:
    n = workers()
    if n < 2 or len(paths) < POOL_FROM:
        return _parse(paths)
    chunks = [paths[i::n * 4] for i in range(n * 4)]
    with ProcessPoolExecutor(n, mp_context=_fork_context()) as pool:
        return [item for chunk in pool.map(_parse, chunks) for item in chunk]


def _fork_context():  # type: ignore[no-untyped-def]
    """Fork where the platform has it: workers start in milliseconds and inherit imports."""
    import multiprocessing
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def reader(docs: dict[Path, Document], index: SourceIndex, cache: Cache
           ) -> Callable[[Path, Path], tuple[Document | None, list[ContentError]]]:
    """A `load` reader that answers from `docs`, then the cache, and parses anything else."""
    def read(file: Path, display: Path) -> tuple[Document | None, list[ContentError]]:
        doc = docs.get(file)
        sha = index.folders.get(file.parent.name, {}).get(file.name, b"")
        if doc is None and len(sha) == DIGEST_SIZE:
            doc = cache.get(cache.key("document", sha))
        return (doc, []) if isinstance(doc, Document) else read_document(file, display)
    return read
