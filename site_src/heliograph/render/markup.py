"""Markdown to safe HTML: markdown-it-py renders (CommonMark), nh3 keeps only an allow-list.

markdown-it-py parses in time linear in the message's length and bounds nesting, so no message
can hang or crash a build (Python-Markdown took over a minute on 20 KB of `[`, and overflowed
the stack on runs of `*`); `content` bounds each message's length.
"""

from __future__ import annotations

import html
import re
from collections.abc import MutableMapping
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

ALLOWED_TAGS = frozenset(
    "p br hr strong em b i code pre blockquote ul ol li a h2 h3 h4 h5 h6 table thead tbody tr th "
    "td del sup sub".split()
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
_DEAD_LINK = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)


# Rendered messages kept beyond this process, source -> HTML: a memo the build may attach (the
# build cache's), which rendering only reads and adds to; without one, messages are rendered.
_memo: MutableMapping[str, str] | None = None
_parser: MarkdownIt | None = None


def attach_memo(memo: MutableMapping[str, str] | None) -> None:
    """Answer `render_markdown` from `memo` first, and add what is rendered to it."""
    global _memo
    _memo = memo
    render_markdown.cache_clear()


def attached_memo() -> MutableMapping[str, str] | None:
    return _memo


@lru_cache(maxsize=65536)
def render_markdown(source: str) -> str:
    """Sanitised HTML for a markdown message; raw HTML that could run script never survives."""
    if _memo is not None and (kept := _memo.get(source)) is not None:
        return kept
    html = _render(source)
    if _memo is not None:
        _memo[source] = html
    return html


def _shift_headings(state: StateCore) -> None:
    """Headings in a message sit under the page's own h1 and h2, so `#` starts at h2."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def parser() -> MarkdownIt:
    """CommonMark with tables; raw HTML is parsed as such and left to nh3 to clean."""
    global _parser
    if _parser is None:  # made once: building one costs more than most messages do
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("commonmark", {"xhtmlOut": False}).enable("table")
        _parser.core.ruler.push("shift_headings", _shift_headings)
    return _parser


def _render(source: str) -> str:
    html = parser().render(source)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
    )
    # nh3 drops a refused href but keeps the link; a link to nowhere is invalid HTML, so
    # only its text stays (links cannot nest, so the first </a> closes it).
    return _DEAD_LINK.sub(r"\1", clean).rstrip("\n")


def plain_text(source: str) -> str:
    """The message as text with no markup at all (for summaries and titles)."""
    return html.unescape(nh3.clean(render_markdown(source), tags=set())).strip()
