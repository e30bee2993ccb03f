"""One writer at a time: a lock file beside what a build or a deploy changes.

Two builds of one site at once would write into one fresh folder and swap each other's half of
it in, so each holds a lock on its output (and the build cache) while it works; the other waits
a bounded time, then says who holds it. The lock is the kernel's (`flock`), so a holder that is
killed releases it at once, and a stale lock file is no lock at all.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from heliograph.content.errors import Abort

WAIT_SECONDS = 120.0  # a cold build of 10,000 incidents takes well under this
ENV_WAIT = "HELIOGRAPH_LOCK_WAIT"  # seconds; a CI job may want to wait longer, a test less
POLL = 0.05


def lock_path(target: Path) -> Path:
    """`.<name>.lock` beside `target` (a folder swapped as a whole keeps no file inside)."""
    target = target.absolute()
    return target.with_name(f".{target.name}.lock")


def wait_seconds() -> float:
    value = os.environ.get(ENV_WAIT, "")
    try:
        return max(float(value), 0.0) if value else WAIT_SECONDS
    except ValueError:
        raise Abort(f"{ENV_WAIT}={value!r}: expected a number of seconds") from None


@contextmanager
def held(
    target: Path, doing: str, wait: float | None = None, file: Path | None = None
) -> Iterator[None]:
    """Hold the lock of `target` (in `file`, else beside it) while `doing` it; wait at most
    `wait` seconds for another holder, then Abort naming it. Where no lock file can be made (a
    read-only folder), nothing else can write there either, and the work goes on unlocked."""
    path = file or lock_path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        yield
        return
    try:
        _acquire(fd, path, target, wait_seconds() if wait is None else wait)
        _describe(fd, doing)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _acquire(fd: int, path: Path, target: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise Abort(
                    f"{target} is in use by {_holder(path)}; waited {wait:.0f} s. Let it "
                    f"finish, or stop it (set {ENV_WAIT} to wait longer)"
                ) from None
            time.sleep(POLL)


def _describe(fd: int, doing: str) -> None:
    """Write who holds the lock, for the message of anyone who has to wait."""
    info = {
        "pid": os.getpid(),
        "host": os.uname().nodename,  # socket.gethostname(), without importing socket
        "doing": doing,
        "since": datetime.now(UTC).strftime("%H:%M:%S UTC"),  # for people only, never output
    }
    data = json.dumps(info).encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
    except OSError:
        pass  # the lock holds without its description


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"{info['doing']} (process {info['pid']} on {info['host']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
