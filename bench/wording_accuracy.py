"""How the default wording checks score on the labeled corpus (tests/data/wording/).

    python bench/wording_accuracy.py [--misses]

Prints, for the part the rules were written against, the held-out quarter and the whole: the
share of bad texts flagged, the share of clean texts flagged, and per check how many of its
texts it caught. `--misses` lists every miss and every clean text flagged.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from wording_corpus import corpus, hits, score  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list the misses and false alarms")
    args = ap.parse_args()
    items = corpus()
    parts = {
        "written against": [i for i in items if not i.held_out],
        "held out": [i for i in items if i.held_out],
        "all": items,
    }
    print(f"{'part':16} {'bad flagged':>18} {'clean flagged':>18}")
    for name, part in parts.items():
        s = score(part)
        print(
            f"{name:16} {s.bad_flagged:>4}/{s.bad:<4} {s.recall:>7.1%} "
            f"{s.clean_flagged:>5}/{s.clean:<4} {s.false_positive_rate:>6.1%}"
        )
    print("\nper check (all): texts caught by that check")
    for label, (n, caught) in sorted(score(items).by_label.items()):
        print(f"  {label:14} {caught:>3}/{n:<3} {caught / n:.0%}")
    if args.misses:
        for item in items:
            found = hits(item)
            rules = {h.rule for h in found}
            if item.labels and not set(item.labels) & rules:
                print(f"missed {','.join(item.labels)}: {item.text}")
            elif not item.labels and found:
                print(f"flagged clean ({', '.join(sorted(rules))}): {item.text}")


if __name__ == "__main__":
    main()
