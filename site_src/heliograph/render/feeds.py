"""RSS 2.0 and Atom feeds (feedgen): one entry per incident or maintenance, site-wide and per
component."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from markupsafe import Markup

from heliograph import activity, derive, views
from heliograph.ids import incident_url
from heliograph.markup import plain_text, render_markdown
from heliograph.model import Content, Incident, Kind, Site
from heliograph.timefmt import human_time, iso_utc


def feed_incidents(content: Content, now: datetime, component: str | None = None
                   ) -> tuple[Incident, ...]:
    """The incidents a feed lists: newest activity first, at most `site.feed_entries`."""
    found = [i for i in derive.visible(content, now)
             if component is None or component in i.component_ids]
    found.sort(key=lambda i: (activity.latest_update(i, now), i.slug), reverse=True)
    return tuple(found[:content.site.feed_entries])


def timeline_html(site: Site, incident: Incident, now: datetime) -> str:
    """The entry's content: the sanitised timeline, newest update first, with status and time."""
    tz = site.timezone
    parts: list[str] = []
    if incident.kind is Kind.MAINTENANCE and incident.scheduled_for and incident.scheduled_until:
        parts.append(Markup("<p>Scheduled window: <time datetime=\"{}\">{}</time> to "
                            "<time datetime=\"{}\">{}</time></p>").format(
            iso_utc(incident.scheduled_for), human_time(incident.scheduled_for, tz),
            iso_utc(incident.scheduled_until), human_time(incident.scheduled_until, tz)))
    pm = incident.postmortem
    if pm and pm.at <= now:
        parts.append(Markup("<h2>Postmortem</h2>\n{}").format(Markup(render_markdown(pm.body))))
    for u in reversed(derive.updates_until(incident, now)):
        parts.append(Markup("<p><strong>{}</strong> · <time datetime=\"{}\">{}</time></p>\n{}")
                     .format(views.status_label(u.status), iso_utc(u.at), human_time(u.at, tz),
                             Markup(render_markdown(u.body))))
    return "\n".join(str(p) for p in parts)


def _entry(fg: FeedGenerator, site: Site, incident: Incident, now: datetime) -> None:
    posted = derive.updates_until(incident, now)
    url = incident_url(site, incident)
    status = derive.phase(incident, now) or posted[-1].status
    fe = fg.add_entry(order="append")
    fe.id(url)
    fe.guid(url, permalink=True)
    fe.title(incident.title)
    fe.link(href=url, rel="alternate")
    fe.published(posted[0].at.astimezone(UTC))
    fe.updated(posted[-1].at.astimezone(UTC))
    fe.summary(f"{views.status_label(status)}: {plain_text(posted[-1].body)}")
    fe.content(timeline_html(site, incident, now), type="html")


def build_feed(site: Site, incidents: Sequence[Incident], now: datetime, *, title: str,
               page_url: str, self_url: str, fallback_time: datetime) -> FeedGenerator:
    """A feed of `incidents`; its time is the newest update in it, never the clock."""
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(title)
    fg.description(f"Incidents and scheduled maintenance for {title}")
    fg.link(href=self_url, rel="self")
    fg.link(href=page_url, rel="alternate")  # after `self`: feedgen keeps the last for RSS <link>
    fg.language("en")
    fg.generator("Heliograph")
    for incident in incidents:
        _entry(fg, site, incident, now)
    newest = max((activity.latest_update(i, now) for i in incidents), default=fallback_time)
    # feedgen would stamp the wall clock here; pin both to the content so rebuilds are identical.
    fg.updated(newest.astimezone(UTC))
    fg.lastBuildDate(newest.astimezone(UTC))
    return fg


def _atom_and_rss(site: Site, incidents: Sequence[Incident], now: datetime, stem: str,
                  **kwargs: object) -> dict[str, bytes]:
    """`<stem>.atom` and `<stem>.rss`, each naming itself as its `self` link."""
    out = {}
    for ext in ("atom", "rss"):
        fg = build_feed(site, incidents, now, self_url=f"{site.url}/{stem}.{ext}", **kwargs)
        xml = fg.atom_str(pretty=True) if ext == "atom" else fg.rss_str(pretty=True)
        out[f"{stem}.{ext}"] = xml
    return out


def render_feeds(content: Content, now: datetime) -> dict[str, bytes]:
    """`history.atom|rss` for the site and `components/<id>/history.atom|rss` for each component."""
    site = content.site
    fallback = activity.site_changed(content, now) or activity.EPOCH
    out = _atom_and_rss(site, feed_incidents(content, now), now, "history",
                        title=f"{site.name} Status", page_url=f"{site.url}/",
                        fallback_time=fallback)
    for c in site.components:
        out.update(_atom_and_rss(site, feed_incidents(content, now, c.id), now,
                                 f"components/{c.id}/history",
                                 title=f"{c.name} · {site.name} Status",
                                 page_url=f"{site.url}/components/{c.id}/",
                                 fallback_time=fallback))
    return out
