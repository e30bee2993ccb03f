"""The content as it stood at a chosen moment: what a build `--now` a past time shows.

Updates and postmortems record when they went public, so the site as it was at `t` is the
content without those dated after `t` (and without the incidents that had no update yet), as
if the repository were checked out as it stood then.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from heliograph.content.model import Content, Incident, newest_first

# The loader's `now` for content read to be cut at a moment: no time in it is "in the future".
LATEST = datetime.max.replace(tzinfo=UTC)


def published(content: Content, t: datetime) -> Content:
    """`content` as it stood at `t`; `content` itself when nothing in it is later."""
    newest = content.newest_update  # asked again by the renderers: of the same object, then
    postmortem = content.newest_postmortem
    if newest is None or (newest <= t and (postmortem is None or postmortem <= t)):
        return content  # at once, as the preview asks at every save: no incident is cut
    kept: list[Incident] = []
    changed = False
    for incident in content.incidents:
        then = incident_at(incident, t)
        changed = changed or then is not incident
        if then is not None:
            kept.append(then)
    if not changed:
        return content
    return replace(content, incidents=tuple(newest_first(kept)))


def incident_at(incident: Incident, t: datetime) -> Incident | None:
    """The incident as it stood at `t`, or None if it had no public update yet."""
    pm = incident.postmortem
    if incident.updates[-1].at <= t and (pm is None or pm.at <= t):
        return incident  # the usual case: nothing in it is later
    updates = tuple(u for u in incident.updates if u.at <= t)
    if not updates:
        return None
    # the window as the updates public by then stated it
    starts = [u.scheduled_for for u in updates if u.scheduled_for]
    ends = [u.scheduled_until for u in updates if u.scheduled_until]
    return replace(
        incident,
        updates=updates,
        postmortem=pm if pm is not None and pm.at <= t else None,
        scheduled_for=starts[-1] if starts else None,
        scheduled_until=ends[-1] if ends else None,
    )
