"""One notify run: each channel gets, in order, every event of the window it was not yet sent.

A channel is on its own: its failure (a missing variable, a 5xx, a reset) stops that channel for
this run, with a message naming it, and the others go on; what it did not take is tried again
by the next run, since only what was delivered is in the ledger. Events older than the window
count as sent, so a first run over a long history, or a channel added today, sends nothing old.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.policy import SMTP
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from heliograph.content.model import Channel, Content
from heliograph.notify import chat, mail, mailmsg, webhook
from heliograph.notify.delivery import Failure, post
from heliograph.notify.events import Event, events_for
from heliograph.notify.ledger import Ledger
from heliograph.notify.notice import notice

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Options:
    ledger: Path
    source: Path  # the site folder: a recipients file must lie outside it
    window: timedelta = WINDOW
    dry_run: bool = False
    timeout: float = 10.0  # seconds for one request
    max_wait: float = 30.0  # the longest `Retry-After` a run waits out


@dataclass(frozen=True)
class Sent:
    channel: Channel
    event: Event
    headline: str
    recipients: int = 0  # e-mail: how many addresses it went to


@dataclass
class Outcome:
    sent: list[Sent] = field(default_factory=list)  # or, in a dry run, what would be
    failures: list[tuple[Channel, str, bool]] = field(default_factory=list)  # message, permanent
    waiting: int = 0  # events a failed channel still owes


Progress = Callable[[Sent], None]


def notify(
    content: Content,
    now: datetime,
    options: Options,
    environ: Mapping[str, str],
    progress: Progress | None = None,
) -> Outcome:
    """Send what is owed to every channel of the site; never raises for a channel's failure."""
    channels = content.site.notify
    ledger = Ledger.read(options.ledger)  # a damaged ledger stops here, before any message
    owed = events_for(content, now, now - options.window, channels)
    outcome = Outcome()
    view = webhook.ApiView(content)
    try:
        for channel in channels:
            todo = [e for e in owed[channel.name] if not ledger.has(channel.name, e.id)]
            if not todo:
                continue
            try:
                if options.dry_run:
                    for e in todo:
                        _done(outcome, progress, Sent(channel, e, notice(content.site, e).headline))
                    continue
                _send(content, channel, todo, ledger, view, options, environ, outcome, progress)
            except Failure as exc:
                message = _redacted(str(exc), channel, environ)
                outcome.failures.append((channel, message, exc.permanent))
                outcome.waiting += sum(not ledger.has(channel.name, e.id) for e in todo)
    finally:
        ledger.close()
    return outcome


def _done(outcome: Outcome, progress: Progress | None, sent: Sent) -> None:
    outcome.sent.append(sent)
    if progress:
        progress(sent)


def _send(
    content: Content,
    channel: Channel,
    todo: list[Event],
    ledger: Ledger,
    view: webhook.ApiView,
    options: Options,
    environ: Mapping[str, str],
    outcome: Outcome,
    progress: Progress | None,
) -> None:
    site = content.site
    if channel.mail is not None:
        addresses = mail.recipients(channel.mail, options.source, environ)
        envelope = parseaddr(channel.mail.sender)[1]  # `Name <address>` is for the header
        with mail.OPENERS[channel.kind](channel.mail, environ, options.timeout) as transport:
            for e in todo:
                n = notice(site, e)
                # CRLF line ends, as SMTP wants them (smtplib sends bytes as they are)
                data = mailmsg.build_message(site, e, n, channel.mail).as_bytes(policy=SMTP)
                done = ledger.parts_done(channel.name, e.id)
                for number, batch in enumerate(mail.batches(addresses)):
                    if number not in done:
                        transport.send(envelope, batch, data)
                        ledger.record_part(channel.name, e.id, number)
                ledger.record(channel.name, e.id, e.at)
                _done(outcome, progress, Sent(channel, e, n.headline, len(addresses)))
        return
    url = _variable(environ, channel.url_env or "", "the webhook URL")
    secret = None
    if channel.secret_env:
        secret = _variable(environ, channel.secret_env, "the signing secret")
    for e in todo:
        n = notice(site, e)
        body, headers = _http_body(channel, e, n, view, secret)
        post(url, body, headers, options.timeout, options.max_wait)
        ledger.record(channel.name, e.id, e.at)
        _done(outcome, progress, Sent(channel, e, n.headline))


def _http_body(
    channel: Channel, e: Event, n: Any, view: webhook.ApiView, secret: str | None
) -> tuple[bytes, dict[str, str]]:
    if channel.kind != "webhook":
        return webhook.encode(chat.BUILDERS[channel.kind](n)), {}
    body = webhook.encode(webhook.payload(view, e))
    headers = {webhook.EVENT_HEADER: e.kind, "X-Heliograph-Event-Id": e.id}
    if secret:
        headers[webhook.SIGNATURE_HEADER] = webhook.signature(secret, int(time.time()), body)
    return body, headers


def _variable(environ: Mapping[str, str], name: str, what: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise Failure(f"the variable {name} ({what}) is not set", permanent=True)
    return value


def _redacted(message: str, channel: Channel, environ: Mapping[str, str]) -> str:
    """`message` with every secret of the channel blanked, should one have slipped in."""
    names = [channel.url_env, channel.secret_env]
    if channel.mail:
        names += [channel.mail.password_env, channel.mail.username_env]
    for name in names:
        value = environ.get(name or "")
        if name and value and len(value) >= 4:
            message = message.replace(value, f"${name}")
    return message
