"""The import benchmark: a Statuspage export of N incidents into a new site, then reruns.

    python bench/importer.py              # N = 1,000 and 10,000
    python bench/importer.py --quick      # N = 1,000 only

The export is githubstatus.com's 50 real incidents (tests/data/statuspage) repeated with new
ids, each copy a week earlier than the last, in the management API's shape (a bare list) beside
the page's summary.json. Every import is a child process (`python -m heliograph import
statuspage EXPORT --into SITE --now ...`), timed wall clock from start to exit.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "statuspage"
NOW = "2026-08-01T00:00:00Z"
TIME_KEYS = ("created_at", "updated_at", "display_at", "resolved_at", "monitoring_at", "started_at")


def shifted(value: str | None, weeks: int) -> str | None:
    if value is None:
        return None
    t = datetime.fromisoformat(value) - timedelta(weeks=weeks)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def export(folder: Path, count: int) -> int:
    """Write the export of `count` incidents; return how many updates it holds."""
    folder.mkdir(parents=True)
    shutil.copy(SAMPLES / "githubstatus-summary.json", folder / "summary.json")
    real = json.loads((SAMPLES / "githubstatus-incidents.json").read_text())["incidents"]
    incidents, updates = [], 0
    for n in range(count):
        week, base = divmod(n, len(real))
        incident = copy.deepcopy(real[base])
        incident["id"] = f"i{n:011d}"
        incident["shortlink"] = f"https://stspg.io/i{n}"
        for key in TIME_KEYS:
            if key in incident:
                incident[key] = shifted(incident[key], week)
        for m, u in enumerate(incident["incident_updates"]):
            u["id"], u["incident_id"] = f"u{n:08d}{m:03d}", incident["id"]
            for key in TIME_KEYS:
                if key in u:
                    u[key] = shifted(u[key], week)
        updates += len(incident["incident_updates"])
        incidents.append(incident)
    (folder / "incidents.json").write_text(json.dumps(incidents))
    return updates


def timed(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "heliograph", "import", "statuspage", *args, "--now", NOW],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return seconds


def measure(count: int, runs: int) -> list[tuple[str, float, int]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="heliograph-import-bench-") as tmp:
        source, site = Path(tmp) / "export", Path(tmp) / "site"
        updates = export(source, count)
        cold = []
        for _ in range(runs):
            shutil.rmtree(site, ignore_errors=True)
            cold.append(timed(str(source), "--into", str(site)))
        rows.append((f"{count:,} incidents ({updates:,} updates): new site", cold))
        rows.append(
            (
                "rerun, nothing changed upstream",
                [timed(str(source), "--into", str(site)) for _ in range(runs)],
            )
        )
    return [(what, statistics.median(times), len(times)) for what, times in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 incidents only")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| import | median s | runs |\n|---|---|---|")
    for count in (1_000,) if args.quick else (1_000, 10_000):
        for what, seconds, runs in measure(count, args.runs):
            print(f"| {what} | {seconds:.2f} | {runs} |", flush=True)


if __name__ == "__main__":
    main()
