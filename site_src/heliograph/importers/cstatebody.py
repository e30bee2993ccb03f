"""A cState issue's body as updates: cState marks each update with a `{{< track "time" >}}`
shortcode at its end (newest first, by convention, though real files vary), and often starts
one with a status in bold or italics (`*Investigating* -`, `**Resolved:**`).

Pure text functions; `cstate.py` decides times and statuses with the issue's front matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TRACK = re.compile(r"\{\{[<%]\s*track\s+[\"`]([^\"`]*)[\"`]\s*[>%]\}\}")
SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.DOTALL)
# A leading status: `*Investigating* -`, `**Resolved:**`, `**The issue has been resolved:**`.
MARKER = re.compile(r"\A\s*(\*\*|\*|__|_)(?P<words>[^*_\n]{1,80}?)\1\s*[:\-–—]?\s*", re.DOTALL)
HEADLINE = re.compile(r"\A(\*\*|\*|__|_)\S")  # a paragraph that opens in bold or italics
STATUS_WORDS = (  # the first word of these found in a marker says the update's status
    ("resolved", "resolved"),
    ("fixed", "resolved"),
    ("completed", "completed"),
    ("monitoring", "monitoring"),
    ("identified", "identified"),
    ("investigating", "investigating"),
    ("in progress", "in_progress"),
    ("just began", "in_progress"),
    ("scheduled", "scheduled"),
)


@dataclass(frozen=True)
class Part:
    """A piece of the body that is one update: its text, the time its track shortcode gives
    (None if it has none), the status its marker gives (None if none), and its first line."""

    text: str
    time: str | None
    status: str | None
    line: int


def marker_status(text: str) -> str | None:
    """The status a leading bold or italic marker names, if it names one."""
    match = MARKER.match(text)
    if not match:
        return None
    words = match.group("words").lower()
    found = [(words.find(w), status) for w, status in STATUS_WORDS if w in words]
    return min(found)[1] if found else None


def split(body: str, first_line: int) -> tuple[list[Part], list[tuple[int, str]]]:
    """The body's parts in file order, and the other shortcodes found (line, text), which are
    left out: they only render on a Hugo site."""
    parts: list[Part] = []
    dropped: list[tuple[int, str]] = []
    start = 0
    for match in TRACK.finditer(body):
        parts += _parts(body, start, match.start(), match.group(1).strip(), first_line, dropped)
        start = match.end()
    parts += _parts(body, start, len(body), None, first_line, dropped)
    return parts, dropped


def _parts(
    body: str,
    start: int,
    end: int,
    time: str | None,
    first_line: int,
    dropped: list[tuple[int, str]],
) -> list[Part]:
    """The text between two track shortcodes, as one part; or two, when it starts with a
    resolution that a new headline follows (`**Resolved:** ...` above `**An issue ...**`): a
    resolution added on top later, without a track of its own."""
    chunk = body[start:end]
    for match in SHORTCODE.finditer(chunk):
        dropped.append((first_line + body.count("\n", 0, start + match.start()), match.group()))
    chunk = SHORTCODE.sub(lambda m: " " * len(m.group()), chunk)  # keep offsets for lines
    pieces = [
        (m.start(), m.group())
        for m in re.finditer(r"\S(?:.*?\S)?(?=\n\s*\n|\s*\Z)", chunk, re.DOTALL)
    ]
    if not pieces:
        return []

    def line_at(offset: int) -> int:
        return first_line + body.count("\n", 0, start + offset)

    (head_at, head), rest = pieces[0], pieces[1:]
    if (
        time is not None
        and rest
        and marker_status(head) == "resolved"
        and HEADLINE.match(rest[0][1])
    ):
        tail = "\n\n".join(p for _, p in rest)
        return [
            Part(_tidy(head), None, "resolved", line_at(head_at)),
            Part(_tidy(tail), time, marker_status(tail), line_at(rest[0][0])),
        ]
    text = _tidy(chunk)
    return [Part(text, time, marker_status(text), line_at(head_at))]


def _tidy(text: str) -> str:
    """Trailing spaces off each line, blank runs folded: the message as Markdown."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
