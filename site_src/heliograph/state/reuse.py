"""How a stage lets its caller reuse work: it asks a memo before it makes a value (the
renderers, and the views and uptime they show).

A memo takes a key, which must hold every input of the value (compared by value), and the
function that makes the value when the memo has none. The plain pipeline reuses nothing
(`fresh`); the preview hands in one that keeps values from its last build (see
incremental.memory.Reuse).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
Memo = Callable[[Hashable, Callable[[], Any]], Any]


def fresh(key: Hashable, make: Callable[[], T]) -> T:
    """No reuse: every value is made."""
    return make()
