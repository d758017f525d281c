"""Privacy figures: the personal-data guard and the person matcher, next to the machine.

Guard: catch rate (texts with personal data refused) and false-refusal rate (clean texts
refused), per language, per class, tuned, held-out, fresh, fresh2 (and its halves f2-tune and
f2-held) and fresh3 rows apart (tests/data/pii_eval, made by scripts/gen_pii_eval.py; fresh3,
hand-written before issue 15's fourth round changed a rule, is the honest figure). Matcher:
false hits per 10,000 checks per token kind, before and after the finer-token rule, and
recall per spelling-variant class, on synthetic registers of --people per country
(bench/privacy_register.py). Seeded, deterministic.

Run: .venv/bin/python bench/privacy.py [--people 20000] [--seed 15] [--skip-matcher]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import privacy_guard
import privacy_matcher


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20_000, help="people per register and country")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--skip-matcher", action="store_true")
    ap.add_argument("--f4-held-classes", action="store_true", help="also print f4-held per class")
    args = ap.parse_args()
    lines, _ = privacy_guard.run(args.f4_held_classes)
    print("\n".join(lines))
    if not args.skip_matcher:
        print("\n".join(privacy_matcher.report(privacy_matcher.run(args.people, args.seed))))


if __name__ == "__main__":
    main()
