"""The preview benchmark: from a saved file to the open tab showing the change, over HTTP.

    python bench/serve.py                 # 1,000 and 10,000 incidents (a few minutes)
    python bench/serve.py -n 1000 --runs 9

`heliograph serve` runs as a child process on a generated corpus (bench/corpus.py). For each
scenario the benchmark holds an event stream open as a tab does, saves the file, waits for the
`reload` event, fetches the page as the reloading tab does, and stops the clock when the page
shows the change: that is what the author waits for. Scenarios: an edit to an update, a new
update to an old incident, a new incident, and a change to components.yaml (the site's name,
which every page shows: the preview renders every page again). Start-up is the time from
starting the server to the home page served, beside the time of a warm `heliograph build`.

Between saves the benchmark pauses for `PAUSE` seconds, as an author reads what they saved:
the preview makes what no tab asked for in such a pause (serve.SETTLE), so every save is timed
from a whole site, as it is in use.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import corpus_now, stamp, write_corpus  # noqa: E402

NOW = stamp(corpus_now())
PAUSE = 1.5  # seconds between saves: longer than the preview's SETTLE and the rest it makes
REPO = Path(__file__).resolve().parent.parent


class Server:
    """`heliograph serve` in a child process."""

    def __init__(self, source: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "site_src")}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "heliograph",
                "serve",
                "--source",
                str(source),
                "--port",
                "0",
                "--now",
                NOW,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        started = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                if "Serving on" in line:
                    started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(600):
            raise SystemExit("serve did not start")
        found = re.search(r"http://127\.0\.0\.1:(\d+)", self.lines[-1])
        assert found
        self.port = int(found.group(1))

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as r:
            return r.read().decode()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def save_to_seen(server: Server, save: Callable[[], str], page: str) -> float:
    """Seconds from the save to the reloaded page showing `save`'s marker."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    generation = re.search(r'data-generation="(\d+)"', server.get(page))
    conn.request("GET", f"/__heliograph/events?since={generation.group(1) if generation else 0}")
    stream = conn.getresponse()
    started = time.perf_counter()
    marker = save()
    while True:  # the event, as the tab's EventSource gets it
        line = stream.fp.readline().decode()
        if line.startswith("event: reload"):
            break
    while marker not in server.get(page):  # a reload that came before this save's build
        time.sleep(0.001)
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def scenarios(source: Path, slugs: tuple[str, ...]) -> dict[str, tuple[Callable[[int], str], str]]:
    """name -> (a save that returns the text it adds, the page that shows it)."""
    old = slugs[len(slugs) // 3]
    edited = next((source / "incidents" / old).glob("*.md"))

    def edit(i: int) -> str:
        marker = f"Edited {i} times."
        text = re.sub(r"\n(Edited \d+ times\.)?$", "", edited.read_text().rstrip("\n"))
        edited.write_text(f"{text}\n{marker}\n")
        return marker

    def update(i: int) -> str:
        """A new update file, written in one go as an editor saves it."""
        folder = source / "incidents" / old
        last = max(p for p in folder.glob("[0-9]*.md"))
        at = next(x for x in last.read_text().splitlines() if x.startswith("at: "))
        when = datetime.fromisoformat(at.removeprefix("at: ")) + timedelta(minutes=1)
        marker = f"Note {i} on this incident."
        (folder / f"{int(last.name[:2]) + 1:02d}-note.md").write_text(
            f"---\nat: {stamp(when)}\nstatus: resolved\n---\n{marker}\n"
        )
        return marker

    def new_incident(i: int) -> str:
        folder = source / "incidents" / f"2026-11-24-bench-{i}"
        folder.mkdir()
        (folder / "01-investigating.md").write_text(
            f"---\nat: 2026-11-24T23:50:00Z\nstatus: investigating\ntitle: Bench incident {i}\n"
            "severity: SEV-3\ncomponents:\n  api: degraded_performance\n---\n"
            "We are looking into slow responses.\n"
        )
        return f"Bench incident {i}"

    config = source / "components.yaml"
    original = config.read_text()

    def settings(i: int) -> str:
        config.write_text(original.replace("name: Bench Corp", f"name: Bench Corp {i}"))
        return f"Bench Corp {i}"

    return {
        "edit to an update": (edit, f"/incidents/{old}/"),
        "new update to an old incident": (update, f"/incidents/{old}/"),
        "new incident": (new_incident, "/"),
        "components.yaml (every page)": (settings, "/"),
    }


def bench(n: int, runs: int) -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="heliograph-serve-bench-"))
    try:
        corpus = write_corpus(work / "site", n)
        env = {**os.environ, "PYTHONPATH": str(REPO / "site_src")}
        build = [
            sys.executable,
            "-m",
            "heliograph",
            "build",
            "--source",
            str(corpus.root),
            "--now",
            NOW,
        ]
        subprocess.run(build, check=True, capture_output=True, env=env)  # the cache, warm
        warm = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(build, check=True, capture_output=True, env=env)
            warm.append(time.perf_counter() - t)
        t = time.perf_counter()
        server = Server(corpus.root)
        server.get("/")
        startup = time.perf_counter() - t
        rows = [
            f"| {n:,} | start-up (a warm build with nothing to do: "
            f"{statistics.median(warm):.2f} s) | {startup:.2f} s | 1 |"
        ]
        try:
            for name, (save, page) in scenarios(corpus.root, corpus.slugs).items():
                times = []
                for i in range(runs):
                    time.sleep(PAUSE)
                    times.append(save_to_seen(server, partial(save, i), page))
                rows.append(
                    f"| {n:,} | {name} | {statistics.median(times) * 1000:.0f} ms "
                    f"(best {min(times) * 1000:.0f}) | {runs} |"
                )
        finally:
            server.stop()
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the preview from save to served page.")
    parser.add_argument(
        "-n", type=int, action="append", help="incidents (default 1,000 and 10,000)"
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print("| incidents | from a save to the page showing it | median | runs |")
    print("|---|---|---|---|")
    for n in args.n or [1000, 10_000]:
        for row in bench(n, args.runs):
            print(row, flush=True)


if __name__ == "__main__":
    main()
