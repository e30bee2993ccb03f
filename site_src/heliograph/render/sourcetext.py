"""An update's markdown source as the API hands it to clients: the author's text as written
(paragraphs, emphasis, link targets), with everything that could run script taken out.

Statuspage returns an update's body as its author typed it, and clients render it as markdown,
as text, or as HTML. So, in two passes over the text:

- raw HTML goes: comments, processing instructions, CDATA, `<script>` and `<style>` with their
  content, and every tag but a line break `<br>` (its text stays). A `<` is kept only
  where no tag can start (`a < b`, `<5 ms`) or as an autolink to an http(s) or mailto address
  (or an e-mail address); an autolink to any other scheme keeps its text, without the brackets;
- then, in what is left (taking a tag out can join the pieces of a link), a link, image or link
  definition whose target has a scheme other than http, https or mailto (`javascript:`,
  `data:`, however it is spelled with entities, escapes or blanks) no longer parses as one: a
  backslash goes before its `(` or `:`, and its text is shown as written.

Neither pass looks back, so each takes time in proportion to the text, however hostile.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_LINK_MARK = re.compile(r"\]\(|\]:")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}):([^\s<>]*)>")
_EMAIL = re.compile(
    r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>"
)
_WITH_CONTENT = re.compile(r"<(script|style)(?![A-Za-z0-9-])", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
# Constructs that end with a marker of their own rather than at the next '>'.
_ENDS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"))
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
LOOK = 256  # characters of a link target read to find its scheme, entities included


@lru_cache(maxsize=65536)
def safe_source(source: str) -> str:
    """The message's markdown source, safe to hand to any client (see the module's doc)."""
    return _safe_links(_without_html(source)).strip()


def _without_html(source: str) -> str:
    """The text with every raw HTML construct taken out (the first pass)."""
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()  # end markers known to be missing from the rest of the text
    while (at := source.find("<", pos)) >= 0:
        out.append(source[pos:at])
        kept, pos = _angle(source, at, unclosed)
        out.append(kept)
    out.append(source[pos:])
    return "".join(out)


def _safe_links(text: str) -> str:
    """The text with every link to an unsafe target broken (the second pass)."""
    return _LINK_MARK.sub(
        lambda m: m.group() if _safe_target(text, m.end()) else f"]\\{m.group()[1]}", text
    )


def _find(text: str, end: str, start: int, unclosed: set[str]) -> int:
    """`text.find(end, start)`, remembering a miss: the scan only goes forward, so a marker
    missing once is missing for the rest of it (and a hostile text is read once, not again
    for each of its `<`)."""
    if end in unclosed:
        return -1
    found = text.find(end, start)
    if found < 0:
        unclosed.add(end)
    return found


def _angle(text: str, at: int, unclosed: set[str]) -> tuple[str, int]:
    """What is kept of the `<` at `at`, and where the scan goes on."""
    after = text[at + 1 : at + 2]
    if after == "<":
        return "", at + 1  # so that no tag can be formed from what is left around it
    if not _TAG_START.match(text, at):
        return "<", at + 1  # `a < b`: no tag starts here, and what follows is kept as it is
    for opening, closing in _ENDS:
        if text.startswith(opening, at):
            found = _find(text, closing, at + len(opening), unclosed)
            # unclosed, it is no construct once its `<` is gone, and its text is harmless
            return "", at + 1 if found < 0 else found + len(closing)
    if (m := _WITH_CONTENT.match(text, at)) is not None:
        tag = re.compile(rf"</{m.group(1)}(?![A-Za-z0-9-])", re.I).search(text, m.end())
        gt = -1 if tag is None else _find(text, ">", tag.end(), unclosed)
        return "", len(text) if gt < 0 else gt + 1
    if (m := _AUTOLINK.match(text, at)) is not None:
        if m.group(1).lower() in SAFE_SCHEMES:
            return m.group(), m.end()
        return f"{m.group(1)}:{m.group(2)}", m.end()
    if (m := _EMAIL.match(text, at)) is not None:
        return m.group(), m.end()
    if (m := _BREAK.match(text, at)) is not None:
        return m.group(), m.end()  # harmless, and Statuspage's own bodies carry it
    close = _find(text, ">", at, unclosed)
    return "", at + 1 if close < 0 else close + 1


def _safe_target(text: str, start: int) -> bool:
    """Whether the link target starting at `start` has no scheme, or a safe one."""
    target = text[start : start + LOOK]
    if ":" not in target and "&" not in target:
        return True  # no scheme, however it is spelled: the usual case, told fast
    # as a browser reads it: entities decoded, escapes and blanks gone, in lower case
    plain = _BLANKS.sub("", _ESCAPE.sub(r"\1", html.unescape(target))).lower().lstrip("<")
    m = _SCHEME.match(plain)
    return m is None or m.group(1) in SAFE_SCHEMES
