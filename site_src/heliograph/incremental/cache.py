"""The build cache: a content-addressed store in one SQLite file that CI can keep between runs.

Every key is a hash of the cache format, the generator's own code (its modules and the versions
of the libraries that shape output) and the entry's inputs, so a new release or an edited
module never reads an old entry. Every value carries a checksum: a damaged entry is a miss, and
a damaged database file is set aside and rebuilt. The cache only ever saves work; a build with
an empty, missing or broken cache writes the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sqlite3
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

FORMAT = b"heliograph-cache-3"
DB_NAME = "cache.sqlite"
CACHE_DIR_NAME = ".heliograph-cache"
ENV_VAR = "HELIOGRAPH_CACHE_DIR"
PACKAGE = Path(__file__).parents[1]  # the whole generator, every stage
# Libraries whose version can change the bytes of a page, a feed or a parsed file.
LIBRARIES = ("jinja2", "markdown-it-py", "nh3", "pyyaml", "feedgen", "markupsafe")


DIGEST_SIZE = 20


def digest(*parts: bytes | str) -> bytes:
    """A 20-byte hash of the parts, each length-prefixed so no two splits collide."""
    h = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def digest_of(value: object) -> bytes:
    """A hash of a value made of strings, bytes, numbers and tuples or lists of them: one
    pickle (as unambiguous as `digest`'s lengths), hashed once; for a value of thousands of
    parts a tenth of the cost of `digest`, which hashes each part with its length."""
    return digest(pickle.dumps(value, protocol=5))


def checksum_of(key: bytes, value: bytes) -> bytes:
    """A CRC-32 of an entry, its key and its value: it catches a damaged value, and a value
    that came back under another key; and is five times cheaper than a hash over the 40 MB a
    large site's warm build reads back."""
    return zlib.crc32(value, zlib.crc32(key)).to_bytes(4, "little")


def code_version() -> bytes:
    """A hash of the generator's modules and its libraries' versions."""
    parts: list[bytes | str] = [FORMAT]
    for path in sorted(PACKAGE.rglob("*.py")):
        parts += [path.relative_to(PACKAGE).as_posix(), path.read_bytes()]
    installed = installed_versions()
    for name in LIBRARIES:
        found = installed.get(_normal(name))
        parts.append(f"{name}=={found}" if found else f"{name} missing")
    return digest(*parts)


def installed_versions() -> dict[str, str]:
    """The version of each distribution installed on `sys.path` (the first one found, as
    imports find it), by normalised name, from the names of their `.dist-info` folders (or
    `.egg-info`, as Debian's python3 packages and older setuptools installs name theirs).

    Read from the folder names, not through importlib.metadata: importing it and asking it
    for six versions cost every build 0.013 s, a twentieth of one with nothing to do.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip, or a folder that is gone
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, release = name.removesuffix(".dist-info").rpartition("-")
            elif name.endswith(".egg-info"):
                # Name-1.2.egg-info or Name-1.2-py3.11.egg-info; a bare Name.egg-info (a
                # source tree's own) names no release and is passed over.
                dist, _, release = name.removesuffix(".egg-info").partition("-")
                release = release.split("-py", 1)[0]
            else:
                continue
            if dist and release:
                found.setdefault(_normal(dist), release)
    return found


def _normal(name: str) -> str:
    """A distribution's name as its folder spells it (PEP 503, then PEP 427's escape)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def put_parts(
    cache: Cache,
    keys: list[bytes],
    entries: Mapping[K, V],
    part_of: Callable[[K], int],
    before: list[dict[K, V]],
    wrap: Callable[[dict[K, V]], Any] = lambda part: part,
) -> list[dict[K, V]]:
    """Store `entries` split over `keys` (entry by `part_of`), each part only if it holds other
    entries than it did (`before`): where a key stands for its value, as a hash of inputs for
    what was made of them, the same keys are the same part. Returns the parts now."""
    parts: list[dict[K, V]] = [{} for _ in keys]
    for key, value in entries.items():
        parts[part_of(key)][key] = value
    for stored, part, was in zip(keys, parts, before, strict=True):
        if part.keys() != was.keys():
            cache.put(stored, wrap(part))
    return parts


