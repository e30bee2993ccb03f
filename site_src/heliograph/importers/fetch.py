"""Where a Statuspage import reads from: a page's public API over HTTP, or saved JSON files."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from heliograph.content.errors import ContentError
from heliograph.importers.jsoninput import MAX_BYTES, Document

API_FILES = ("summary.json", "incidents.json", "scheduled-maintenances.json")
TIMEOUT = 30.0  # seconds for each network wait; a page answers in well under one
USER_AGENT = "heliograph-import (+https://github.com/heliograph)"


def is_url(source: str) -> bool:
    return re.match(r"https?://", source, re.IGNORECASE) is not None


def page_base(url: str) -> str:
    """`https://status.example.com/api/v2/summary.json` -> `https://status.example.com`."""
    base = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return re.sub(r"/api(/v2(/[^/]*)?)?$", "", base)


def shown(url: str) -> str:
    """A URL as errors name it, `host/path:line: ...` (a path keeps no `//`)."""
    return re.sub(r"^https?://", "", url, flags=re.IGNORECASE)


def documents(
    sources: Sequence[str], timeout: float = TIMEOUT
) -> tuple[list[Document], list[ContentError]]:
    """Each source's JSON: a page URL gives its three API files; a folder, its `*.json`."""
    docs: list[Document] = []
    errors: list[ContentError] = []
    for source in sources:
        if is_url(source):
            base = page_base(source)
            for name in API_FILES:
                doc, errs = fetch(f"{base}/api/v2/{name}", timeout)
                errors += errs
                docs += [doc] if doc else []
            continue
        path = Path(source)
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            errors.append(ContentError(path, 1, "no *.json files in this folder"))
        for file in files:
            doc, errs = read_file(file)
            errors += errs
            docs += [doc] if doc else []
    return docs, errors


def read_file(file: Path) -> tuple[Document | None, list[ContentError]]:
    try:
        with open(file, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [ContentError(file, 1, f"cannot read: {exc.strerror}")]
    return _decoded(str(file), data)


def fetch(url: str, timeout: float = TIMEOUT) -> tuple[Document | None, list[ContentError]]:
    """One API file; any failure is one error naming the URL."""
    where = Path(shown(url))
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        hint = "; is this a Statuspage page?" if exc.code == 404 else ""
        return None, [ContentError(where, 1, f"HTTP {exc.code} {exc.reason}{hint}")]
    except urllib.error.URLError as exc:
        return None, [ContentError(where, 1, f"cannot fetch: {exc.reason}")]
    except (TimeoutError, OSError, ValueError) as exc:
        return None, [ContentError(where, 1, f"cannot fetch: {exc}")]
    return _decoded(str(where), data)


def _decoded(name: str, data: bytes) -> tuple[Document | None, list[ContentError]]:
    if len(data) > MAX_BYTES:
        return None, [ContentError(Path(name), 1, f"over {MAX_BYTES // 1_000_000} MB; not read")]
    try:
        return Document(name, data.decode("utf-8-sig")), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [ContentError(Path(name), line, "not UTF-8 text")]
