"""Errors as values (ContentError) and the one exception the CLI turns into exit 1 (Abort)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in the content, located at a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentErrors(Exception):
    """Raised by a stage that cannot go on; carries every error found so far."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = sorted(errors)


class Abort(Exception):
    """Stop the command with exit status 1 and this message; never a traceback."""
