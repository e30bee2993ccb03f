"""What was sent, per channel and per event: a JSON Lines file, one line a message, kept by CI.

Each message is recorded right after its receiver took it, written (unbuffered, in one `write`)
before the next one goes: the kernel holds a written line through a kill of the process, so a
run killed at any moment repeats at most the message it was sending. The file is flushed to the
disk (`fsync`) once, at the end of the run: a crash of the whole machine fails the workflow's
job before its cache is saved, so a flush per message would buy nothing.

A line cut short by a kill (the last, without its newline) is dropped, which is that one
repeat; any other line that cannot be read stops the run with its file and line, before
anything is sent, so a damaged ledger never turns into a flood of old messages.

    {"channel": "ops-slack", "event": "update:kctbh9vrtdwd", "at": "2026-...Z"}
    {"channel": "customers", "event": "update:kctbh9vrtdwd", "part": 3}

Lines of messages long past (`KEEP` beyond the window, when there are `COMPACT_AT` of them)
are dropped at the end of a run, the file rewritten beside itself and swapped in whole: the
window already counts such events as sent, so the file stays small without a repeat.

A `part` line records one batch of an e-mail list (its recipients in order, `mail.BATCH` a
batch), so a list cut off halfway resumes at the next batch.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from heliograph.content.errors import Abort
from heliograph.content.timefmt import iso_utc

LEDGER_NAME = ".heliograph-notify/ledger.jsonl"
KEEP = timedelta(days=30)
COMPACT_AT = 1000


@dataclass
class Ledger:
    """The ledger read into memory; `record` and `record_part` append to its file."""

    path: Path
    sent: set[tuple[str, str]] = field(default_factory=set)
    parts: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    good_size: int = 0  # bytes up to the end of the last whole line
    times: dict[tuple[str, str], str] = field(default_factory=dict)  # `at` of each sent event
    _fd: int | None = None

    @classmethod
    def read(cls, path: Path) -> Ledger:
        """The ledger at `path` (none yet is an empty one); Abort at the first bad line."""
        ledger = cls(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return ledger
        except OSError as exc:
            raise Abort(f"{path}: cannot read the notify ledger: {exc.strerror}") from None
        lines = data.split(b"\n")
        whole = lines[:-1]  # the last piece is "" after a newline, or a torn line
        for number, raw in enumerate(whole, start=1):
            if raw.strip():
                ledger._take(raw, number)
        ledger.good_size = len(data) - len(lines[-1])
        return ledger

    def _take(self, raw: bytes, number: int) -> None:
        try:
            entry = json.loads(raw)
            channel, event = entry["channel"], entry["event"]
            if not isinstance(channel, str) or not isinstance(event, str):
                raise TypeError
            part = entry.get("part")
            if part is not None and (not isinstance(part, int) or isinstance(part, bool)):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise Abort(
                f"{self.path}:{number}: the notify ledger has a line that is not a record of a "
                'sent message ({"channel": ..., "event": ...}); nothing was sent. Fix or '
                "delete that line (a deleted line may send its message once more)"
            ) from None
        if part is None:
            self.sent.add((channel, event))
            if isinstance(entry.get("at"), str):
                self.times[channel, event] = entry["at"]
        else:
            self.parts.setdefault((channel, event), set()).add(part)

    def has(self, channel: str, event: str) -> bool:
        return (channel, event) in self.sent

    def newest(self, channel: str) -> datetime | None:
        """The time of the newest event `channel` was sent, if the ledger knows the channel."""
        mine = [at for (c, _), at in self.times.items() if c == channel]
        return datetime.fromisoformat(max(mine)) if mine else None

    def parts_done(self, channel: str, event: str) -> set[int]:
        return self.parts.get((channel, event), set())

    def record(self, channel: str, event: str, at: datetime) -> None:
        """That `event` reached `channel`: in the file before this returns."""
        self._append({"channel": channel, "event": event, "at": iso_utc(at)})
        self.sent.add((channel, event))
        self.times[channel, event] = iso_utc(at)

    def record_part(self, channel: str, event: str, part: int) -> None:
        self._append({"channel": channel, "event": event, "part": part})
        self.parts.setdefault((channel, event), set()).add(part)

    def _append(self, entry: dict[str, object]) -> None:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
            os.ftruncate(self._fd, self.good_size)  # a line torn by a kill goes
            os.lseek(self._fd, self.good_size, os.SEEK_SET)
        line = (json.dumps(entry, separators=(", ", ": ")) + "\n").encode()
        os.write(self._fd, line)
        self.good_size += len(line)

    def compact(self, before: datetime) -> int:
        """Drop the records of events before `before` (and the parts of sent events), if
        there are enough of them to be worth a rewrite; how many lines went."""
        cut = iso_utc(before)  # one format throughout, so the strings sort as the times do
        old = {key for key, at in self.times.items() if at < cut}
        done_parts = [key for key in self.parts if key in self.sent]
        if len(old) + len(done_parts) < COMPACT_AT:
            return 0
        self.close()
        kept: list[dict[str, object]] = [
            {"channel": c, "event": e, "at": self.times[c, e]}
            for c, e in sorted(self.times, key=lambda k: self.times[k])
            if (c, e) not in old
        ]
        kept += [
            {"channel": c, "event": e, "part": n}
            for (c, e), numbers in self.parts.items()
            if (c, e) not in self.sent
            for n in sorted(numbers)
        ]
        data = "".join(json.dumps(k, separators=(", ", ": ")) + "\n" for k in kept).encode()
        fresh = self.path.with_name(self.path.name + ".new")
        with open(fresh, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(fresh, self.path)
        for key in old:
            self.sent.discard(key)
            del self.times[key]
        for key in done_parts:
            del self.parts[key]
        self.good_size = len(data)
        return len(old) + len(done_parts)

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None
