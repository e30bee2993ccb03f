"""The HTML pages: home, one per incident, the history archive, one per component, 404."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from heliograph import derive, views
from heliograph.markup import render_markdown
from heliograph.model import Content, Kind
from heliograph.theme import Theme, environment
from heliograph.timefmt import (
    clock, clock_zone, human_date, human_duration, human_time, iso_utc, month_label,
)
from heliograph.uptime import day_label, percent, site_uptime


@dataclass(frozen=True)
class PageContext:
    """What every page template may use besides its own data."""

    content: Content
    now: datetime
    theme: Theme
    base: str  # the URL path of the site root, ending in '/'

    def url(self, path: str) -> str:
        """A root-relative link to an output path (`incidents/x/` or `static/style.css`)."""
        return self.base + path.removeprefix("/")

    def absolute(self, path: str) -> str:
        return self.content.site.url + "/" + path.removeprefix("/")


def site_base(url: str) -> str:
    return urlsplit(url).path.rstrip("/") + "/"


def make_environment(ctx: PageContext) -> jinja2.Environment:
    env = environment(ctx.theme)
    tz = ctx.content.site.timezone

    def time_tag(t: datetime, style: str = "full") -> Markup:
        shown = {"full": human_time, "clock": clock, "clock_zone": clock_zone,
                 "date": human_date}[style](t, tz)
        return Markup('<time datetime="{}">{}</time>').format(iso_utc(t), shown)

    env.filters.update(
        time=time_tag, markdown=lambda s: Markup(render_markdown(s)),
        duration=human_duration, label=views.status_label, percent=percent, day=day_label,
    )
    env.globals.update(
        site=ctx.content.site, now=ctx.now, url=ctx.url, absolute=ctx.absolute,
        asset=lambda name: ctx.url(ctx.theme.url_of(name)), month_label=month_label,
        has_asset=lambda name: name in dict(ctx.theme.asset_names),
        Kind=Kind, escape=escape,
    )
    return env


def _render(env: jinja2.Environment, ctx: PageContext, path: str, template: str,
            **data: Any) -> bytes:
    canonical = ctx.absolute(path.removesuffix("index.html"))
    return env.get_template(template).render(page_path=path, canonical=canonical,
                                             **data).encode("utf-8")


def incident_pages(content: Content, now: datetime, theme: Theme,
                   incidents: Iterable[views.IncidentView]) -> dict[str, bytes]:
    """The page of each incident: a function of that incident, the site, the theme and `now`."""
    ctx = PageContext(content, now, theme, site_base(content.site.url))
    env = make_environment(ctx)
    return {f"incidents/{v.slug}/index.html": _render(
        env, ctx, f"incidents/{v.slug}/index.html", "incident.html", incident=v)
        for v in incidents}


IncidentPages = Callable[[Content, datetime, Theme, tuple[views.IncidentView, ...]],
                         dict[str, bytes]]


# (path, template, data, render) -> the page's bytes; the build cache's reuses unchanged pages.
PageMemo = Callable[[str, str, dict[str, Any], Callable[[], bytes]], bytes]


def render_pages(content: Content, now: datetime, theme: Theme,
                 incidents: IncidentPages = incident_pages, memo: PageMemo | None = None
                 ) -> dict[str, bytes]:
    """Every HTML page of the site; `incidents` makes the incident pages (the cache's may reuse)."""
    ctx = PageContext(content, now, theme, site_base(content.site.url))
    env = make_environment(ctx)
    site = content.site
    all_views = tuple(views.incident_view(content, i, now) for i in content.incidents)
    statuses = derive.component_statuses(content, now)
    blocks = views.component_blocks(content, statuses)
    uptime = site_uptime(content, now)
    out: dict[str, bytes] = {}

    def page(path: str, template: str, **data: Any) -> None:
        def make() -> bytes:
            return _render(env, ctx, path, template, **data)
        out[path] = memo(path, template, data, make) if memo else make()

    page("index.html", "index.html",
         overall=derive.overall(statuses), blocks=blocks, uptime=uptime,
         open_incidents=[v for v in all_views if v.is_open and v.kind is Kind.INCIDENT],
         active_maintenance=[v for v in all_views if v.kind is Kind.MAINTENANCE
                             and derive.is_active(v.incident, now)],
         upcoming=views.upcoming_maintenance(all_views),
         days=views.days_back(all_views, now, site.timezone, site.history_days))
    out.update(incidents(content, now, theme, all_views))
    months = views.by_month(all_views, site.timezone)
    page("history/index.html", "history.html", months=months)
    for (year, month), items in months:
        page(f"history/{year:04d}-{month:02d}/index.html", "month.html", year=year, month=month,
             incidents=[v for v in items if v.kind is Kind.INCIDENT],
             maintenance=[v for v in items if v.kind is Kind.MAINTENANCE])
    related: dict[str, list[views.IncidentView]] = {c.id: [] for c in site.components}
    for v in all_views:  # one walk, newest first as on the home page
        for c, _ in v.components:
            related[c.id].append(v)
    for block in blocks:
        for row in block.rows:
            cid = row.component.id
            page(f"components/{cid}/index.html", "component.html", row=row,
                 group=block.name, incidents=related[cid], uptime=uptime.component(cid))
    page("404.html", "404.html")
    return out
