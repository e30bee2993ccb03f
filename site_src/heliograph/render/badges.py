"""SVG status badges in the familiar shields.io "flat" style, with an accessible title."""

from __future__ import annotations

from datetime import datetime
from html import escape

from heliograph.content.model import ComponentStatus, Content
from heliograph.state import derive, views

COLOURS = {
    ComponentStatus.OPERATIONAL: "#4c1",
    ComponentStatus.UNDER_MAINTENANCE: "#007ec6",
    ComponentStatus.DEGRADED_PERFORMANCE: "#dfb317",
    ComponentStatus.PARTIAL_OUTAGE: "#fe7d37",
    ComponentStatus.MAJOR_OUTAGE: "#e05d44",
}
LABEL_COLOUR = "#555"
# Approximate advance widths of 11px Verdana, as shields sizes its boxes; no font is read,
# so every machine draws the same badge.
NARROW, WIDE, CAPITAL, DEFAULT = 3.9, 10.7, 8.0, 6.9
NARROW_CHARS = frozenset("fijlrtI!|.,:;'`()[]{} -")
WIDE_CHARS = frozenset("mwMW@%")
PADDING = 10

SVG = "\n".join(
    (
        '<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        'aria-label="{title}">',
        "<title>{title}</title>",
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
        '<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>',
        '<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="{label_colour}"/>'
        '<rect x="{lw}" width="{mw}" height="20" fill="{colour}"/>'
        '<rect width="{width}" height="20" fill="url(#s)"/></g>',
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="11">',
        '<text aria-hidden="true" x="{lx}" y="15" fill="#010101" fill-opacity=".3">{label}</text>'
        '<text x="{lx}" y="14">{label}</text>',
        '<text aria-hidden="true" x="{mx}" y="15" fill="#010101" fill-opacity=".3">{message}</text>'
        '<text x="{mx}" y="14">{message}</text>',
        "</g>",
        "</svg>",
        "",
    )
)


def text_width(text: str) -> int:
    """The drawn width of `text` in pixels, rounded up."""
    total = sum(
        NARROW
        if ch in NARROW_CHARS
        else WIDE
        if ch in WIDE_CHARS
        else CAPITAL
        if ch.isupper()
        else DEFAULT
        for ch in text
    )
    return int(total + 0.999)


def badge(label: str, message: str, colour: str) -> bytes:
    """A two-part badge; both texts are XML-escaped wherever they appear."""
    lw, mw = text_width(label) + PADDING, text_width(message) + PADDING
    svg = SVG.format(
        width=lw + mw,
        lw=lw,
        mw=mw,
        lx=f"{lw / 2:.1f}",
        mx=f"{lw + mw / 2:.1f}",
        label=escape(label),
        message=escape(message),
        title=escape(f"{label}: {message}"),
        colour=colour,
        label_colour=LABEL_COLOUR,
    )
    return svg.encode("utf-8")


def render_badges(content: Content, now: datetime) -> dict[str, bytes]:
    """`badges/status.svg` for the whole site and `badges/<component>.svg` for each component."""
    statuses = derive.component_statuses(content, now)
    rollup = derive.overall(content, now, statuses)
    out = {"badges/status.svg": badge(content.site.name, rollup.description, COLOURS[rollup.worst])}
    for c in content.site.components:
        status = statuses[c.id]
        out[f"badges/{c.id}.svg"] = badge(c.name, views.status_label(status), COLOURS[status])
    return out
