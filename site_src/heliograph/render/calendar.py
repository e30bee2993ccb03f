"""`maintenance.ics`: scheduled maintenance as an RFC 5545 calendar that subscribers can follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from heliograph.content.model import Content, Incident, Kind, Site
from heliograph.render import ids
from heliograph.render.markup import plain_text
from heliograph.state import derive
from heliograph.state.activity import is_public
from heliograph.state.reuse import Memo, fresh
from heliograph.state.views import moment

MAX_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded
Window = tuple[datetime | None, datetime | None]


def ics_time(t: datetime) -> str:
    """A UTC DATE-TIME: `20261202T050000Z`."""
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """RFC 5545 3.3.11 TEXT: backslash, semicolon, comma and newline are escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= MAX_OCTETS:
        return line  # most lines: nothing to split
    pieces: list[bytes] = []
    start, limit = 0, MAX_OCTETS
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: the character starts earlier
            cut -= 1
        pieces.append(data[start:cut])
        start, limit = cut, MAX_OCTETS - 1  # the leading space counts
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")


def window_sequence(windows: Sequence[Window]) -> int:
    """How many updates moved the window: each declared window that differs from the one before."""
    count = 0
    current: Window | None = None
    for start, end in windows:
        if start is None and end is None:
            continue  # this update did not touch the window
        if current is None:
            current = (start, end)
            continue
        moved = (start or current[0], end or current[1])
        count += moved != current
        current = moved
    return count


def declared_windows(incident: Incident) -> list[Window]:
    """The window each update stated; updates that do not restate it give (None, None)."""
    return [(u.scheduled_for, u.scheduled_until) for u in incident.updates]


def event_lines(
    site: Site, incident: Incident, window: tuple[datetime, datetime], now: datetime, host: str
) -> list[str]:
    """One VEVENT; its UID never changes and its SEQUENCE counts the reschedules."""
    posted = derive.updates_until(incident, now)
    url = ids.incident_url(site, incident)
    description = f"{plain_text(posted[-1].body)}\n\n{url}"
    return [
        "BEGIN:VEVENT",
        f"UID:{ids.incident_id(site, incident)}@{host}",
        f"DTSTAMP:{ics_time(posted[-1].at)}",
        f"CREATED:{ics_time(posted[0].at)}",
        f"LAST-MODIFIED:{ics_time(posted[-1].at)}",
        f"DTSTART:{ics_time(window[0])}",
        f"DTEND:{ics_time(window[1])}",
        f"SEQUENCE:{window_sequence(declared_windows(incident))}",
        f"SUMMARY:{escape_text(incident.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def render_calendar(content: Content, now: datetime, memo: Memo = fresh) -> dict[str, bytes]:
    """`maintenance.ics` with every scheduled maintenance public at `now`, newest window first;
    `memo` may answer for an event made before from the same incident and moment."""
    site = content.site
    host = urlsplit(site.url).hostname or "heliograph"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Heliograph//Scheduled maintenance//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(site.name + ' scheduled maintenance')}",
    ]
    out = ["".join(fold(line) + "\r\n" for line in lines)]
    for incident in content.incidents:
        start, end = incident.scheduled_for, incident.scheduled_until
        # the kind first: it is read without the updates; the loader requires both times
        if incident.kind is Kind.MAINTENANCE and start and end and is_public(incident, now):
            out.append(
                memo(
                    ("calendar event", site.url, site.name, incident, moment(incident, now)),
                    partial(_event, site, incident, (start, end), now, host),
                )
            )
    out.append("END:VCALENDAR\r\n")
    return {"maintenance.ics": "".join(out).encode("utf-8")}


def _event(
    site: Site, incident: Incident, window: tuple[datetime, datetime], now: datetime, host: str
) -> str:
    return "".join(fold(line) + "\r\n" for line in event_lines(site, incident, window, now, host))