def cache_dir(source: Path, override: Path | None = None) -> Path:
    """`--cache-dir`, else $HELIOGRAPH_CACHE_DIR, else SOURCE/.heliograph-cache."""
    if override is not None:
        return override
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else source / CACHE_DIR_NAME


class Cache:
    """Namespaced get/put of picklable values; writes are kept until `commit`."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.code = code_version()
        self._db = _open(directory) if directory is not None else None
        self._pending: dict[bytes, bytes] = {}
        self._renewed = False  # whether a broken database was replaced already
        self._forget_other_versions()

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def key(self, namespace: str, *parts: bytes | str) -> bytes:
        return digest(self.code, namespace, *parts)

    def get(self, key: bytes) -> Any | None:
        """The value stored under `key`, or None when missing or damaged."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, Any]:
        """The intact values among `keys`; a damaged one is dropped, never trusted."""
        found: dict[bytes, Any] = {}
        wanted = list(keys)
        if self._db is None:
            return found
        for start in range(0, len(wanted), 500):  # SQLite limits bound parameters per query
            batch = wanted[start : start + 500]
            try:
                rows = self._db.execute(
                    f"SELECT key, value, checksum FROM entries WHERE key IN "
                    f"({','.join('?' * len(batch))})",
                    batch,
                ).fetchall()
            except sqlite3.DatabaseError:
                self._discard()
                return {}
            for key, value, checksum in rows:
                if checksum_of(key, value) == checksum:
                    try:
                        found[key] = pickle.loads(value)
                    except Exception:  # a damaged pickle can raise nearly anything
                        continue
        return found

    def put(self, key: bytes, value: Any) -> None:
        if self._db is not None:
            self._pending[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def commit(self) -> None:
        """Store every pending value in one transaction; a failure only loses the cache."""
        if self._db is None or not self._pending:
            return
        rows = [(k, v, checksum_of(k, v)) for k, v in self._pending.items()]
        self._pending.clear()
        for _attempt in range(2):  # into a fresh database if this one turns out broken
            if self._db is None:
                return
            try:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
                return
            except sqlite3.DatabaseError:
                self._discard()

    def _forget_other_versions(self) -> None:
        """Entries of another code version can never be read again: drop them, so the cache
        does not grow without end as the generator changes."""
        if self._db is None:
            return
        try:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
            if row is None or row[0] != self.code:
                with self._db:
                    self._db.execute("DELETE FROM entries")
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('code', ?)", (self.code,))
        except sqlite3.DatabaseError:
            self._discard()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _discard(self) -> None:
        """A broken database is worth nothing: set it aside, with its journal, and start a
        fresh one, so that this build's work is kept for the next (once: a database that
        breaks again leaves this build without a cache)."""
        self.close()
        if self.directory is None:
            return
        _set_aside(self.directory)
        if not self._renewed:
            self._renewed = True
            self._db = _open(self.directory)
            self._forget_other_versions()


def _open(directory: Path) -> sqlite3.Connection | None:
    """The cache database, created if need be; None when it cannot be used at all."""
    for attempt in range(2):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(directory / DB_NAME, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # No waiting for the disk at each build's end (0.03 s at 10,000 incidents): a crash
            # of the machine may damage the file, which costs the cache and nothing else, as
            # every entry's checksum covers its key and value, and a broken file is set aside.
            db.execute("PRAGMA synchronous=OFF")
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, value BLOB "
                "NOT NULL, checksum BLOB NOT NULL) WITHOUT ROWID"
            )
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
            db.execute("SELECT count(*) FROM entries WHERE key = x''").fetchone()
            db.isolation_level = "DEFERRED"
            return db
        except sqlite3.DatabaseError:
            if attempt == 0:
                _set_aside(directory)
        except OSError:
            return None  # a read-only checkout: build without a cache
    return None


def _set_aside(directory: Path) -> None:
    """Move a broken database out of the way, its journal too: a fresh database beside an old
    write-ahead log would read that log as its own."""
    for suffix in ("", "-wal", "-shm"):
        try:
            os.replace(directory / (DB_NAME + suffix), directory / (DB_NAME + suffix + ".broken"))
        except OSError:
            pass
