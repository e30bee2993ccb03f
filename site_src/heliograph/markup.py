"""Markdown to safe HTML: Python-Markdown renders, nh3 keeps only an allow-list."""

from __future__ import annotations

import html
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=65536)
def render_markdown(source: str) -> str:
    """Sanitised HTML for a markdown message; raw HTML that could run script never survives."""
    # Headings in a message sit under the page's own h1/h2, so `#` starts at h2.
    html = markdown.markdown(source, extensions=["tables", "sane_lists", "toc"],
                             extension_configs={"toc": {"baselevel": 2}}, output_format="html")
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow")


def plain_text(source: str) -> str:
    """The message as text with no markup at all (for summaries and titles)."""
    return html.unescape(nh3.clean(render_markdown(source), tags=set())).strip()
