"""A generated status site for benchmarks and cache tests: N incidents over three years.

Deterministic from a seed: the same (n, seed) writes the same bytes. Twelve components in
three groups, 1-8 updates of 50-200 words per incident, in the documented front-matter format,
with some scheduled maintenance and a few postmortems. Every incident is closed, so a build at
`corpus_now()` passes the cadence rules; `add_update` and `add_open_incident` make the edits
the benchmark times.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

END = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # the corpus's last incident begins before this
SPAN = timedelta(days=3 * 365)
GROUPS = {
    "Core": ("api", "webhooks", "web", "login"),
    "Publishing": ("publishing-api", "media", "scheduler", "search"),
    "Infrastructure": ("database", "cdn", "email", "dns"),
}
COMPONENTS = tuple(c for members in GROUPS.values() for c in members)
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
OUTAGES = ("degraded_performance", "partial_outage", "major_outage")
FLOW = ("investigating", "identified", "monitoring")
WORDS = (
    "we are investigating elevated error rates for requests to the service some customers see "
    "slow responses and timeouts while our engineers review recent deploys and database load a "
    "fix has been identified and is rolling out across every region traffic is recovering and "
    "we continue to monitor queue depth latency and retries before we call this resolved thank "
    "you for your patience we will post the next update as soon as we know more about the cause "
    "affected accounts may need to retry failed jobs no data was lost during this incident"
).split()
TITLES = (
    "Elevated API error rates",
    "Slow dashboard loading",
    "Delayed webhook delivery",
    "Sign-in failures for some users",
    "Media uploads failing",
    "Search results delayed",
    "Email notifications delayed",
    "DNS resolution errors",
    "Scheduled posts not sent",
    "Database latency",
)

CONFIG = """\
site:
  name: Bench Corp
  url: https://status.bench.example
  timezone: Europe/Berlin
  uptime_days: 90
  history_days: 14
components:
{components}"""


@dataclass(frozen=True)
class Corpus:
    """What was written: the site folder, its incident slugs (oldest first) and update count."""

    root: Path
    slugs: tuple[str, ...]
    updates: int


def corpus_now() -> datetime:
    """A build time after every generated update."""
    return END + timedelta(days=5)


def components_yaml() -> str:
    lines = []
    for group, members in GROUPS.items():
        lines += [f"  - group: {group}", "    components:"]
        lines += [
            f"      - {{id: {cid}, name: {cid.replace('-', ' ').title()}}}" for cid in members
        ]
    return CONFIG.format(components="\n".join(lines) + "\n")


def body(rng: random.Random) -> str:
    """50-200 words in two or three paragraphs, sometimes with a short list."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(50, 200))]
    cuts = sorted(rng.sample(range(10, len(words) - 10), rng.randint(1, 2)))
    parts = [words[a:b] for a, b in zip([0, *cuts], [*cuts, len(words)], strict=True)]
    paragraphs = [" ".join(p).capitalize() + "." for p in parts]
    if rng.random() < 0.15:
        paragraphs.append("\n".join(f"- {rng.choice(TITLES)}" for _ in range(3)))
    return "\n\n".join(paragraphs)


def front(fields: dict[str, object]) -> str:
    lines = []
    for key, value in fields.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {v}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def incident_files(rng: random.Random, began: datetime) -> dict[str, str]:
    """The update files of one closed incident that began at `began`."""
    affected = {c: rng.choice(OUTAGES) for c in rng.sample(COMPONENTS, rng.randint(1, 3))}
    count = rng.randint(1, 8)
    at = began + timedelta(minutes=rng.randint(2, 9))
    first = {
        "at": stamp(at),
        "status": "investigating",
        "title": rng.choice(TITLES),
        "severity": rng.choice(SEVERITIES),
        "components": affected,
        "started": stamp(began),
    }
    files = {}
    for n in range(1, count + 1):
        last = n == count
        fields = first if n == 1 else {"at": stamp(at), "status": FLOW[min(n - 1, 2)]}
        if last:
            fields = {
                **fields,
                "status": "resolved",
                "components": {c: "operational" for c in affected},
            }
        files[f"{n:02d}-{fields['status']}.md"] = front(fields) + body(rng) + "\n"
        at += timedelta(minutes=rng.randint(10, 25))
    return files


