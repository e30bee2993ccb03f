"""Work given to a second core comes back whole: from a forked child, or done here if it fails."""

from __future__ import annotations

import os
import time

import pytest

from heliograph.incremental import cores


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores, "workers", lambda: 2)


def test_beside_runs_in_another_process_and_returns_its_result(two_cores: None):
    here = os.getpid()
    job = cores.Beside(lambda: (os.getpid(), cores.forked(), b"x" * 3_000_000))
    pid, forked, data = job.result()
    assert pid != here and forked and data == b"x" * 3_000_000  # larger than a pipe holds
    assert not cores.forked()


def test_beside_redoes_the_work_here_when_the_child_fails(two_cores: None):
    calls: list[int] = []

    def run() -> list[int]:
        calls.append(os.getpid())
        if cores.forked():
            raise RuntimeError("lost in the child")
        return calls

    assert cores.Beside(run).result() == [os.getpid()]  # the child's attempt never came back


def test_beside_without_a_second_core_runs_at_once(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cores, "workers", lambda: 1)
    ran: list[int] = []
    job = cores.Beside(lambda: ran.append(os.getpid()) or "done")
    assert ran == [os.getpid()]
    assert job.result() == "done"


def test_share_does_every_part_once_over_two_processes(two_cores: None, tmp_path):
    log = tmp_path / "parts"

    def work(i: int) -> int:
        with log.open("a") as f:
            f.write(f"{i} {os.getpid()}\n")
        time.sleep(0.005)  # long enough for both processes to take parts
        return i * i

    first: list[int] = []
    assert cores.share(work, 60, lambda: first.append(1)) == [i * i for i in range(60)]
    done = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(i) for i, _ in done) == list(range(60))
    assert len({pid for _, pid in done}) == 2 and first == [1]


def test_share_redoes_the_parts_of_a_failed_child(two_cores: None):
    def work(i: int) -> int:
        if cores.forked():
            os._exit(3)  # the child dies with a part taken
        return -i

    assert cores.share(work, 30) == [-i for i in range(30)]
