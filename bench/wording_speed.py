"""How long the wording checks take over a whole generated site, cold (a new process each run).

    python bench/wording_speed.py [-n 10000] [--runs 3] [--work DIR]

Writes the site with `bench/corpus.py` (once, into DIR/site-N), then in a fresh process per run
loads it and times `checks.wording.incident_wording` over every incident: the messages, titles
and postmortems a build or `check` reads, first on one core, then spread over every core as a
cold build's checks are. Prints the median and each run, with the load time apart (the load is
the build's, not the wording checks').
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def child(site: Path) -> None:
    from corpus import corpus_now

    from heliograph.build import Project, load_content
    from heliograph.checks.wording import incident_wording
    from heliograph.content.model import Kind
    from heliograph.incremental.cores import on_every_core, workers

    now = corpus_now()
    started = time.perf_counter()
    content = load_content(Project.at(site), now)
    incidents = [i for i in content.incidents if i.kind is Kind.INCIDENT]
    loaded = time.perf_counter()
    cpu = time.process_time()
    found = 0
    for incident in incidents:
        found += len(incident_wording(content.site, incident))
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    # as a cold build checks: incidents spread over every core (incremental.findings)
    counts = on_every_core(
        lambda chunk: sum(len(incident_wording(content.site, incidents[i])) for i in chunk),
        len(incidents),
        workers(),
    )
    assert sum(n for _, n in counts) == found
    shared = time.perf_counter()
    updates = sum(len(i.updates) for i in content.incidents)
    words = sum(len(u.body.split()) for i in content.incidents for u in i.updates)
    print(
        json.dumps(
            {
                "load": loaded - started,
                "wording": done - loaded,
                "cpu": cpu,
                "cores": workers(),
                "shared": shared - done,
                "incidents": len(content.incidents),
                "updates": updates,
                "words": words,
                "findings": found,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000, help="incidents (default 10,000)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "heliograph-bench")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child)
    from corpus import write_corpus

    site = args.work / f"site-{args.n}"
    if not (site / "components.yaml").is_file():
        write_corpus(site, args.n)
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(site)],
            check=True,
            capture_output=True,
            text=True,
            cwd=BENCH,
        ).stdout
        runs.append(json.loads(out))
    first = runs[0]
    print(
        f"{first['incidents']:,} incidents, {first['updates']:,} updates, "
        f"{first['words']:,} words; {first['findings']:,} wording findings"
    )
    wording = [r["wording"] for r in runs]
    print(
        f"wording checks: median {statistics.median(wording):.2f} s "
        f"({', '.join(f'{w:.2f}' for w in wording)}); "
        f"{first['updates'] / statistics.median(wording):,.0f} updates/s"
    )
    cpu = statistics.median(r["cpu"] for r in runs)
    print(f"  of which CPU time: median {cpu:.2f} s (the figure a busy machine distorts least)")
    shared = [r["shared"] for r in runs]
    print(
        f"on {first['cores']} cores: median {statistics.median(shared):.2f} s "
        f"({', '.join(f'{w:.2f}' for w in shared)})"
    )
    load = statistics.median(r["load"] for r in runs)
    print(f"load (not the checks): median {load:.2f} s")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
