"""The labeled wording corpus (tests/data/wording/corpus.jsonl) and how the checks score on it.

Each text is checked as a whole update (or a title) of a site named after its source, so that
GitHub's own name is not a provider on GitHub's page. A fixed quarter, by SHA-1 of the text, is
held out from the work on the rules.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from heliograph.checks.wordingmatch import Hit, find
from heliograph.content.model import WordingRule
from heliograph.content.wordingrules import DEFAULT_RULES

CORPUS = Path(__file__).parent / "data" / "wording" / "corpus.jsonl"
OWN_NAMES = {"githubstatus": "GitHub", "instructure": "Instructure", "cstate": "Flathub"}


@dataclass(frozen=True)
class Labeled:
    text: str
    labels: tuple[str, ...]
    kind: str
    source: str

    @property
    def held_out(self) -> bool:
        return hashlib.sha1(self.text.encode()).hexdigest()[0] in "0123"

    @property
    def own_name(self) -> str:
        return next((n for k, n in OWN_NAMES.items() if self.source.startswith(k)), "Acme")


def corpus() -> list[Labeled]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [Labeled(r["text"], tuple(r["labels"]), r["kind"], r["source"]) for r in rows]


def hits(item: Labeled, rules: tuple[WordingRule, ...] = DEFAULT_RULES) -> list[Hit]:
    return find(rules, item.text, item.own_name, title=item.kind == "title")


@dataclass(frozen=True)
class Score:
    bad: int
    bad_flagged: int
    clean: int
    clean_flagged: int
    by_label: dict[str, tuple[int, int]]  # label -> (texts, flagged by that check)

    @property
    def recall(self) -> float:
        return self.bad_flagged / self.bad

    @property
    def false_positive_rate(self) -> float:
        return self.clean_flagged / self.clean


def score(items: list[Labeled], rules: tuple[WordingRule, ...] = DEFAULT_RULES) -> Score:
    bad = bad_flagged = clean = clean_flagged = 0
    per: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for item in items:
        found = {h.rule for h in hits(item, rules)}
        if item.labels:
            bad += 1
            bad_flagged += bool(found)
            for label in item.labels:
                per[label] += 1
                caught[label] += label in found
        else:
            clean += 1
            clean_flagged += bool(found)
    return Score(bad, bad_flagged, clean, clean_flagged, {k: (per[k], caught[k]) for k in per})
