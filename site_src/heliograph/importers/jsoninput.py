"""Reading another page's JSON with every problem located: the file, the line, the field.

Statuspage's files are often one long line, so a field's line is that of its object's `id`
(the first place the id appears), which in a pretty-printed file is the object's own line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.schema import Invalid, describe
from heliograph.content.sourcefile import CONTROL
from heliograph.importers.draft import Note

MAX_BYTES = 256_000_000  # years of a large page's history are tens of MB


@dataclass(frozen=True)
class Document:
    """One input file or response: its name as shown to people, and its text."""

    name: str
    text: str


def parse(doc: Document) -> tuple[Any, list[ContentError]]:
    """The JSON value of `doc`, or one error with the line and column of the first fault."""
    where = Path(doc.name)
    if len(doc.text) > MAX_BYTES:
        return None, [ContentError(where, 1, f"file is over {MAX_BYTES // 1_000_000} MB")]
    try:
        return json.loads(doc.text), []
    except json.JSONDecodeError as exc:
        return None, [
            ContentError(where, exc.lineno, f"malformed JSON: {exc.msg} (column {exc.colno})")
        ]
    except RecursionError:
        return None, [ContentError(where, 1, "malformed JSON: values nested too deeply")]


@dataclass
class Fields:
    """Reads typed fields of one document's objects, collecting every error and note."""

    doc: Document
    errors: list[ContentError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    _lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, obj: Mapping[str, Any]) -> int:
        """The line where the object's id first appears, else 1."""
        key = obj.get("id")
        if not isinstance(key, str) or not key:
            return 1
        if key not in self._lines:
            at = self.doc.text.find(f'"{key}"')
            self._lines[key] = self.doc.text.count("\n", 0, at) + 1 if at >= 0 else 1
        return self._lines[key]

    def error(self, obj: Mapping[str, Any], where: str, message: str) -> None:
        self.errors.append(
            ContentError(Path(self.doc.name), self.line_of(obj), f"{where}: {message}")
        )

    def note(self, obj: Mapping[str, Any], message: str) -> None:
        self.notes.append(Note(self.doc.name, self.line_of(obj), message))

    def get(
        self,
        obj: Mapping[str, Any],
        where: str,
        key: str,
        convert: Callable[[Any], Any],
        required: bool = True,
    ) -> Any:
        """`obj[key]` converted, or None with an error (when required or malformed)."""
        value = obj.get(key)
        if value is None:
            if required:
                self.error(obj, f"{where}.{key}", "missing")
            return None
        try:
            return convert(value)
        except Invalid as exc:
            self.error(obj, f"{where}.{key}", str(exc))
            return None

    def text(
        self,
        obj: Mapping[str, Any],
        where: str,
        key: str,
        required: bool = True,
        line: bool = False,
    ) -> str | None:
        """A string field as the format can hold it: control characters (invisible, and refused
        by the format) are dropped with a note; `line` folds it onto one line. Empty is None."""
        value = self.get(obj, where, key, string, required)
        if value is None:
            return None
        cleaned = CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
        if cleaned != value.replace("\r\n", "\n").replace("\r", "\n"):
            self.note(obj, f"{where}.{key}: control characters dropped (invisible on a page)")
        cleaned = " ".join(cleaned.split()) if line else cleaned.strip()
        if not cleaned and required:
            self.error(obj, f"{where}.{key}", "empty")
        return cleaned or None

    def objects(self, value: Any, where: str, owner: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """A list of objects; anything else in it is an error."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(owner, where, f"expected a list, got {describe(value)}")
            return []
        good = []
        for n, item in enumerate(value):
            if isinstance(item, Mapping):
                good.append(item)
            else:
                self.error(owner, f"{where}[{n}]", f"expected an object, got {describe(item)}")
        return good


def string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise Invalid(f"expected a string, got {describe(value)}")


def choice_of(values: tuple[str, ...]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value in values:
            return str(value)
        raise Invalid(f"expected one of {', '.join(values)}, got {describe(value)}")

    return convert
