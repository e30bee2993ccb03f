"""Reading one content file: bytes to text, and a markdown file into front matter and body."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.layout import MAX_FILE_BYTES
from heliograph.content.yamltext import LineMap, parse_yaml

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")


def _unusable(code: int) -> bool:
    """Whether XML 1.0 forbids the character (feeds are XML), or it is a non-character."""
    return (
        (code < 0x20 and code not in (0x09, 0x0A, 0x0D))
        or code == 0x7F
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
        or code > 0x10FFFF
    )


def bad_reference(text: str) -> re.Match[str] | None:
    """The first numeric character reference (`&#x1b;`, `&#27;`) to an unusable character:
    a markdown renderer would show it as a replacement mark, or a feed writer would refuse it."""
    if "&#" not in text:
        return None
    for m in _REFERENCE.finditer(text):
        if _unusable(int(m.group(1), 16) if m.group(1) else int(m.group(2))):
            return m
    return None


class _NotRegular(OSError):
    """A FIFO or device where a file should be: reading it could block the build for ever."""


def _regular_only(path: str, flags: int) -> int:
    fd = os.open(path, flags | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _NotRegular(path)
    return fd


@dataclass(frozen=True)
class Document:
    """A markdown file split into its front matter and its body."""

    meta: LineMap
    body: str
    body_line: int  # the file line where the body starts


def read_text(path: Path, display: Path) -> tuple[str | None, list[ContentError]]:
    """The file's text, or one error saying why it cannot be read."""
    try:
        with open(path, "rb", opener=_regular_only) as f:
            data = f.read(MAX_FILE_BYTES + 1)  # a huge file is refused, not read whole
    except _NotRegular:
        return None, [ContentError(display, 1, "not a regular file; an update is a text file")]
    except OSError as exc:
        return None, [ContentError(display, 1, f"cannot read file: {exc.strerror}")]
    if len(data) > MAX_FILE_BYTES:
        return None, [
            ContentError(
                display,
                1,
                f"file is over {MAX_FILE_BYTES // 1000} kB, the limit for one content file "
                "(a public update is a few paragraphs); shorten it",
            )
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            ContentError(
                display,
                line,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            )
        ]


def split_front_matter(text: str, display: Path) -> tuple[Document | None, list[ContentError]]:
    """Split `---` front matter from the markdown body and parse it."""
    # Feeds are XML, which cannot carry these at all; in a page they are invisible.
    bad = CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        return None, [
            ContentError(
                display,
                line,
                f"control character U+{ord(bad.group()):04X} "
                "in the text; delete it (it is invisible in most editors)",
            )
        ]
    if (ref := bad_reference(text)) is not None:
        line = text.count("\n", 0, ref.start()) + 1
        return None, [
            ContentError(
                display,
                line,
                f"{ref.group()} stands for a character that no page, feed or API file can "
                "carry (a control character or a non-character); delete it",
            )
        ]
    if not text.strip():
        return None, [
            ContentError(
                display,
                1,
                "empty file; an update starts with front matter "
                "between '---' lines (at:, status:) and then the message",
            )
        ]
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip() != "---":
        return None, [
            ContentError(display, 1, "expected front matter: the file must start with a '---' line")
        ]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        return None, [
            ContentError(
                display, 1, "front matter is not closed: add a '---' line after the last key"
            )
        ]
    meta, errors = parse_yaml("".join(lines[1:end]), display, offset=1)
    if errors:
        return None, errors
    if meta is None:
        meta = LineMap(1)
    if not isinstance(meta, LineMap):
        return None, [
            ContentError(display, 2, "front matter must be a mapping of keys (at:, status:, ...)")
        ]
    return Document(meta, "".join(lines[end + 1 :]).strip(), end + 2), []


def load_yaml_file(path: Path, display: Path) -> tuple[Any, list[ContentError]]:
    """Read and parse a YAML file with line-aware mappings."""
    text, errors = read_text(path, display)
    if text is None:
        return None, errors
    if not text.strip():
        return None, [ContentError(display, 1, "empty file")]
    return parse_yaml(text, display)
