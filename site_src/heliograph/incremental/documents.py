"""Update files parsed once per content: a hash of each file's bytes, the parsed front matter
cached under it; the files the cache has not seen are parsed on every core.

Only files that parse cleanly are cached: a file with an error is read again by `load`, which
reports it with its own path and line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from heliograph.content.errors import ContentError
from heliograph.content.layout import INCIDENTS_DIR, MAX_FILE_BYTES
from heliograph.content.load import read_document
from heliograph.content.sourcefile import Document, split_front_matter
from heliograph.incremental.cache import DIGEST_SIZE, Cache, digest
from heliograph.incremental.cores import on_every_core, workers
from heliograph.incremental.sources import SourceIndex

POOL_FROM = 400  # below this many files to parse, a pool costs more than it saves


def _parse(paths: list[str]) -> list[tuple[str, bytes, Document | None]]:
    """Parse files as `load` would; a file with any error comes back as None."""
    out = []
    for path in paths:
        try:
            with open(path, "rb") as f:  # a regular file: the index hashed only those
                data = f.read(MAX_FILE_BYTES + 1)
            text = data.decode("utf-8-sig") if len(data) <= MAX_FILE_BYTES else None
        except (OSError, UnicodeDecodeError):
            continue
        doc, errors = split_front_matter(text, Path(path)) if text is not None else (None, [])
        out.append((path, digest(data), None if errors else doc))
    return out


def parsed_documents(
    source: Path, index: SourceIndex, cache: Cache
) -> tuple[dict[Path, Document], SourceIndex]:
    """Every cleanly parsed update file by path, and the index as the files were parsed."""
    root = source / INCIDENTS_DIR
    paths = {
        root / slug / name: sha
        for slug, files in index.folders.items()
        for name, sha in files.items()
        if len(sha) == DIGEST_SIZE
    }
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
    return [
        item
        for _, parsed in on_every_core(
            lambda chunk: _parse([paths[i] for i in chunk]), len(paths), n
        )
        for item in parsed
    ]


def reader(
    docs: dict[Path, Document], index: SourceIndex, cache: Cache
) -> Callable[[Path, Path], tuple[Document | None, list[ContentError]]]:
    """A `load` reader that answers from `docs`, then the cache, and parses anything else."""

    def read(file: Path, display: Path) -> tuple[Document | None, list[ContentError]]:
        doc = docs.get(file)
        sha = index.folders.get(file.parent.name, {}).get(file.name, b"")
        if doc is None and len(sha) == DIGEST_SIZE:
            doc = cache.get(cache.key("document", sha))
        return (doc, []) if isinstance(doc, Document) else read_document(file, display)

    return read
