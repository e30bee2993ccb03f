"""Sending one message to a list: over SMTP (STARTTLS or TLS, with a login) for small lists,
through Amazon SES for large ones, where SES does the fan-out.

Both send the list in batches of `BATCH` recipients (SES takes at most 50 destinations a call;
SMTP servers commonly refuse more than 100 recipients a message), and report each batch as
done, so the ledger can resume a list cut off midway at the next batch. The list itself comes
from a file outside the site or from a variable, never from the repository.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from heliograph.content.model import Mail
from heliograph.notify.delivery import Failure

BATCH = 50
_ADDRESS = re.compile(r"[^\s<>@,;]+@[^\s<>@,;]+\.[^\s<>@,;]+")


class Transport(Protocol):
    def send(self, sender: str, recipients: list[str], data: bytes) -> None: ...


def recipients(mail: Mail, source: Path, environ: Mapping[str, str]) -> list[str]:
    """The list, in order, each address once; Failure (naming the file line or the variable,
    never an address) if it cannot be had."""
    if mail.recipients_env:
        raw = environ.get(mail.recipients_env)
        if raw is None:
            raise Failure(f"the variable {mail.recipients_env} (the recipients) is not set")
        where = f"${mail.recipients_env}"
        entries = [(n, e) for n, line in enumerate(raw.splitlines(), 1) for e in line.split(",")]
    else:
        assert mail.recipients_file is not None
        path = (source / Path(mail.recipients_file).expanduser()).resolve()
        if path.is_relative_to(source.resolve()):
            raise Failure(
                f"the recipients file {mail.recipients_file} is inside the site; keep the list "
                "outside the repository (or use recipients_env)",
                permanent=True,
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise Failure(f"cannot read the recipients file {path}: {reason}") from None
        where = str(path)
        entries = list(enumerate(text.splitlines(), 1))
    found: dict[str, None] = {}
    for number, entry in entries:
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        if not _ADDRESS.fullmatch(entry):
            raise Failure(f"{where}:{number}: not an e-mail address", permanent=True)
        found.setdefault(entry, None)
    return list(found)


def batches(addresses: list[str]) -> list[list[str]]:
    return [addresses[i : i + BATCH] for i in range(0, len(addresses), BATCH)]


class Smtp:
    """One SMTP session for a run of a channel."""

    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client

    def send(self, sender: str, recipients: list[str], data: bytes) -> None:
        try:
            refused = self.client.sendmail(sender, recipients, data)
        except smtplib.SMTPRecipientsRefused:
            raise Failure("the server refused every recipient of a batch", permanent=True) from None
        except smtplib.SMTPSenderRefused as exc:
            raise Failure(f"the server refused the sender ({exc.smtp_code})", True) from None
        except smtplib.SMTPResponseException as exc:
            code = exc.smtp_code
            raise Failure(f"the server answered {code}; the next run tries again") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise Failure(f"the SMTP session failed ({type(exc).__name__})") from None
        del refused  # some addresses refused: the rest have it; a list keeps going


@contextmanager
def smtp(mail: Mail, environ: Mapping[str, str], timeout: float) -> Iterator[Smtp]:
    """A logged-in session to the channel's server, closed after the run."""
    assert mail.host is not None
    context = ssl.create_default_context()
    try:
        if mail.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                mail.host, mail.port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(mail.host, mail.port, timeout=timeout)
            if mail.tls == "starttls":
                client.starttls(context=context)
        if mail.username_env and mail.password_env:
            client.login(_secret(environ, mail.username_env), _secret(environ, mail.password_env))
    except smtplib.SMTPAuthenticationError:
        raise Failure(
            f"the server refused the login in ${mail.username_env} / ${mail.password_env}",
            permanent=True,
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise Failure("the server does not offer STARTTLS (or AUTH)", permanent=True) from None
    except ssl.SSLError as exc:
        raise Failure(f"TLS with the server failed ({exc.reason})", permanent=True) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise Failure(f"cannot reach {mail.host}:{mail.port} ({type(exc).__name__})") from None
    try:
        yield Smtp(client)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


class Ses:
    """Amazon SES's `SendRawEmail`: one call a batch, SES sends to each destination."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, sender: str, recipients: list[str], data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.send_raw_email(
                Source=sender, Destinations=recipients, RawMessage={"Data": data}
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            permanent = code in ("MessageRejected", "AccessDenied", "MailFromDomainNotVerified")
            raise Failure(f"SES answered {code}", permanent) from None
        except BotoCoreError as exc:
            raise Failure(f"SES could not be reached ({type(exc).__name__})") from None


@contextmanager
def ses(mail: Mail, environ: Mapping[str, str], timeout: float) -> Iterator[Ses]:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"mode": "standard", "total_max_attempts": 3},
    )
    try:
        client = boto3.client("ses", region_name=mail.region, config=config)
    except BotoCoreError as exc:  # no region, a bad profile: the message says which
        raise Failure(f"cannot set up SES: {exc}", permanent=True) from None
    yield Ses(client)


def _secret(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name)
    if not value:
        raise Failure(f"the variable {name} is not set", permanent=True)
    return value


OPENERS: dict[str, Callable[..., Any]] = {"smtp": smtp, "ses": ses}
