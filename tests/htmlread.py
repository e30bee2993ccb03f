"""Reading built pages the way a visitor sees them: text content, by CSS-like XPath."""

from __future__ import annotations

from pathlib import Path

import lxml.html


def page(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / rel).read_bytes())


def texts(root: lxml.html.HtmlElement, xpath: str) -> list[str]:
    """The visible text of each matching element, whitespace collapsed."""
    return [" ".join(el.text_content().split()) for el in root.xpath(xpath)]


def cls(name: str) -> str:
    """XPath predicate for an element having class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
