"""Work spread over the machine's cores by forked processes, which inherit the model and
every import, so that only their inputs' indices and their results travel between processes.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")

_forked = False  # true in a process that `beside` or `on_every_core` forked


def workers() -> int:
    """The cores this process may use; one when other threads run (the preview server's),
    since forking a process with threads can copy a lock some thread holds."""
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def forked() -> bool:
    """Whether this is a worker process: it must leave the parent's open database alone."""
    return _forked


_run: Callable[[range], Any] | None = None  # the work of `on_every_core`, which workers inherit


def on_every_core(run: Callable[[range], R], count: int, n: int) -> list[tuple[range, R]]:
    """`run` over interleaved chunks of range(count), in `n` forked workers, with each chunk."""
    from concurrent.futures import ProcessPoolExecutor  # not needed by every build: 5 ms

    global _run
    chunks = [range(i, count, n * 4) for i in range(n * 4)]
    _run = run
    try:
        with ProcessPoolExecutor(
            n, mp_context=_fork_context(), initializer=_mark_forked, initargs=(os.getpid(),)
        ) as pool:
            return list(zip(chunks, pool.map(_run_chunk, chunks), strict=True))
    finally:
        _run = None


def _mark_forked(parent: int) -> None:
    """In a worker: note that it is one, and tie its life to its parent's."""
    global _forked
    _forked = True
    _die_with(parent)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies, as a killed build's would
    otherwise live on, holding the cores; a parent gone already ends it now."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker ends with its last task
        pass
    if os.getppid() != parent:
        os._exit(1)


def _run_chunk(chunk: range) -> Any:
    assert _run is not None
    return _run(chunk)


def _fork_context() -> Any:
    """Fork (see `workers`: without it there is one worker): workers start in milliseconds and
    inherit imports."""
    import multiprocessing

    return multiprocessing.get_context("fork")


class Beside(Generic[R]):
    """`run()` going on in a forked child while this process does other work; `result()`
    waits for it. Without a second core it has run already, in this process; if the child
    fails in any way, `result()` runs it here, where an error shows as it would have."""

    def __init__(self, run: Callable[[], R], alone: bool = False) -> None:
        self._run = run
        self._pid, self._fd = 0, -1
        self._value: tuple[R] | None = None
        if alone or workers() < 2:  # `alone`: the work must be this process's own
            self._value = (run(),)
            return
        read, write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(run, write, parent)
        os.close(write)
        self._pid, self._fd = pid, read

    def result(self) -> R:
        if self._value is None:
            self._value = (self._collect(),)
        return self._value[0]

    def _collect(self) -> R:
        with os.fdopen(self._fd, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self._pid, 0)
        try:
            value: R = pickle.loads(data)
            return value
        except Exception:  # nothing, or not all of it, came back
            return self._run()


def _child(run: Callable[[], Any], fd: int, parent: int) -> None:
    """Run, send the result down `fd` and leave at once: no exit handlers, no flushing of
    the parent's buffers, no freeing of the inherited model. A failure sends nothing."""
    try:
        _mark_forked(parent)
        data = pickle.dumps(run(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(0)


def share(
    work: Callable[[int], R], count: int, first: Callable[[], object] = lambda: None
) -> list[R]:
    """`work(i)` for every i in range(count) (at most 255), shared between this process and a
    forked child, each taking the next part not yet taken whenever it is free; this process
    does `first` before it starts. The parts are the bytes of a pipe: a one-byte read from a
    pipe is atomic, so no part is taken twice. Parts a failed child took are done here."""
    assert count <= 255
    take, give = os.pipe()
    try:
        os.write(give, bytes(range(count)))
        os.set_blocking(take, False)

        def parts() -> dict[int, R]:
            done: dict[int, R] = {}
            while True:
                try:
                    part = os.read(take, 1)
                except BlockingIOError:  # every part is taken
                    return done
                done[part[0]] = work(part[0])

        child = Beside(parts)
        try:
            first()
            done = parts()
        finally:  # waited for even if this process failed, so that no process is left behind
            theirs = child.result()
        done.update(theirs)
    finally:
        os.close(take)
        os.close(give)
    return [done[i] if i in done else work(i) for i in range(count)]
