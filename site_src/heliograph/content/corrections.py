"""Corrections in the open: an update whose text changed after it was first published says so,
and when; a published time or status changed afterwards is for `check` to question.

The history of the files is a source of content like the files themselves. It comes through a
small interface (`History`: each update file's committed versions, oldest first), which the
build hands in; `git_history` reads it from the repository when the site is a git work tree.
Nothing here reads the clock: a correction is dated by the commit that made it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from heliograph.content.layout import INCIDENTS_DIR, POSTMORTEM_NAME

if TYPE_CHECKING:  # a build with nothing to do reads the history's head, and no YAML
    from heliograph.content.model import Content, Incident, Update

GIT_TIMEOUT = 60  # seconds for one git command: a large history is read in one pass


@dataclass(frozen=True)
class Version:
    """A file as one commit left it."""

    committed: datetime
    text: str


# The committed versions of each update file, oldest first, by `incidents/<slug>/<name>`.
History = Mapping[str, tuple[Version, ...]]


@dataclass(frozen=True)
class Correction:
    """What changed in a published update, and when the last change was committed."""

    at: datetime  # when the change was committed
    text: bool  # the message changed
    first_at: str | None  # the `at:` and `status:` first published, where they changed
    first_status: str | None


def _fields(text: str) -> tuple[str, str | None, str | None]:
    """The body, `at` and `status` of an update file, as written."""
    from heliograph.content.sourcefile import split_front_matter

    doc, errors = split_front_matter(text, Path("x.md"))
    if doc is None or errors:
        return text, None, None
    at, status = doc.meta.get("at"), doc.meta.get("status")
    shown = at.isoformat() if isinstance(at, datetime) else (str(at) if at is not None else None)
    return " ".join(doc.body.split()), shown, str(status) if status is not None else None


def correction(versions: tuple[Version, ...], current: str) -> Correction | None:
    """The correction of a file whose published versions are `versions` and whose text now is
    `current`; None if it reads as first published. An edit not yet committed waits for its
    commit (its date)."""
    if len(versions) < 2:
        return None
    first = _fields(versions[0].text)
    changed_at = None
    before = first
    for v in versions[1:]:
        fields = _fields(v.text)
        if fields != before:
            changed_at = v.committed
        before = fields
    last = _fields(current)
    if changed_at is None or last == first:
        return None
    return Correction(
        changed_at,
        last[0] != first[0],
        first[1] if last[1] != first[1] else None,
        first[2] if last[2] != first[2] else None,
    )


def apply(content: Content, corrections: Mapping[str, Correction]) -> Content:
    """The content with each corrected update marked (see `Update.corrected`)."""
    if not corrections:
        return content
    # only the incidents a corrected file is in (`incidents/<slug>/<file>`): looking through
    # every update for one cost the preview 43,654 lookups a save at 10,000 incidents
    slugs = {parts[1] for f in corrections if len(parts := f.split("/")) == 3}
    marked = {
        i.slug: m
        for i in content.incidents
        if i.slug in slugs and (m := _marked(i, corrections)) is not i
    }
    return content.with_marked(marked) if marked else content


def _marked(incident: Incident, corrections: Mapping[str, Correction]) -> Incident:
    if not any(u.file in corrections for u in incident.updates):
        return incident
    updates = tuple(_corrected(u, corrections.get(u.file)) for u in incident.updates)
    return replace(incident, updates=updates)


def _corrected(update: Update, c: Correction | None) -> Update:
    if c is None:
        return update
    return replace(
        update,
        corrected=c.at if c.text else None,
        first_published=(c.first_at, c.first_status) if c.first_at or c.first_status else None,
    )


def corrections_of(source: Path, history: History) -> dict[str, Correction]:
    """The correction of every update file of `source` that has one."""
    found = {}
    for file, versions in history.items():
        path = source / file
        if len(versions) < 2 or not path.is_file():
            continue
        c = correction(versions, path.read_text(encoding="utf-8", errors="replace"))
        if c is not None:
            found[file] = c
    return found


Git = Callable[..., str]


def _git(source: Path) -> Git:
    def run(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(source), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=GIT_TIMEOUT,
            encoding="utf-8",
            errors="replace",
        ).stdout

    return run


@dataclass(frozen=True)
class Head:
    """The commit a work tree stands at: its history of `incidents/` is a function of this."""

    commit: str
    prefix: str  # the site's folder within the repository
    boundary: bytes  # a shallow clone's edge: deepening it changes the history, not the commit


def git_head(source: Path) -> Head | None:
    """Where the git work tree holding `source` stands (one `git rev-parse`); None outside a
    work tree, without git, or before the first commit."""
    try:
        out = _git(source)(
            "rev-parse",
            "--is-inside-work-tree",
            "--show-prefix",
            "--is-shallow-repository",
            "--git-path",
            "shallow",
            "HEAD",
        ).split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if len(out) < 5 or out[0] != "true":
        return None
    _, prefix, shallow, shallow_file, commit = out[:5]
    boundary = b""
    if shallow == "true":
        try:
            boundary = (source / shallow_file).read_bytes()
        except OSError:
            boundary = b"?"
    return Head(commit, prefix, boundary)


def git_history(source: Path) -> History:
    """Every update file's committed versions when `source` is a git work tree, else none."""
    head = git_head(source)
    return history_at(source, head) if head is not None else {}


def history_at(source: Path, head: Head) -> History:
    """Every update file's committed versions up to `head`. One `git log` finds the commits of
    every file that was changed after it was added; only those files' versions are read (one
    `git cat-file --batch`)."""
    git = _git(source)
    prefix = head.prefix
    try:
        log = git(
            "log",
            "--format=%x00%H %ct",
            "--name-only",
            "--no-renames",
            head.commit,
            "--",
            INCIDENTS_DIR,
        )
    except (OSError, subprocess.SubprocessError):
        return {}  # no git, or not a repository: no history to read
    touched: dict[str, list[tuple[str, datetime]]] = {}
    for entry in log.split("\0")[1:]:
        line, _, names = entry.partition("\n")
        sha, _, stamp = line.partition(" ")
        when = datetime.fromtimestamp(int(stamp), UTC)
        for name in names.split():
            rel = name.removeprefix(prefix)
            if rel.endswith(".md") and not rel.endswith("/" + POSTMORTEM_NAME):
                touched.setdefault(rel, []).append((sha, when))
    changed = {f: commits[::-1] for f, commits in touched.items() if len(commits) > 1}
    if not changed:
        return {}
    wanted = [(f, sha, when) for f, commits in changed.items() for sha, when in commits]
    request = "".join(f"{sha}:{prefix}{f}\n" for f, sha, _ in wanted)
    try:
        out = subprocess.run(
            ["git", "-C", str(source), "cat-file", "--batch"],
            input=request.encode(),
            capture_output=True,
            check=True,
            timeout=GIT_TIMEOUT,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    history: dict[str, list[Version]] = {}
    at = 0
    for f, _, when in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # deleted in that commit
        size = int(header[2])
        text = out[at : at + size].decode("utf-8", errors="replace")
        at += size + 1
        history.setdefault(f, []).append(Version(when, text))
    return {f: tuple(v) for f, v in history.items()}
