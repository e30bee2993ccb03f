"""RSS 2.0 and Atom feeds (feedgen): one entry per incident or maintenance, site-wide and per
component."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from feedgen.feed import FeedGenerator
from markupsafe import escape

from heliograph.content.model import Content, Incident, Kind, Site
from heliograph.content.timefmt import human_time, iso_utc
from heliograph.render.ids import incident_url
from heliograph.render.markup import plain_text, render_markdown
from heliograph.state import activity, derive, timeline, views
from heliograph.state.reuse import Memo, fresh
from heliograph.state.views import moment


@dataclass(frozen=True)
class Entry:
    """One feed entry, worked out once and shared by every feed that lists the incident."""

    url: str  # the incident page: the entry's permanent id and its link
    title: str
    published: datetime
    updated: datetime
    summary: str
    content: str


def timeline_html(site: Site, incident: Incident, now: datetime) -> str:
    """The entry's content: the sanitised timeline, newest update first, with status and time."""
    tz = site.timezone
    parts: list[str] = []
    if incident.kind is Kind.MAINTENANCE and incident.scheduled_for and incident.scheduled_until:
        parts.append(
            f"<p>Scheduled window: {_time_html(incident.scheduled_for, tz)} to "
            f"{_time_html(incident.scheduled_until, tz)}</p>"
        )
    pm = incident.postmortem
    if pm and pm.at <= now:
        parts.append(f"<h2>Postmortem</h2>\n{render_markdown(pm.body)}")
    for u in reversed(timeline.timeline(incident, now)):
        parts.append(
            f"<p><strong>{escape(views.status_label(u.status))}</strong> · "
            f"{_time_html(u.at, tz)}</p>\n{render_markdown(u.body)}"
        )
    return "\n".join(parts)


def _time_html(t: datetime, tz: str) -> str:
    """`<time datetime="...">...</time>`; markupsafe's escape() in f-strings, not
    Markup.format, because it writes the same markup at a fifth of the cost."""
    return f'<time datetime="{escape(iso_utc(t))}">{escape(human_time(t, tz))}</time>'


def make_entry(site: Site, incident: Incident, now: datetime) -> Entry:
    """The entry for one incident as the feeds show it at `now`."""
    shown = timeline.timeline(incident, now)
    return Entry(
        url=incident_url(site, incident),
        title=incident.title,
        published=shown[0].at.astimezone(UTC),
        updated=shown[-1].at.astimezone(UTC),
        # the newest update's status is the incident's, the clock's included
        summary=f"{views.status_label(shown[-1].status)}: {plain_text(shown[-1].body)}",
        content=timeline_html(site, incident, now),
    )


def build_feed(
    entries: Sequence[Entry],
    *,
    title: str,
    author: str,
    page_url: str,
    self_url: str,
    fallback_time: datetime,
    status: str,
    rss: bool = False,
) -> FeedGenerator:
    """A feed of `entries`, described with the current `status`; its time is the newest update
    in it, never the clock."""
    # RSS readers treat <title> and <description> as HTML (RSS Best Practices Profile), so
    # their plain text is entity-encoded there; Atom marks the same text as type "text".
    text = html.escape if rss else str
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(text(title))
    fg.description(
        text(f"Incidents and scheduled maintenance for {title}. Current status: {status}.")
    )
    fg.link(href=self_url, rel="self")
    fg.link(href=page_url, rel="alternate")  # after `self`: feedgen keeps the last for RSS <link>
    fg.author({"name": author})  # RFC 4287 4.1.1: a feed without entry authors needs one
    fg.language("en")
    fg.generator("Heliograph")
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(e.url)
        fe.guid(e.url, permalink=True)
        fe.title(text(e.title))
        fe.link(href=e.url, rel="alternate")
        fe.published(e.published)
        fe.updated(e.updated)
        fe.summary(text(e.summary))
        fe.content(e.content, type="html")
    newest = max((e.updated for e in entries), default=fallback_time.astimezone(UTC))
    # feedgen would stamp the wall clock here; pin both to the content so rebuilds are identical.
    fg.updated(newest)
    fg.lastBuildDate(newest)
    return fg


def _atom_and_rss(
    site_url: str, entries: Sequence[Entry], stem: str, memo: Memo = fresh, **kwargs: Any
) -> dict[str, bytes]:
    """`<stem>.atom` and `<stem>.rss`, each naming itself as its `self` link."""
    out = {}
    for ext in ("atom", "rss"):

        def make(ext: str = ext) -> bytes:
            fg = build_feed(
                entries, self_url=f"{site_url}/{stem}.{ext}", rss=ext == "rss", **kwargs
            )
            return fg.atom_str(pretty=True) if ext == "atom" else fg.rss_str(pretty=True)

        key = ("feed", site_url, stem, ext, tuple(entries), tuple(sorted(kwargs.items())))
        out[f"{stem}.{ext}"] = memo(key, make)
    return out


def render_feeds(content: Content, now: datetime, memo: Memo = fresh) -> dict[str, bytes]:
    """`history.atom|rss` for the site and `components/<id>/history.atom|rss` for each component;
    `memo` may answer for an entry, or a whole feed, made from the same inputs before."""
    site = content.site
    ordered = activity.newest_first(content, now)
    # the site's feed lists the first incidents of all, each component's those naming it
    lists = views.first_per_component(
        ordered, site.feed_entries, [c.id for c in site.components], everything=True
    )
    entries: dict[str, Entry] = {}
    for i in (i for found in lists.values() for i in found if i.slug not in entries):
        key = ("feed entry", site.url, site.timezone, i, moment(i, now))
        entries[i.slug] = memo(key, partial(make_entry, site, i, now))  # once for every feed
    # an empty feed is stamped with the site's newest update: the first in `ordered`
    fallback = activity.latest_update(ordered[0], now) if ordered else activity.EPOCH
    statuses = derive.component_statuses(content, now)
    out = _atom_and_rss(
        site.url,
        [entries[i.slug] for i in lists[None]],
        "history",
        title=f"{site.name} Status",
        author=site.name,
        page_url=f"{site.url}/",
        memo=memo,
        fallback_time=fallback,
        status=derive.overall(content, now, statuses).description,  # the banner's very words
    )
    for c in site.components:
        out.update(
            _atom_and_rss(
                site.url,
                [entries[i.slug] for i in lists[c.id]],
                f"components/{c.id}/history",
                title=f"{c.name} · {site.name} Status",
                author=site.name,
                page_url=f"{site.url}/components/{c.id}/",
                memo=memo,
                fallback_time=fallback,
                status=views.status_label(statuses[c.id]),
            )
        )
    return out
