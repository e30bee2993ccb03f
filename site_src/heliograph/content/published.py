"""Ids kept from another page (`incident_id`, `update_id`): each names one thing only.

An API client keys what it has seen by these ids, so two incidents (or two updates) published
under one id would be merged on its side: the load refuses them, naming both files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from heliograph.content.errors import ContentError
from heliograph.content.model import Incident

Claim = tuple[tuple[str, str], str, int]  # (("update_id", id), file, line)


def duplicate_ids(incidents: Iterable[Incident]) -> list[ContentError]:
    """Every `incident_id` or `update_id` that a second file claims again."""
    return duplicate_claims(c for incident in incidents for c in claims_of(incident))


def duplicate_claims(claims: Iterable[Claim]) -> list[ContentError]:
    """`duplicate_ids` of the incidents that made `claims`: the preview keeps each
    incident's, and reads them again only from a folder that changed."""
    errors = []
    seen: dict[tuple[str, str], str] = {}
    for key, file, line in sorted(claims, key=lambda c: (c[1], c[2])):
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


def claims_of(incident: Incident) -> tuple[Claim, ...]:
    """The ids that an incident's files claim."""
    first = incident.first
    own = (("incident_id", incident.api_id), first.file, first.line) if incident.api_id else None
    updates = tuple((("update_id", u.api_id), u.file, u.line) for u in incident.updates if u.api_id)
    return (own, *updates) if own else updates
