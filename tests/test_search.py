"""The archive's search index: what the page script searches, as a visitor would find it."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from conftest import update

from heliograph.build import Project, load_content
from heliograph.render.search import SEARCH_INDEX, TEXT_LIMIT, render_search

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SPACES = [" ", "  ", "\n", "\n\n", "\t", " \u00a0", "\u2003", "\r\n"]


def site_files(bodies: list[list[str]]) -> dict[str, str]:
    """One incident per list of update bodies, its updates 20 minutes apart, the last resolved."""
    files = {}
    for n, updates in enumerate(bodies):
        began = datetime(2026, 11, n % 18 + 1, 8, 0, tzinfo=UTC)
        for k, body in enumerate(updates):
            at = (began + timedelta(minutes=20 * k)).strftime("%Y-%m-%dT%H:%M:%SZ")
            status = "resolved" if k == len(updates) - 1 else "investigating"
            front: dict[str, object] = {}
            if k == 0:
                front = {"title": f"Incident {n}", "severity": "SEV-3"}
                front["components"] = {"api": "degraded_performance"}
            elif status == "resolved":
                front["components"] = {"api": "operational"}
            path = f"incidents/{began:%Y-%m-%d}-incident-{n}/{k + 1:02d}-{status}.md"
            files[path] = update(at, status, body, **front)
    return files


def words(rng: random.Random, count: int) -> str:
    """Words apart by runs of any whitespace, some of them long."""
    out = []
    for _ in range(count):
        out.append(rng.choice(["we", "are", "looking", "into", "errors", "on", "the", "API", "é"]))
        out.append(rng.choice(SPACES) * rng.choice([1, 1, 1, 3, 40]))
    return "".join(out)


def test_each_entry_holds_its_updates_newest_first_spaced_and_cut_at_the_limit(make_site):
    rng = random.Random(7)
    bodies = [
        [words(rng, rng.choice([0, 1, 5, 30, 60, 400])) or "." for _ in range(rng.randint(1, 4))]
        for _ in range(60)
    ]
    content = load_content(Project.at(make_site(site_files(bodies))), NOW)
    index = json.loads(render_search(content, NOW)[SEARCH_INDEX])
    assert len(index) == 60
    by_title = {entry["t"]: entry for entry in index}
    for n, updates in enumerate(bodies):
        # as the body reads in markdown, one space for each run, newest update first
        expected = " ".join(" ".join(body.split()) for body in reversed(updates))[:TEXT_LIMIT]
        assert by_title[f"Incident {n}"]["x"] == expected, n
    assert any(len(entry["x"]) == TEXT_LIMIT for entry in index)
    assert any(len(entry["x"]) < TEXT_LIMIT for entry in index)
