"""`search.json`: the archive's static search index, read by the page script in the visitor's
browser (no server): each incident's title, page, start, components and public update text."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from heliograph.content.model import Content, Incident
from heliograph.content.timefmt import iso_utc
from heliograph.state import timeline
from heliograph.state.reuse import Memo, fresh
from heliograph.state.views import moment

if TYPE_CHECKING:
    from heliograph.render.pages import FragmentMemo

SEARCH_INDEX = "search.json"
TEXT_LIMIT = 280  # characters of update text per incident: enough to match, small to fetch
ENTRY = "search entry"  # what the cache keeps an incident's entry as, beside page fragments
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def render_search(
    content: Content, now: datetime, memo: Memo = fresh, kept: FragmentMemo | None = None
) -> dict[str, bytes]:
    """The index, newest incident first; its text is the markdown source as posted, the
    first TEXT_LIMIT characters of its updates, newest first. `memo` may answer for an
    incident's entry made before from the same incident and moment (the preview's), or
    `kept` (the build cache's fragments, which keep them from one build to the next)."""
    ordered = sorted(content.incidents, key=lambda i: (i.began, i.slug), reverse=True)
    if kept is not None:
        entries = [
            kept(ENTRY, moment(i, now), {"incident": i}, partial(_entry, i, now)) for i in ordered
        ]
    else:
        entries = [
            memo((ENTRY, incident, moment(incident, now)), partial(_entry, incident, now))
            for incident in ordered
        ]
    # the bytes of json.dumps of the whole list, made of entries encoded one by one
    return {SEARCH_INDEX: ("[" + ",".join(entries) + "]").encode("utf-8")}


def _entry(incident: Incident, now: datetime) -> str:
    # newest update first: what it says now is what a visitor searches for, and it is what
    # the limit keeps
    text = ""
    for n, update in enumerate(reversed(timeline.timeline(incident, now))):
        text += " " if n else ""
        if len(text) >= TEXT_LIMIT:
            break
        text += _spaced(update.body, TEXT_LIMIT - len(text))
    entry = {
        "t": incident.title,
        "u": f"incidents/{incident.slug}/",
        "d": iso_utc(incident.began),
        "c": list(incident.component_ids),
        "x": text[:TEXT_LIMIT],
    }
    return _ENCODE(entry)


def _spaced(body: str, wanted: int) -> str:
    """The body with every run of whitespace made one space, trimmed, or, when that is longer
    than `wanted` characters, a longer start of it.

    Only a start of the body is read: the index keeps TEXT_LIMIT characters, and splitting
    every update of 10,000 incidents whole cost a large site's build 0.3 s. The spacing of a
    start of the body is a start of the body's spacing (a word cut short is a start of that
    word), at most as long as that start.
    """
    size = wanted + 1
    while size < len(body):
        start = " ".join(body[:size].split())
        if len(start) > wanted:
            return start
        size *= 2
    return " ".join(body.split())
