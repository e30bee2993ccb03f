"""The site's git history of `incidents/`, read once per commit.

Reading it is a `git log` over every commit that touched an update file (0.3 s for a
10,000-incident site of a single commit, more as commits pile up), yet it changes only when the
work tree's commit does: the cache keeps it by commit, and a build at the same commit reads
none of it.
"""

from __future__ import annotations

from pathlib import Path

from heliograph.content.corrections import Head, History, git_head, history_at
from heliograph.incremental.cache import Cache


def remembered_history(cache: Cache, source: Path) -> tuple[Head | None, History]:
    """Where the work tree stands and `content.corrections.git_history(source)`, from the
    cache when it holds this commit's."""
    head = git_head(source)
    if head is None:
        return None, {}
    key = cache.key("git-history", head.commit, head.prefix, head.boundary)
    kept = cache.get(key)
    if isinstance(kept, dict):
        return head, kept
    history = dict(history_at(source, head))
    cache.put(key, history)
    return head, history


class HistoryInMemory:
    """The history for a process that builds again and again (the preview): read again only
    when the work tree's commit moves."""

    def __init__(self) -> None:
        self.head: Head | None = None
        self.history: History = {}

    def seed(self, head: Head | None, history: History) -> None:
        self.head, self.history = head, history

    def __call__(self, source: Path) -> History:
        head = git_head(source)
        if head != self.head:
            self.head, self.history = head, history_at(source, head) if head else {}
        return self.history
