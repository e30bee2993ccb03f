"""`sitemap.xml` and `robots.txt`: every page's absolute URL from `site.url`, with lastmod."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from html import escape

from heliograph.content.model import Content
from heliograph.content.timefmt import iso_utc
from heliograph.state import activity, views
from heliograph.state.reuse import Memo, fresh

NOT_LISTED = frozenset({"404.html", "embed/index.html"})  # not pages a search should list


def page_url(site_url: str, path: str) -> str:
    """`incidents/x/index.html` -> `https://status.example/incidents/x/`."""
    return f"{site_url}/{path.removesuffix('index.html')}"


def last_changes(content: Content, now: datetime) -> dict[str, datetime]:
    """Newest public change per page that has its own: incident pages, component pages, and
    the archive's pages, each month's with the newest change of the incidents it lists."""
    ordered = activity.newest_by(content, now, activity.incident_changed)
    changed = {f"incidents/{slug}/index.html": t for t, slug, _ in ordered}
    # a component page changes with the newest incident naming it: the first one in `ordered`
    wanted = [c.id for c in content.site.components]
    changed.update(
        (f"components/{cid}/index.html", t)
        for cid, t in activity.newest_per_component(ordered, wanted).items()
    )
    public = [i for _, _, i in ordered]
    months = {
        f"history/{year:04d}-{month:02d}/index.html": max(
            changed[f"incidents/{i.slug}/index.html"] for i in listed
        )
        for (year, month), listed in views.by_month(public, content.site.timezone, now)
    }
    changed.update(months)
    if months:
        changed["history/index.html"] = max(months.values())
    return changed


def render_sitemap(
    content: Content, now: datetime, pages: Iterable[str], memo: Memo = fresh
) -> dict[str, bytes]:
    """The sitemap of `pages` (HTML output paths) and a robots.txt that points at it; `memo`
    may answer for a page's line, made before from the same path and time."""
    site = content.site
    changed = last_changes(content, now)
    newest = max(changed.values(), default=activity.EPOCH)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path in sorted(p for p in pages if p.endswith(".html") and p not in NOT_LISTED):
        when = changed.get(path, newest)
        lines.append(memo(("sitemap", site.url, path, when), partial(_line, site.url, path, when)))
    lines.append("</urlset>")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {site.url}/sitemap.xml\n"
    return {
        "sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8"),
        "robots.txt": robots.encode("utf-8"),
    }


def _line(site_url: str, path: str, when: datetime) -> str:
    return (
        f"  <url><loc>{escape(page_url(site_url, path))}</loc>"
        f"<lastmod>{iso_utc(when)}</lastmod></url>"
    )
