"""Markdown to safe HTML: Python-Markdown renders, nh3 keeps only an allow-list."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import MutableMapping
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "del",
        "sup",
        "sub",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
_DEAD_LINK = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)


# Rendered messages kept beyond this process, source -> HTML: a memo the build may attach (the
# build cache's), which rendering only reads and adds to; without one, messages are rendered.
_memo: MutableMapping[str, str] | None = None
_local = threading.local()


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


def _render(source: str) -> str:
    converter = getattr(_local, "converter", None)
    if converter is None:  # building a converter costs more than most messages do
        # Headings in a message sit under the page's own h1/h2, so `#` starts at h2.
        converter = _local.converter = markdown.Markdown(
            extensions=["tables", "sane_lists", "toc"],
            extension_configs={"toc": {"baselevel": 2}},
            output_format="html",
        )
    html = converter.reset().convert(source)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
    )
    # nh3 drops a refused href but keeps the link; a link to nowhere is invalid HTML, so
    # only its text stays (links cannot nest, so the first </a> closes it).
    return _DEAD_LINK.sub(r"\1", clean)


def plain_text(source: str) -> str:
    """The message as text with no markup at all (for summaries and titles)."""
    return html.unescape(nh3.clean(render_markdown(source), tags=set())).strip()


# What a message may hold and still be published as its own source: tags without attributes
# from the allow-list (`<br />`, as Statuspage's own bodies carry line breaks), and no link to
# a scheme that runs code. Anything else that an HTML parser would read as markup is refused.
_MARKUP = re.compile(r"<[A-Za-z/!?]")
_PLAIN_TAG = re.compile(
    r"</?(?:" + "|".join(sorted(ALLOWED_TAGS - {"a"})) + r")\s*/?>", re.IGNORECASE
)
_CODE_SCHEME = re.compile(r"(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def source_text(source: str) -> str:
    """The message as the Statuspage API carries it: the text as written (so a message
    imported from Statuspage is published unchanged), unless it holds HTML beyond plain
    tags or a link that could run script; then its plain text, which holds no markup."""
    rest = _PLAIN_TAG.sub("", source)
    if _MARKUP.search(rest) or _CODE_SCHEME.search(rest):
        return plain_text(source)
    return source
