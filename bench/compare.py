"""Two versions of the generator side by side on one generated corpus: medians and their ratio.

    python bench/compare.py --base f50c77d            # 10,000 incidents, this tree against f50c77d
    python bench/compare.py --base HEAD~1 -n 1000 --runs 5

Each build is a child process (`python -m heliograph build`) of one version's snapshot. The two
versions take turns run by run, each going first in every other run, so a machine that slows
down for a while slows both alike; each has its own output and cache folder. Scenarios: a cold
build (no cache, no output), a build with nothing to do, and a build after one new update to an
old incident.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import add_update, corpus_now, stamp, write_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
NOW = stamp(corpus_now())


def snapshot(rev: str | None, into: Path) -> Path:
    """The package of `rev` (None: the working tree) as a folder to put on PYTHONPATH."""
    into.mkdir(parents=True)
    if rev is None:
        shutil.copytree(
            REPO / "site_src" / "heliograph",
            into / "heliograph",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        return into
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "site_src/heliograph"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "site_src"


def timed(code: Path, source: Path, output: Path, cache: Path) -> float:
    """Wall time of one build by the version in `code`."""
    cmd = [sys.executable, "-m", "heliograph", "build", "--source", str(source)]
    cmd += ["--output", str(output), "--cache-dir", str(cache), "--now", NOW]
    started = time.perf_counter()
    done = subprocess.run(
        cmd, capture_output=True, env={**os.environ, "PYTHONPATH": str(code)}, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"build by {code} failed:\n{done.stderr.decode()[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="Time two versions of Heliograph side by side.")
    parser.add_argument("--base", required=True, help="the git revision to compare against")
    parser.add_argument("--new", default=None, help="the other revision (default: working tree)")
    parser.add_argument("-n", type=int, default=10_000, help="incidents in the corpus")
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario per version")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="heliograph-compare-"))
    try:
        versions = {
            "base": snapshot(args.base, work / "base"),
            "new": snapshot(args.new, work / "new"),
        }
        corpus = write_corpus(work / "site", args.n)
        src = corpus.root
        times: dict[tuple[str, str], list[float]] = {}

        def run(scenario: str, before: Callable[[str], None] = lambda v: None) -> None:
            # the order flips every run: the second build of a pair runs on a warmer (or more
            # crowded) machine, and neither version should always be the second
            flip = len(times.get((scenario, "base"), [])) % 2
            for name, code in sorted(versions.items(), reverse=bool(flip)):
                before(name)
                out, cache = work / f"out-{name}", work / f"cache-{name}"
                times.setdefault((scenario, name), []).append(timed(code, src, out, cache))

        def wipe(name: str) -> None:
            shutil.rmtree(work / f"out-{name}", ignore_errors=True)
            shutil.rmtree(work / f"cache-{name}", ignore_errors=True)
            os.sync()

        for _ in range(args.runs):
            run("cold", wipe)
        for _ in range(args.runs):
            run("no change")
        for i in range(args.runs):
            added = add_update(src, corpus.slugs[len(corpus.slugs) // 10 + 37 * i], seed=100 + i)
            run("one update")
            added.unlink()
            for name, code in versions.items():  # back to the warm state, untimed
                timed(code, src, work / f"out-{name}", work / f"cache-{name}")
        label = args.new or "working tree"
        print(f"{args.n:,} incidents, {corpus.updates:,} updates; medians of {args.runs} runs")
        print(f"| build | {args.base} s | {label} s | ratio |")
        print("|---|---|---|---|")
        for scenario in ("cold", "no change", "one update"):
            base = statistics.median(times[(scenario, "base")])
            new = statistics.median(times[(scenario, "new")])
            print(f"| {scenario} | {base:.2f} | {new:.2f} | {new / base:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
