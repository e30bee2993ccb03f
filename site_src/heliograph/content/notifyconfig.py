"""The `notify:` list of `components.yaml`: the channels `heliograph notify` tells of events.

    notify:
      - name: ops-slack                  # a name of your own, used in the ledger and messages
        kind: slack                      # slack | discord | teams | webhook | smtp | ses
        url_env: SLACK_WEBHOOK_URL       # the variable that holds the webhook URL
        severities: [SEV-1, SEV-2]       # optional filters: severities, components, kinds
      - name: partners
        kind: webhook
        url_env: PARTNER_WEBHOOK_URL
        secret_env: PARTNER_WEBHOOK_SECRET   # HMAC-SHA256 signing secret
      - name: customers
        kind: smtp
        from: Acme Status <status@acme.example>
        host: smtp.acme.example
        username_env: SMTP_USER
        password_env: SMTP_PASSWORD
        recipients_env: STATUS_SUBSCRIBERS
        unsubscribe: https://acme.example/unsubscribe

A secret is never a value here, only the name of the variable that holds it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.model import CHANNEL_KINDS, HTTP_KINDS, MAIL_KINDS, Channel, Kind, Mail
from heliograph.content.schema import (
    Field,
    Invalid,
    check_mapping,
    describe,
    duration_or_off,
    identifier,
    integer,
    matching,
    optional_text,
    text,
)
from heliograph.content.yamltext import LineMap, node_line

# A variable name, as a shell writes it: a secret's value never stands in the file.
env_name = matching(r"[A-Za-z_][A-Za-z0-9_]{0,127}", "the name of an environment variable")
_KIND_NAMES = {"incidents": Kind.INCIDENT, "maintenance": Kind.MAINTENANCE}


def _names(convert: Any) -> Any:
    def names(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise Invalid(f"expected a list such as [a, b], got {describe(value)}")
        return tuple(convert(v) for v in value)

    return names


def _kinds(value: Any) -> tuple[Kind, ...]:
    found = _names(text)(value)
    wrong = [k for k in found if k not in _KIND_NAMES]
    if wrong:
        raise Invalid(f"expected incidents or maintenance, got {describe(wrong[0])}")
    return tuple(_KIND_NAMES[k] for k in found)


def _unsubscribe(value: Any) -> str:
    found = text(value)
    if not re.fullmatch(r"mailto:[^\s<>@]+@[^\s<>@]+|https?://[^\s<>]+", found):
        raise Invalid(f"expected mailto:ADDRESS or an http(s) URL, got {describe(value)}")
    return found


def _address(value: Any) -> str:
    found = text(value)
    if not re.search(r"[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+", found):
        raise Invalid(
            f"expected an address such as Acme Status <status@acme.example>, got {found!r}"
        )
    return found


CHANNEL_FIELDS = {
    "name": Field(identifier, required=True),
    "kind": Field(text, required=True),
    "url_env": Field(env_name),
    "secret_env": Field(env_name),
    "components": Field(_names(identifier)),
    "severities": Field(_names(text)),
    "kinds": Field(_kinds),
    "reminder": Field(duration_or_off),
    "from": Field(_address),
    "recipients_file": Field(optional_text),
    "recipients_env": Field(env_name),
    "unsubscribe": Field(_unsubscribe),
    "host": Field(optional_text),
    "port": Field(integer(1, 65535)),
    "tls": Field(text),
    "username_env": Field(env_name),
    "password_env": Field(env_name),
    "region": Field(optional_text),
}
TLS_MODES = ("starttls", "ssl", "none")
# Keys that only some kinds read: given to another kind, they are a mistake worth naming.
ONLY_FOR = {
    "url_env": HTTP_KINDS,
    "secret_env": frozenset({"webhook"}),
    "from": MAIL_KINDS,
    "recipients_file": MAIL_KINDS,
    "recipients_env": MAIL_KINDS,
    "unsubscribe": MAIL_KINDS,
    "host": frozenset({"smtp"}),
    "port": frozenset({"smtp"}),
    "tls": frozenset({"smtp"}),
    "username_env": frozenset({"smtp"}),
    "password_env": frozenset({"smtp"}),
    "region": frozenset({"ses"}),
}


def parse_notify(
    data: Any, path: Path, line: int, components: set[str], severities: set[str]
) -> tuple[tuple[Channel, ...], list[ContentError]]:
    """Every channel of the `notify:` list, or every error in it, each at its line."""
    if data is None:
        return (), []
    if not isinstance(data, list):
        return (), [ContentError(path, line, "notify: expected a list of channels (- name: ...)")]
    channels: list[Channel] = []
    errors: list[ContentError] = []
    seen: dict[str, int] = {}
    for entry in data:
        here = node_line(entry, line)
        channel, errs = _channel(entry, path, here, components, severities)
        if channel and channel.name in seen:
            errs.append(
                ContentError(
                    path,
                    here,
                    f"duplicate channel name '{channel.name}' (first at line {seen[channel.name]})",
                )
            )
        errors += errs
        if channel and not errs:
            seen[channel.name] = here
            channels.append(channel)
    return tuple(channels), errors


def _channel(
    entry: Any, path: Path, here: int, components: set[str], severities: set[str]
) -> tuple[Channel | None, list[ContentError]]:
    values, errors = check_mapping(entry, CHANNEL_FIELDS, path, here, "notify channel")
    if errors or not isinstance(entry, LineMap):
        return None, errors
    kind, name = values["kind"], values["name"]

    def fail(key: str, message: str) -> None:
        errors.append(ContentError(path, entry.line_of(key) if key in entry else here, message))

    if kind not in CHANNEL_KINDS:
        fail("kind", f"'kind': expected one of {', '.join(CHANNEL_KINDS)}, got {describe(kind)}")
        return None, errors
    for key, kinds in ONLY_FOR.items():
        if values[key] is not None and kind not in kinds:
            fail(key, f"channel '{name}': '{key}' is not used by kind {kind}")
    if kind in HTTP_KINDS and not values["url_env"]:
        fail("kind", f"channel '{name}': 'url_env' is required: the variable with the URL")
    for cid in values["components"] or ():
        if cid not in components:
            fail("components", f"channel '{name}': unknown component '{cid}'")
    for key in values["severities"] or ():
        if key not in severities:
            known = ", ".join(sorted(severities))
            fail("severities", f"channel '{name}': unknown severity '{key}' (known: {known})")
    if values["tls"] is not None and values["tls"] not in TLS_MODES:
        fail("tls", f"'tls': expected one of {', '.join(TLS_MODES)}, got {describe(values['tls'])}")
    mail = _mail(values, kind, name, fail) if kind in MAIL_KINDS else None
    if errors:
        return None, errors
    reminder = values["reminder"]
    return Channel(
        name=name,
        kind=kind,
        line=here,
        url_env=values["url_env"],
        secret_env=values["secret_env"],
        components=values["components"] or (),
        severities=values["severities"] or (),
        kinds=values["kinds"] or (Kind.INCIDENT, Kind.MAINTENANCE),
        reminder=timedelta(minutes=60) if reminder is None else reminder or None,
        mail=mail,
    ), errors


def _mail(values: dict[str, Any], kind: str, name: str, fail: Any) -> Mail | None:
    if not values["from"]:
        fail("kind", f"channel '{name}': 'from' is required: the sender's address")
    if bool(values["recipients_file"]) == bool(values["recipients_env"]):
        fail(
            "kind",
            f"channel '{name}': give one of 'recipients_file' (a file outside the site) or "
            "'recipients_env' (a variable): the list is never kept in the repository",
        )
    if kind == "smtp" and not values["host"]:
        fail("kind", f"channel '{name}': 'host' is required: the SMTP server")
    if bool(values["username_env"]) != bool(values["password_env"]):
        fail("kind", f"channel '{name}': give both 'username_env' and 'password_env', or neither")
    return Mail(
        sender=values["from"] or "",
        recipients_file=values["recipients_file"],
        recipients_env=values["recipients_env"],
        unsubscribe=values["unsubscribe"],
        host=values["host"],
        port=values["port"] or (465 if values["tls"] == "ssl" else 587),
        tls=values["tls"] or "starttls",
        username_env=values["username_env"],
        password_env=values["password_env"],
        region=values["region"],
    )
