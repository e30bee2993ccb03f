"""One notify run: each channel gets, in order, every event of the window it was not yet sent.

A channel is on its own: its failure (a missing variable, a 5xx, a reset) stops that channel for
this run, with a message naming it, and the others go on; what it did not take is tried again
by the next run, since only what was delivered is in the ledger. Events older than the window
count as sent, so a first run over a long history, or a channel added today, sends nothing old;
a channel the ledger knows is owed everything since the last event it took (up to `CATCH_UP`
back), so one that was down for longer than the window loses nothing.
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

from heliograph.content.model import Channel, Content, Mail
from heliograph.notify import chat, mail, mailmsg, webhook
from heliograph.notify.delivery import Failure, post
from heliograph.notify.events import Event, events_for
from heliograph.notify.ledger import KEEP, Ledger
from heliograph.notify.notice import notice

WINDOW = timedelta(hours=1)
# How far back a channel that failed for a long while is caught up: a day of news still helps a
# subscriber; a week of it, after the receiver comes back, is a flood.
CATCH_UP = timedelta(days=1)


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
    """Send what is owed to every channel of the site; never raises for a channel's failure.

    One message at a time, recorded before the next goes: a kill repeats at most the one in
    flight (sending to channels side by side would save a few tenths of a second and make
    that several); a webhook body is made once for all the channels that get it.
    """
    channels = content.site.notify
    ledger = Ledger.read(options.ledger)  # a damaged ledger stops here, before any message
    since = {c.name: _since(ledger, c.name, now - options.window, now) for c in channels}
    owed = events_for(content, now, min(since.values(), default=now), channels)
    run = _Run(content, ledger, webhook.ApiView(content), options, environ, progress)
    try:
        for channel in channels:
            todo = [
                e
                for e in owed[channel.name]
                if e.at >= since[channel.name] and not ledger.has(channel.name, e.id)
            ]
            if todo:
                run.channel(channel, todo)
        if not options.dry_run:
            ledger.compact(now - options.window - KEEP)
    finally:
        ledger.close()
    return run.outcome


def _since(ledger: Ledger, channel: str, window_start: datetime, now: datetime) -> datetime:
    """Where a channel's owed events begin: the window's start, or earlier, back to the last
    event it took, when it has been failing for longer than the window."""
    newest = ledger.newest(channel)
    if newest is None or newest >= window_start:
        return window_start
    return max(newest, now - CATCH_UP)


@dataclass
class _Run:
    """What the channels of one run share: the ledger, the webhook bodies, the outcome."""

    content: Content
    ledger: Ledger
    view: webhook.ApiView
    options: Options
    environ: Mapping[str, str]
    progress: Progress | None
    outcome: Outcome = field(default_factory=Outcome)

    def channel(self, channel: Channel, todo: list[Event]) -> None:
        try:
            if self.options.dry_run:
                for e in todo:
                    self.done(Sent(channel, e, notice(self.content.site, e).headline))
            elif channel.mail is not None:
                self.mail(channel, channel.mail, todo)
            else:
                self.http(channel, todo)
        except Failure as exc:
            message = _redacted(str(exc), channel, self.environ)
            self.outcome.failures.append((channel, message, exc.permanent))
            self.outcome.waiting += sum(not self.ledger.has(channel.name, e.id) for e in todo)

    def done(self, sent: Sent, part: int | None = None) -> None:
        """Record `sent` (or one batch of its list) in the ledger, then report it."""
        if part is not None:
            self.ledger.record_part(sent.channel.name, sent.event.id, part)
            return
        if not self.options.dry_run:
            self.ledger.record(sent.channel.name, sent.event.id, sent.event.at)
        self.outcome.sent.append(sent)
        if self.progress:
            self.progress(sent)

    def mail(self, channel: Channel, settings: Mail, todo: list[Event]) -> None:
        site = self.content.site
        addresses = mail.recipients(settings, self.options.source, self.environ)
        envelope = parseaddr(settings.sender)[1]  # `Name <address>` is for the header
        opener = mail.OPENERS[channel.kind]
        with opener(settings, self.environ, self.options.timeout) as transport:
            for e in todo:
                n = notice(site, e)
                # CRLF line ends, as SMTP wants them (smtplib sends bytes as they are)
                data = mailmsg.build_message(site, e, n, settings).as_bytes(policy=SMTP)
                sent = Sent(channel, e, n.headline, len(addresses))
                done = self.ledger.parts_done(channel.name, e.id)
                for number, batch in enumerate(mail.batches(addresses)):
                    if number not in done:
                        transport.send(envelope, batch, data)
                        self.done(sent, number)
                self.done(sent)

    def http(self, channel: Channel, todo: list[Event]) -> None:
        url = _variable(self.environ, channel.url_env or "", "the webhook URL")
        if not url.lower().startswith(("https://", "http://")):
            raise Failure(f"the variable {channel.url_env} does not hold an http(s) URL", True)
        secret = None
        if channel.secret_env:
            secret = _variable(self.environ, channel.secret_env, "the signing secret")
        for e in todo:
            n = notice(self.content.site, e)
            body, headers = _http_body(channel, e, n, self.view, secret)
            post(url, body, headers, self.options.timeout, self.options.max_wait)
            self.done(Sent(channel, e, n.headline))


def _http_body(
    channel: Channel, e: Event, n: Any, view: webhook.ApiView, secret: str | None
) -> tuple[bytes, dict[str, str]]:
    if channel.kind != "webhook":
        return webhook.encode(chat.BUILDERS[channel.kind](n)), {}
    body = view.body(e)
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
