"""One POST to a webhook, and what its answer means for the channel.

A 2xx is delivered. A 429 is waited out as its `Retry-After` says, up to a bound (a run that
slept for minutes would hold up every other channel and the workflow). A 5xx, a timeout or a
reset connection fails the channel for this run, to be tried again by the next; any other 4xx
means the URL or the receiver is wrong, and says so. No message names the URL: it is a secret.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

USER_AGENT = "Heliograph-Notify/1"
RETRIES_ON_429 = 3


class Failure(Exception):
    """The channel could not take the message now; `permanent` where trying again will not
    help until someone changes something (a wrong URL, a refused login)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    max_wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """POST `body` to `url`; raise Failure unless a 2xx came back."""
    for attempt in range(RETRIES_ON_429 + 1):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                answer.read()
            return
        except urllib.error.HTTPError as exc:
            status, reason = exc.code, exc.reason
            wait = retry_after(exc.headers.get("Retry-After")) if status == 429 else None
            exc.close()
        except urllib.error.URLError as exc:
            raise Failure(_network(exc.reason, timeout)) from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise Failure(_network(exc, timeout)) from None
        except ValueError:  # a URL urllib cannot take apart (never shown: it is a secret)
            raise Failure("the URL cannot be used (check its form)", permanent=True) from None
        if status != 429:
            raise _answer(status, reason)
        if wait is None or wait > max_wait or attempt == RETRIES_ON_429:
            after = "" if wait is None else f" (Retry-After {wait:g} s)"
            raise Failure(f"answered 429 Too Many Requests{after}; the next run tries again")
        sleep(wait)
    raise AssertionError("unreachable")


def _answer(status: int, reason: str) -> Failure:
    if status >= 500:
        return Failure(f"answered {status} {reason}; the next run tries again")
    return Failure(
        f"answered {status} {reason}: the receiver refuses the message; check the URL it was "
        "given and that the webhook still exists",
        permanent=status not in (408, 409, 425),
    )


def _network(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s; the next run tries again"
    if isinstance(reason, ConnectionResetError):
        return "the connection was reset; the next run tries again"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused; the next run tries again"
    if isinstance(reason, socket.gaierror):
        return "the host name in the URL does not resolve"
    if isinstance(reason, http.client.RemoteDisconnected | http.client.BadStatusLine):
        return "the connection closed without an answer; the next run tries again"
    kind = type(reason).__name__
    return f"the connection failed ({kind}); the next run tries again"


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds: a number, or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
