"""The preview's rebuild in-process: `LiveSite.rebuild` after an edit to one update, timed.

    python bench/rebuild.py -n 1000 --runs 5

Writes a corpus (bench/corpus.py) into a temporary folder, starts a LiveSite on it, then edits
one update of an old incident `runs` times: each run writes the file, rebuilds, and reads the
incident's page and the home page, as the open tab would. Prints the median and the best.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO / "site_src")]

from corpus import corpus_now, write_corpus  # noqa: E402

from heliograph.authoring.live import LiveSite  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="heliograph-rebuild-bench-"))
    try:
        corpus = write_corpus(work / "site", args.n)
        now = corpus_now()
        live = LiveSite(corpus.root, cache_dir=work / "cache")
        live.rebuild(now)
        slug = corpus.slugs[len(corpus.slugs) // 3]
        edited = sorted((corpus.root / "incidents" / slug).glob("*.md"))[0]
        times = []
        for i in range(args.runs + 1):  # the first run warms the memos up: not counted
            text = re.sub(r"\n(Edited \d+ times\.)?$", "", edited.read_text().rstrip("\n"))
            edited.write_text(f"{text}\nEdited {i} times.\n")
            started = time.perf_counter()
            problems = live.rebuild(now, [str(edited)])
            bytes(live.outputs[f"incidents/{slug}/index.html"])
            bytes(live.outputs["index.html"])
            times.append(time.perf_counter() - started)
            assert not problems, problems
        kept = times[1:]
        print(
            f"{args.n:,} incidents, an edit: median {statistics.median(kept) * 1000:.0f} ms "
            f"(best {min(kept) * 1000:.0f}) over {len(kept)} runs"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
