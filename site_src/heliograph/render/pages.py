"""The HTML pages: home, one per incident, the history archive, one per component, 404."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from heliograph.content.model import Content, Incident, Kind, Site
from heliograph.content.timefmt import iso_utc
from heliograph.render.locale import Formats, html_lang, translations
from heliograph.render.markup import render_markdown
from heliograph.render.theme import Theme, environment, reads_now
from heliograph.state import derive, views
from heliograph.state.reuse import Memo, fresh
from heliograph.state.uptime import in_window, site_uptime


@dataclass(frozen=True)
class PageContext:
    """What every page template may use besides its own data."""

    site: Site  # not the whole content: Jinja's cycles keep this alive until collected
    now: datetime
    theme: Theme
    base: str  # the URL path of the site root, ending in '/'

    def url(self, path: str) -> str:
        """A root-relative link to an output path (`incidents/x/` or `static/style.css`)."""
        return self.base + path.removeprefix("/")

    def absolute(self, path: str) -> str:
        return self.site.url + "/" + path.removeprefix("/")


def site_base(url: str) -> str:
    return urlsplit(url).path.rstrip("/") + "/"


@contextmanager
def page_environment(ctx: PageContext) -> Iterator[jinja2.Environment]:
    """The Jinja environment of one rendering pass.

    An environment, its templates and their render contexts refer to each other, so only the
    cycle collector frees them, and a build pauses it. They hold the site settings and the theme
    (never the whole content: freeing 10,000 incidents by collector at exit took 0.3 s), and
    their globals are emptied after the pass so that even those go with the pass.
    """
    env = environment(ctx.theme, ctx.site.language)
    say = translations(ctx.theme, ctx.site.language).gettext
    words = Formats(ctx.site.language, ctx.site.timezone, say("under 1 min"))

    def time_tag(t: datetime, style: str = "full") -> Markup:
        shown = words.moment(t, style)
        # the script shows the same moment in the visitor's zone, in the same style
        form = "" if style == "full" else f' data-f="{style}"'
        return Markup('<time datetime="{}"{}>{}</time>').format(iso_utc(t), Markup(form), shown)

    env.filters.update(
        time=time_tag,
        markdown=lambda s: Markup(render_markdown(s)),
        duration=words.duration,
        # the generator's English words for a status, in the page's language
        label=lambda status: say(views.status_label(status)),
        percent=words.percent,
        day=words.day,
        day_brief=words.day_brief,
    )
    env.globals.update(
        site=ctx.site,
        now=ctx.now,
        # `now` under another name, for pages that show it only while the cache re-renders
        # them on every build anyway (an unresolved incident's): see incremental.pages
        built=ctx.now,
        iso=iso_utc,
        url=ctx.url,
        absolute=ctx.absolute,
        asset=lambda name: ctx.url(ctx.theme.url_of(name)),
        month_label=words.month,
        lang=html_lang(ctx.site.language),
        has_asset=lambda name: name in dict(ctx.theme.asset_names),
        Kind=Kind,
        escape=escape,
    )
    try:
        yield env
    finally:
        env.globals.clear()
        env.filters.clear()


def _render(
    env: jinja2.Environment, ctx: PageContext, path: str, template: str, **data: Any
) -> bytes:
    canonical = ctx.absolute(path.removesuffix("index.html"))
    return (
        env.get_template(template)
        .render(page_path=path, canonical=canonical, **data)
        .encode("utf-8")
    )


def incident_pages(
    content: Content, now: datetime, theme: Theme, incidents: Iterable[Incident]
) -> dict[str, bytes]:
    """The page of each incident: a function of that incident, the site, the theme and `now`."""
    ctx = PageContext(content.site, now, theme, site_base(content.site.url))
    with page_environment(ctx) as env:
        return {
            f"incidents/{i.slug}/index.html": _render(
                env,
                ctx,
                f"incidents/{i.slug}/index.html",
                "incident.html",
                incident=views.incident_view(content, i, now),
            )
            for i in incidents
        }


def compile_all(site: Site, now: datetime, theme: Theme) -> None:
    """Compile every template of the theme, as a pass would: an error in one that no page of
    this pass renders (the preview renders incident pages when asked) is raised now."""
    ctx = PageContext(site, now, theme, site_base(site.url))
    with page_environment(ctx) as env:
        for name, _, _ in theme.templates:
            if name.endswith(".html"):
                env.get_template(name)


# (template, moment or "", data, render) -> the fragment; the build cache's keeps fragments
FragmentMemo = Callable[[str, str, dict[str, Any], Callable[[], str]], str]


def _fragment(
    env: jinja2.Environment,
    ctx: PageContext,
    reuse: Memo,
    reads: Callable[[str], bool],
    fragments: FragmentMemo | None,
    template: str,
    **data: Any,
) -> Markup:
    """`fragment(template, **data)` in a page: the template rendered with `data` alone.

    A long page made of parts (the archive, a month at a time) is made again from the parts
    that changed: `reuse` may answer for a part rendered before from the same data, settings,
    theme and, if the part reads it (`reads`: the theme's `reads_now`), moment; without it,
    `fragments` may (the build cache's, which keeps them from one build to the next).
    """

    def make() -> Markup:
        return Markup(env.get_template(template).render(**data))

    when = ctx.now.isoformat() if reads(template) else ""
    if reuse is fresh:
        return make() if fragments is None else Markup(fragments(template, when, data, make))
    key = ("fragment", template, ctx.site, ctx.theme, when, tuple(sorted(data.items())))
    try:
        hash(key)
    except TypeError:  # a list, say: made every time
        return make()
    made: Markup = reuse(key, make)
    return made


IncidentPages = Callable[[Content, datetime, Theme, tuple[Incident, ...]], dict[str, bytes]]


# (path, template, data, render) -> the page's bytes; the build cache's reuses unchanged pages.
PageMemo = Callable[[str, str, dict[str, Any], Callable[[], bytes]], bytes]

COMPONENT_RECENT = 50  # incidents listed on a component page, as many as its feeds carry


def render_pages(
    content: Content,
    now: datetime,
    theme: Theme,
    incidents: IncidentPages = incident_pages,
    memo: PageMemo | None = None,
    reuse: Memo = fresh,
    fragments: FragmentMemo | None = None,
) -> dict[str, bytes]:
    """Every HTML page of the site; `incidents` makes the incident pages (the cache's may reuse).

    Page data names incidents, not their views: a view is made only for a page that is
    rendered, so a build that reuses most pages does not derive the whole history. `reuse`
    may answer for a view or a fragment made before from the same inputs (the preview's),
    `fragments` for a fragment (the build cache's).
    """
    ctx = PageContext(content.site, now, theme, site_base(content.site.url))
    with page_environment(ctx) as env:
        site = content.site
        view = views.Viewer(content, now, None if reuse is fresh else reuse)
        # a fragment is rendered many times a page: its template is read for `now` once a pass
        reads = cache(partial(reads_now, theme))
        env.globals["fragment"] = partial(_fragment, env, ctx, reuse, reads, fragments)
        statuses = derive.component_statuses(content, now)
        blocks = views.component_blocks(content, statuses)
        uptime = (
            site_uptime(content, now)
            if reuse is fresh  # else the days reused while no incident in the window changed
            else reuse(
                ("uptime", site, now, window := in_window(content, now)),
                partial(site_uptime, content, now, reuse, window),  # and each component's
            )
        )
        out: dict[str, bytes] = {}

        def page(path: str, template: str, **data: Any) -> None:
            def make() -> bytes:
                return _render(env, ctx, path, template, **view.shown(data))

            out[path] = memo(path, template, data, make) if memo else make()

        # without a final posted status: the only ones that can be open, in progress or upcoming
        live = [view(i) for i in content.not_closed]
        # the oldest day shown began at most `history_days` days ago, give or take a clock change
        since = now - timedelta(days=site.history_days, hours=2)
        overall = derive.overall(content, now, statuses)
        open_incidents = [v.incident for v in live if v.is_open and v.kind is Kind.INCIDENT]
        page(
            "index.html",
            "index.html",
            overall=overall,
            blocks=blocks,
            uptime=uptime,
            open_incidents=open_incidents,
            active_maintenance=[
                v.incident
                for v in live
                if v.kind is Kind.MAINTENANCE and derive.is_active(v.incident, now)
            ],
            upcoming=tuple(v.incident for v in views.upcoming_maintenance(tuple(live))),
            days=views.days_back(content.began_since(since), now, site.timezone, site.history_days),
        )
        out.update(incidents(content, now, theme, content.incidents))
        months = [
            (
                ym,
                tuple([i for i in items if i.kind is Kind.INCIDENT]),
                tuple([i for i in items if i.kind is Kind.MAINTENANCE]),
            )
            for ym, items in views.by_month(content.incidents, site.timezone, now)
        ]
        page("history/index.html", "history.html", months=tuple(months), components=site.components)
        for (year, month), found, maintenance in months:
            page(
                f"history/{year:04d}-{month:02d}/index.html",
                "month.html",
                year=year,
                month=month,
                incidents=found,
                maintenance=maintenance,
            )
        related = views.first_per_component(
            content.incidents, COMPONENT_RECENT + 1, [c.id for c in site.components]
        )
        for block in blocks:
            for row in block.rows:
                cid = row.component.id
                page(
                    f"components/{cid}/index.html",
                    "component.html",
                    row=row,
                    group=block.name,
                    incidents=related[cid][:COMPONENT_RECENT],
                    older=len(related[cid]) > COMPONENT_RECENT,
                    uptime=uptime.component(cid),
                )
        page("404.html", "404.html")
        # for other sites: a script that reads the API, and a page for an iframe
        page("embed/index.html", "embed.html", overall=overall, open_incidents=open_incidents)
        page("embed.js", "embed.js")
        return out
