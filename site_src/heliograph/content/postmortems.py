"""The postmortem template's placeholders: the drafting side writes them, the loading side
refuses to publish a postmortem that still holds one (a draft keeps `draft: true`)."""

from __future__ import annotations

ROOT_CAUSE = "_Describe what caused the incident and why it was not caught earlier._"
RESOLUTION = "_Describe what fixed it and how we confirmed the fix._"
ACTION_ITEMS = (
    "_What we will change so that this does not happen again, with an owner for each item._"
)
LESSONS = "_What went well, what went badly, and where we were lucky._"
PLACEHOLDERS = (ROOT_CAUSE, RESOLUTION, ACTION_ITEMS, LESSONS)


def placeholder_lines(body: str) -> list[tuple[int, str]]:
    """(0-based line in `body`, placeholder) for each line that still holds one."""
    found = []
    for n, line in enumerate(body.splitlines()):
        for placeholder in PLACEHOLDERS:
            if placeholder.strip("_") in line:
                found.append((n, placeholder.strip("_")))
    return found
