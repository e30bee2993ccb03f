"""`.heliograph-import.json`: what the last import wrote, so that a rerun can tell an upstream
change (take it) from a local edit (keep it). Commit it with the site."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.layout import CONFIG_NAME, INCIDENTS_DIR
from heliograph.content.load import FILE_NAME, SLUG

RECORD_NAME = ".heliograph-import.json"
OWN_PATH = re.compile(
    rf"{re.escape(CONFIG_NAME)}|{INCIDENTS_DIR}/{SLUG.pattern}(/{FILE_NAME.pattern})?"
)
VERSION = 1


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Record:
    """Per file, the hash of the text the import wrote (upstream's version of it); per
    incident (by the source's key), its folder and a digest of what upstream said."""

    files: dict[str, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        data = {
            "version": VERSION,
            "about": "written by heliograph import; a rerun uses it to keep local edits",
            "files": dict(sorted(self.files.items())),
            "incidents": {
                key: {"folder": self.folders[key], "source": self.sources.get(key, "")}
                for key in sorted(self.folders)
            },
        }
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def read_record(site: Path) -> tuple[Record, list[ContentError]]:
    """The record in `site`, an empty one if there is none, or why it cannot be read."""
    path = site / RECORD_NAME
    if not path.exists():
        return Record(), []
    shown = Path(RECORD_NAME)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Record(), [ContentError(shown, 1, f"cannot read the import record: {exc}")]
    try:
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
        files = {str(k): str(v) for k, v in data["files"].items()}
        incidents = data["incidents"]
        folders = {str(k): str(v["folder"]) for k, v in incidents.items()}
        sources = {str(k): str(v["source"]) for k, v in incidents.items()}
        # Paths in the record are only ever the site's own files: a rerun removes some of them.
        bad = [p for p in [*files, *folders.values()] if not OWN_PATH.fullmatch(p)]
        if bad:
            raise ValueError(f"path {bad[0]!r} is not a file of the site")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        return Record(), [
            ContentError(
                shown, 1, f"not an import record ({exc}); restore it from git or delete it"
            )
        ]
    return Record(files, folders, sources), []
