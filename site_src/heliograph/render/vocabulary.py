"""The generator's own English words that pages show through the theme's catalogs: status
names, incident phases and the site-wide descriptions. Templates translate them as values
(`_(u.label)`), which extraction cannot see, so they are listed here for `pybabel extract`."""

from __future__ import annotations


def _(message: str) -> str:
    """Marks `message` for extraction; the page translates it when it is shown."""
    return message


WORDS = (
    # component statuses (state.views.status_label)
    _("Operational"),
    _("Degraded performance"),
    _("Partial outage"),
    _("Major outage"),
    _("Under maintenance"),
    # incident and maintenance phases
    _("Investigating"),
    _("Identified"),
    _("Monitoring"),
    _("Resolved"),
    _("Scheduled"),
    _("In progress"),
    _("Verifying"),
    _("Completed"),
    # the site-wide status (state.derive), as Statuspage words it
    _("All Systems Operational"),
    _("Service Under Maintenance"),
    _("Partially Degraded Service"),
    _("Partial System Outage"),
    _("Major System Outage"),
    # a duration too short to count (render.locale.Formats.duration)
    _("under 1 min"),
)
