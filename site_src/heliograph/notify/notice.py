"""What an event says, in words every channel shares: the subject, the message, the link.

Each channel kind lays these out its own way (Block Kit, an embed, an Adaptive Card, an
e-mail); none makes up words of its own, so a subscriber reads the same on every channel. The
message is the update's markdown with anything that could run script taken out, as the API
hands it out (`render.sourcetext`), and as sanitised HTML for e-mail (`render.markup`).
"""

from __future__ import annotations

from dataclasses import dataclass

from heliograph.content.model import Kind, Site
from heliograph.content.timefmt import human_duration, human_time
from heliograph.notify import events as ev
from heliograph.render import ids
from heliograph.render.api import display_name
from heliograph.render.markup import render_markdown
from heliograph.render.sourcetext import safe_source

COLOURS = {  # Statuspage's colours for an incident's impact, and blue for maintenance
    "critical": 0xE74C3C,
    "major": 0xE67E22,
    "minor": 0xF1C40F,
    "none": 0x2ECC71,
    "maintenance": 0x3498DB,
    "resolved": 0x2ECC71,
}


@dataclass(frozen=True)
class Notice:
    """One event in words."""

    site: str  # the site's name
    headline: str  # `Identified: Publishing API errors`
    title: str  # the incident's title
    status: str  # `Identified`
    text: str  # the message as markdown
    url: str  # the incident's page
    when: str  # `10 Feb 2026, 14:32 UTC`, in the site's zone
    facts: tuple[tuple[str, str], ...]  # (`Severity`, `SEV-1 Critical`), (`Components`, ...)
    colour: int

    @property
    def html(self) -> str:
        return render_markdown(self.text)


def notice(site: Site, event: ev.Event) -> Notice:
    """The words of `event` on `site`."""
    incident = event.incident
    tz = site.timezone
    title = incident.title
    facts: list[tuple[str, str]] = []
    if incident.kind is Kind.INCIDENT and event.severity:
        label = site.severity(event.severity).label
        shown = f"{event.severity} {label}"
        if event.previous_severity:
            shown += f" (was {event.previous_severity})"
        facts.append(("Severity", shown))
    if incident.kind is Kind.MAINTENANCE and incident.scheduled_for:
        window = human_time(incident.scheduled_for, tz)
        if incident.scheduled_until:
            window += f" to {human_time(incident.scheduled_until, tz)}"
        facts.append(("Window", window))
    names = [display_name(site, cid) for cid in incident.component_ids]
    if event.component:
        names = [display_name(site, event.component)]
    if names:
        facts.append(("Components", ", ".join(names)))
    return Notice(
        site=site.name,
        headline=_headline(site, event),
        title=title,
        status=event.status_label,
        text=_text(site, event),
        url=ids.incident_url(site, incident),
        when=human_time(event.at, tz),
        facts=tuple(facts),
        colour=_colour(site, event),
    )


def _headline(site: Site, event: ev.Event) -> str:
    if event.kind == ev.COMPONENT and event.component:
        return f"{display_name(site, event.component)}: {event.status_label}"
    return f"{event.status_label}: {event.incident.title}"


def _text(site: Site, event: ev.Event) -> str:
    incident = event.incident
    if event.kind == ev.REMINDER and incident.scheduled_for:
        lead = human_duration(incident.scheduled_for - event.at)
        return (
            f"Scheduled maintenance begins in {lead}, at "
            f"{human_time(incident.scheduled_for, site.timezone)}."
        )
    if event.kind == ev.POSTMORTEM and incident.postmortem:
        return safe_source(incident.postmortem.body).strip()
    if event.kind == ev.COMPONENT and event.component and event.new_status and event.old_status:
        return (
            f"{display_name(site, event.component)} is now {event.new_status.label.lower()} "
            f"(was {event.old_status.label.lower()})."
        )
    assert event.update is not None
    return safe_source(event.update.body).strip()


def _colour(site: Site, event: ev.Event) -> int:
    if event.incident.kind is Kind.MAINTENANCE:
        return COLOURS["maintenance"]
    if event.kind == ev.POSTMORTEM or (event.update and event.update.status.value == "resolved"):
        return COLOURS["resolved"]
    if event.severity:
        return COLOURS.get(site.severity(event.severity).impact.value, COLOURS["none"])
    return COLOURS["none"]


def short(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a word, with an ellipsis (chat services cap them)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
