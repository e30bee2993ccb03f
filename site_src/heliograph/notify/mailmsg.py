"""The e-mail of an event: text and HTML, a subject a mail client sorts by, one thread per
incident.

`Message-ID` is made from the event's id, so the same update has the same id in every run; every
later message of an incident names the first in `In-Reply-To` and `References`, which is how
mail clients put one incident in one thread. `List-Unsubscribe` (RFC 2369, with RFC 8058's
one-click `List-Unsubscribe-Post` for an https address) lets the client offer the button.
"""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from html import escape
from urllib.parse import urlsplit

from heliograph.content.model import Mail, Site
from heliograph.notify import events as ev
from heliograph.notify.notice import Notice
from heliograph.render import ids


def message_id(site: Site, event_id: str) -> str:
    """`<update.kctbh9vrtdwd@status.acme.example>`: the same for the same event, always."""
    host = urlsplit(site.url).hostname or "status.invalid"
    return f"<{event_id.replace(':', '.')}@{host}>"


def thread_root(site: Site, event: ev.Event) -> str:
    """The Message-ID of the incident's first message (its first update's)."""
    first = event.incident.first
    return message_id(site, f"update:{ids.update_id(site, event.incident, first)}")


def build_message(site: Site, event: ev.Event, n: Notice, mail: Mail) -> EmailMessage:
    """The message as every recipient gets it (they are in the envelope only, never in a
    header: no subscriber sees another's address)."""
    msg = EmailMessage()
    msg["From"] = mail.sender
    msg["To"] = "undisclosed-recipients:;"
    msg["Subject"] = f"[{n.site} Status] {n.headline}"
    msg["Date"] = email.utils.format_datetime(event.at)
    msg["Message-ID"] = message_id(site, event.id)
    root = thread_root(site, event)
    if root != msg["Message-ID"]:
        msg["In-Reply-To"] = root
        msg["References"] = root
    msg["List-Id"] = f"{n.site} status <{urlsplit(site.url).hostname}>"
    if mail.unsubscribe:
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe}>"
        if mail.unsubscribe.startswith("https://"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    msg.set_content(_text(n, mail))
    msg.add_alternative(_html(n, mail), subtype="html")
    return msg


def _text(n: Notice, mail: Mail) -> str:
    lines = [n.headline, "", n.text, ""]
    lines += [f"{k}: {v}" for k, v in n.facts]
    lines += [f"Posted: {n.when}", "", f"Details: {n.url}"]
    if mail.unsubscribe:
        lines += ["", f"Unsubscribe: {mail.unsubscribe.removeprefix('mailto:')}"]
    return "\n".join(lines) + "\n"


def _html(n: Notice, mail: Mail) -> str:
    facts = "".join(
        f"<tr><th align=left>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in n.facts
    )
    unsubscribe = (
        f'<p style="color:#666;font-size:12px"><a href="{escape(mail.unsubscribe)}">'
        "Unsubscribe</a></p>"
        if mail.unsubscribe
        else ""
    )
    return (
        '<!doctype html><html><body style="font-family:sans-serif;max-width:40em">'
        f'<h1 style="font-size:20px;border-left:4px solid #{n.colour:06x};padding-left:8px">'
        f"{escape(n.headline)}</h1>{n.html}"
        f"<table>{facts}<tr><th align=left>Posted</th><td>{escape(n.when)}</td></tr></table>"
        f'<p><a href="{escape(n.url)}">View on the {escape(n.site)} status page</a></p>'
        f"{unsubscribe}</body></html>\n"
    )
