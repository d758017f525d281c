"""Guard figures for bench/privacy.py: catch rate and false-refusal rate per language and class.

Reads tests/data/pii_eval/<lang>.tsv (scripts/gen_pii_eval.py) and the hand-written
tests/data/pii_eval/fresh3/<lang>.tsv; a row is refused when `find_pii` finds anything, as
publish would refuse it. Splits apart: tune, heldout, fresh, fresh2 (kk, ky, ru), and fresh2's
two halves: issue 15's fourth round tuned on `f2-tune` only and kept `f2-held` unread (chosen
by a hash of the text, so the halves share fresh2's templates: f2-held is held-out rows, not
held-out templates). `fresh3` (written by hand before the fourth round changed any rule, never
tuned on) was the honest figure of the fourth round. `fresh4` (tests/data/pii_eval/fresh4, made by
its own generator at the start of the fifth round, before any rule changed) is split the same
way into `f4-tune` (read while tuning) and `f4-held` (never read: its per-class lines are printed
only with held_classes=True, after the rules are final). `fresh5` (tests/data/pii_eval/fresh5, made
by its own generator at the start of the sixth round, before any rule changed, with given names on
none of the guard's lists) is never tuned on, not split, and its per-class lines are printed only
with held_classes=True; it is the honest figure of the sixth round.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from exchange.alerts.pii import find_pii

TABLES = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii_eval"
TODAY = date(2026, 6, 1)


SPLITS = (
    "tune",
    "heldout",
    "fresh",
    "fresh2",
    "f2-tune",
    "f2-held",
    "fresh3",
    "fresh4",
    "f4-tune",
    "f4-held",
    "fresh5",
)
HAND = ("fresh3", "fresh4", "fresh5")  # own folders, not in the 'all' line


def fresh2_half(text: str) -> str:
    """Which half of fresh2 a row is in: a fixed hash of its text, about half each."""
    return "f2-tune" if hashlib.sha256(text.encode()).digest()[0] % 2 == 0 else "f2-held"


def fresh4_half(text: str) -> str:
    """Which half of fresh4 a row is in: the same fixed hash of its text as fresh2's halves."""
    return "f4-tune" if hashlib.sha256(text.encode()).digest()[0] % 2 == 0 else "f4-held"


def rows() -> list[tuple[str, str, str, str, str]]:
    """(lang, split, label, class, text) of every table."""
    out = []
    paths = [*sorted(TABLES.glob("*.tsv"))] + [
        p for h in HAND for p in sorted((TABLES / h).glob("*.tsv"))
    ]
    for path in paths:
        for line in path.read_text("utf-8").splitlines()[2:]:
            split, label, cls, text = line.split("\t", 3)
            out.append((path.stem, split, label, cls, text))
    return out


def run(held_classes: bool = False) -> tuple[list[str], dict[str, float]]:
    """Printable lines and the per-language summary (catch and false-refusal rate, all rows)."""
    data = rows()
    t0 = time.perf_counter()
    refused = [bool(find_pii(text, TODAY)) for *_, text in data]
    secs = time.perf_counter() - t0
    agg: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (lang, split, label, cls, text), r in zip(data, refused, strict=True):
        splits = [split, fresh2_half(text)] if split == "fresh2" else [split]
        splits = [split, fresh4_half(text)] if split == "fresh4" else splits
        keys = [(lang, "all", label)] if split not in HAND else []
        for sp in splits:
            keys += [(lang, sp, label), ("ALL", sp, label), (lang, f"class:{sp}:{cls}", label)]
        for key in keys:
            agg[key][0] += 1
            agg[key][1] += r
    lines = [f"guard: {len(data)} labelled texts, {len(data) / secs:.0f} texts/s on one core"]
    head = f"  {'lang':<5}{'split':<9}{'catch':>14}{'false refusal':>20}"
    lines.append(head + "  ('all': not fresh3-5)")
    summary: dict[str, float] = {}
    langs = [*sorted({d[0] for d in data}), "ALL"]
    for lang in langs:
        for split in (*SPLITS, "all"):
            p, c = agg.get((lang, split, "pii"), [0, 0]), agg.get((lang, split, "clean"), [0, 0])
            if not p[0] and not c[0]:
                continue
            catch = p[1] / p[0] if p[0] else float("nan")
            fr = c[1] / c[0] if c[0] else float("nan")
            lines.append(f"  {lang:<5}{split:<9}{catch:>8.3f} ({p[0]:>3}){fr:>14.3f} ({c[0]:>3})")
            if split == "all":
                summary[lang] = catch
    lines.append("  by class: pii classes show the catch rate, clean ones the refusals")
    for split in SPLITS:
        if split in ("fresh4", "f4-held", "fresh5") and not held_classes:
            continue  # f4-held and fresh5 rows stay unread while tuning
        for lang in langs[:-1]:
            parts = []
            for (lg, key, _label), (n, r) in sorted(agg.items()):
                if lg == lang and key.startswith(f"class:{split}:"):
                    parts.append(f"{key.split(':', 2)[2]} {r / n:.2f}/{n}")
            if parts:
                lines.append(f"  {lang} {split}: " + ", ".join(parts))
    return lines, summary
