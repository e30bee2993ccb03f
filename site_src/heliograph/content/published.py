"""Ids kept from another page (`incident_id`, `update_id`): each names one thing only.

An API client keys what it has seen by these ids, so two incidents (or two updates) published
under one id would be merged on its side: the load refuses them, naming both files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from heliograph.content.errors import ContentError
from heliograph.content.model import Incident


def duplicate_ids(incidents: Iterable[Incident]) -> list[ContentError]:
    """Every `incident_id` or `update_id` that a second file claims again."""
    errors = []
    seen: dict[tuple[str, str], str] = {}
    for key, file, line in sorted(_claims(incidents), key=lambda c: (c[1], c[2])):
        first = seen.setdefault(key, file)
        if first != file:
            errors.append(
                ContentError(
                    Path(file),
                    line,
                    f"{key[0]} '{key[1]}' is already used by {first}; an id names one thing only",
                )
            )
    return errors


def _claims(incidents: Iterable[Incident]) -> Iterator[tuple[tuple[str, str], str, int]]:
    for incident in incidents:
        if incident.api_id:
            yield ("incident_id", incident.api_id), incident.first.file, incident.first.line
        for u in incident.updates:
            if u.api_id:
                yield ("update_id", u.api_id), u.file, u.line
