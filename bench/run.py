"""The build benchmark: cold and incremental builds of a generated site, and a one-update deploy.

    python bench/run.py              # N = 1,000 and 10,000 (several minutes)
    python bench/run.py --quick      # N = 1,000 only
    python bench/run.py --profile 1000   # cProfile of one cold build, top functions

Every build is a child process (`python -m heliograph build ...`), so its wall time includes
start-up and its peak memory is the child's own ru_maxrss. Files written are counted from the
output tree: a file whose inode changed (or that is new) was written by that build.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import add_open_incident, add_update, corpus_now, stamp, write_corpus  # noqa: E402

NOW = stamp(corpus_now())
CACHE = ".heliograph-cache"


@dataclass(frozen=True)
class Run:
    """One timed build."""

    seconds: float
    peak_mb: float
    written: int
    written_bytes: int
    files: int


def tree(site: Path) -> dict[str, tuple[int, int]]:
    """path -> (inode, size) of every file under the built site."""
    found = {}
    for dirpath, _dirs, files in os.walk(site):
        for name in files:
            st = os.stat(os.path.join(dirpath, name))
            found[os.path.relpath(os.path.join(dirpath, name), site)] = (st.st_ino, st.st_size)
    return found


CODE: Path | None = None  # a snapshot of the generator, so edits made meanwhile change nothing


def snapshot_code(work: Path) -> Path:
    """Copy the heliograph package into `work`; every measured build runs that copy."""
    import heliograph

    target = work / "code"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        Path(heliograph.__file__).parent,
        target / "heliograph",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return target


def timed_build(source: Path, env: dict[str, str] | None = None) -> Run:
    """Build `source` in a child process; wall time, peak RSS and what changed on disk."""
    before = tree(source / "_site")
    cmd = [sys.executable, "-m", "heliograph", "build", "--source", str(source), "--now", NOW]
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        path = {"PYTHONPATH": str(CODE)} if CODE else {}
        child = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, **path, **(env or {})}
        )
        # wait4 rather than wait: it returns this child's own rusage (peak RSS).
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise SystemExit(f"build failed ({child.returncode}):\n{err.read().decode()}")
    after = tree(source / "_site")
    changed = [p for p, (ino, _) in after.items() if before.get(p, (None,))[0] != ino]
    return Run(
        seconds, usage.ru_maxrss / 1024, len(changed), sum(after[p][1] for p in changed), len(after)
    )


def measure(
    runs: int,
    prepare: Callable[[int], None],
    build: Callable[[], Run],
    restore: Callable[[int], None] | None = None,
) -> list[Run]:
    results = []
    for i in range(runs):
        prepare(i)
        results.append(build())
        if restore:
            restore(i)
    return results


@dataclass(frozen=True)
class Row:
    n: int
    updates: int
    scenario: str
    runs: list[Run]

    def cells(self) -> list[str]:
        med = statistics.median
        secs = med(r.seconds for r in self.runs)
        rate = f"{self.updates / secs:,.0f}" if self.scenario.startswith("cold") else ""
        return [
            f"{self.n:,}",
            f"{self.updates:,}",
            self.scenario,
            f"{secs:.2f}",
            f"{min(r.seconds for r in self.runs):.2f}",
            rate,
            f"{max(r.peak_mb for r in self.runs):.0f}",
            f"{med(r.written for r in self.runs):,.0f} / {self.runs[0].files:,}",
            f"{med(r.written_bytes for r in self.runs) / 1e6:.2f}",
            str(len(self.runs)),
        ]


HEADER = [
    "incidents",
    "updates",
    "build",
    "median s",
    "best s",
    "updates/s",
    "peak MB",
    "files written / total",
    "MB written",
    "runs",
]


def bench_size(work: Path, n: int, cold_runs: int, warm_runs: int) -> list[Row]:
    """Every scenario for one corpus size."""
    corpus = write_corpus(work / f"site-{n}", n)
    src = corpus.root

    def wipe(_i: int = 0) -> None:
        shutil.rmtree(src / "_site", ignore_errors=True)
        shutil.rmtree(src / CACHE, ignore_errors=True)
        os.sync()  # the deletions' writes land now, not inside the next timed build

    build = lambda: timed_build(src)  # noqa: E731
    rows = [Row(n, corpus.updates, "cold (no cache, no output)", measure(cold_runs, wipe, build))]
    rows.append(
        Row(n, corpus.updates, "no change (warm)", measure(warm_runs, lambda i: None, build))
    )
    added: list[Path] = []

    def one_update(i: int) -> None:
        added.append(add_update(src, corpus.slugs[len(corpus.slugs) // 10 + 37 * i], seed=100 + i))

    def undo(_i: int) -> None:
        path = added.pop()
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        timed_build(src)  # back to the warm state, untimed

    rows.append(
        Row(
            n,
            corpus.updates + 1,
            "one update to an old incident",
            measure(warm_runs, one_update, build, undo),
        )
    )

    def new_open(i: int) -> None:
        added.append(add_open_incident(src, corpus_now(), seed=200 + i))

    rows.append(
        Row(n, corpus.updates + 1, "new open incident", measure(warm_runs, new_open, build, undo))
    )
    deploy = bench_deploy(src, corpus.slugs)
    if deploy:
        rows.append(deploy)
    return rows


def bench_deploy(src: Path, slugs: tuple[str, ...]) -> Row | None:
    """Deploy the site to moto's S3 server, add one update, rebuild, and time the second deploy."""
    try:
        from heliograph.publish.deploy import Options, Target, deploy
    except ImportError:
        return None
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    env = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        endpoint = "http://{}:{}".format(*server.get_host_and_port())
        bucket = f"status-bench-{len(slugs)}"  # moto keeps buckets for the whole process
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        target = Target(bucket, endpoint_url=endpoint, region="us-east-1")
        full = deploy(src / "_site", target, Options(delete=True))
        path = add_update(src, slugs[len(slugs) // 3], seed=300)
        timed_build(src)
        started = time.perf_counter()
        result = deploy(src / "_site", target, Options(delete=True))
        seconds = time.perf_counter() - started
        path.unlink()
        timed_build(src)
        size = sum(u.size for u in getattr(result.plan, "uploads", ()) if hasattr(u, "size"))
        return Row(
            0,
            full.uploaded,
            "deploy of one update (S3, moto)",
            [Run(seconds, 0, result.uploaded, size, full.uploaded)],
        )
    finally:
        server.stop()
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        cells = row.cells()
        if row.n == 0:  # the deploy row: objects uploaded of the objects in the site
            run = row.runs[0]
            cells = [
                cells[0].replace("0", ""),
                "",
                row.scenario,
                f"{run.seconds:.2f}",
                "",
                "",
                "",
                f"{run.written:,} uploaded / {run.files:,}",
                "",
                "1",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def profile(n: int, work: Path) -> None:
    """cProfile of one in-process cold build; prints the functions with the most time."""
    import cProfile
    import pstats

    from heliograph.build import Project, build
    from heliograph.cli import parse_now

    corpus = write_corpus(work / f"profile-{n}", n)
    profiler = cProfile.Profile()
    profiler.enable()
    build(Project.at(corpus.root), parse_now(NOW))
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(35)
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5, help="runs of each warm scenario")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    parser.add_argument("--profile", type=int, metavar="N", default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="heliograph-bench-"))
    try:
        if args.profile:
            profile(args.profile, work)
            return
        global CODE
        CODE = snapshot_code(work)
        sys.path.insert(0, str(CODE))
        sizes = args.sizes or ([1000] if args.quick else [1000, 10000])
        rows = []
        for n in sizes:
            rows += bench_size(work, n, args.cold_runs, args.runs)
            print(table(rows), file=sys.stderr, flush=True)
        command = "python bench/run.py " + " ".join(sys.argv[1:])
        report = (
            f"Machine: {machine()}\n\nCommand: `{command.strip()}`; build time is wall "
            f"time of `python -m heliograph build --now {NOW}` in a child process, "
            f"median of {args.cold_runs} cold and {args.runs} warm runs.\n\n" + table(rows) + "\n"
        )
        print(report)
        if args.out:
            args.out.write_text(report, encoding="utf-8")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