def maintenance_files(rng: random.Random, began: datetime) -> dict[str, str]:
    """A maintenance window announced a week ahead, then started and completed."""
    affected = {c: "under_maintenance" for c in rng.sample(COMPONENTS, rng.randint(1, 2))}
    until = began + timedelta(hours=rng.randint(1, 4))
    return {
        "01-scheduled.md": front(
            {
                "at": stamp(began - timedelta(days=7)),
                "kind": "maintenance",
                "status": "scheduled",
                "title": f"Planned {rng.choice(('database', 'network', 'storage'))} maintenance",
                "components": affected,
                "scheduled_for": stamp(began),
                "scheduled_until": stamp(until),
            }
        )
        + body(rng)
        + "\n",
        "02-in-progress.md": front({"at": stamp(began), "status": "in_progress"})
        + body(rng)
        + "\n",
        "03-completed.md": front(
            {
                "at": stamp(until - timedelta(minutes=5)),
                "status": "completed",
                "components": {c: "operational" for c in affected},
            }
        )
        + body(rng)
        + "\n",
    }


def write_incident(root: Path, slug: str, files: dict[str, str]) -> int:
    folder = root / "incidents" / slug
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sum(name != "postmortem.md" for name in files)


def write_corpus(root: Path, n: int, seed: int = 1) -> Corpus:
    """Write a site of `n` incidents into `root` (created; must not hold another site)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "components.yaml").write_text(components_yaml(), encoding="utf-8")
    start = END - SPAN
    offsets = sorted(rng.randrange(int(SPAN.total_seconds()) // 60) for _ in range(n))
    slugs, updates = [], 0
    for i, minutes in enumerate(offsets):
        began = start + timedelta(minutes=minutes)
        maintenance = rng.random() < 0.08
        files = (maintenance_files if maintenance else incident_files)(rng, began)
        if not maintenance and rng.random() < 0.03:
            files["postmortem.md"] = (
                front({"at": stamp(began + timedelta(days=3))})
                + "## Summary\n\n"
                + body(rng)
                + "\n"
            )
        slug = f"{began:%Y-%m-%d}-{'maintenance' if maintenance else 'incident'}-{i:05d}"
        updates += write_incident(root, slug, files)
        slugs.append(slug)
    return Corpus(root, tuple(slugs), updates)


def add_update(root: Path, slug: str, seed: int = 2) -> Path:
    """Append a short note to a closed incident, one minute after its last update."""
    folder = root / "incidents" / slug
    last = max(p for p in folder.glob("[0-9]*.md"))
    at = next(line for line in last.read_text().splitlines() if line.startswith("at: "))
    when = datetime.fromisoformat(at.removeprefix("at: ")) + timedelta(minutes=1)
    number = int(last.name[:2]) + 1
    path = folder / f"{number:02d}-note.md"
    path.write_text(
        front({"at": stamp(when), "status": "resolved"}) + body(random.Random(seed)) + "\n",
        encoding="utf-8",
    )
    return path


def add_open_incident(root: Path, now: datetime, seed: int = 3) -> Path:
    """A new SEV-3 incident, still investigating, posted ten minutes before `now`."""
    rng = random.Random(seed)
    began = now - timedelta(minutes=15)
    folder = root / "incidents" / f"{began:%Y-%m-%d}-new-open-incident-{seed}"
    write_incident(
        root,
        folder.name,
        {
            "01-investigating.md": front(
                {
                    "at": stamp(now - timedelta(minutes=10)),
                    "status": "investigating",
                    "title": "Elevated API error rates",
                    "severity": "SEV-3",
                    "components": {"api": "degraded_performance"},
                    "started": stamp(began),
                }
            )
            + body(rng)
            + "\n"
        },
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a generated Heliograph site.")
    parser.add_argument("root", type=Path)
    parser.add_argument("-n", type=int, default=1000, help="number of incidents")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    corpus = write_corpus(args.root, args.n, args.seed)
    print(
        f"{len(corpus.slugs)} incidents, {corpus.updates} updates in {corpus.root}; "
        f"build with --now {stamp(corpus_now())}"
    )


if __name__ == "__main__":
    main()
