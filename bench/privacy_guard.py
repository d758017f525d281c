"""Guard figures for bench/privacy.py: catch rate and false-refusal rate per language and class.

Reads tests/data/pii_eval/<lang>.tsv (scripts/gen_pii_eval.py); a row is refused when
`find_pii` finds anything, as publish would refuse it. Tuned, held-out, fresh and fresh2 rows
apart: `fresh2` rows (kk, ky, ru; written at the start of issue 15's third round, never tuned
on) are the honest figure.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from exchange.alerts.pii import find_pii

TABLES = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii_eval"
TODAY = date(2026, 6, 1)


def rows() -> list[tuple[str, str, str, str, str]]:
    """(lang, split, label, class, text) of every table."""
    out = []
    for path in sorted(TABLES.glob("*.tsv")):
        for line in path.read_text("utf-8").splitlines()[2:]:
            split, label, cls, text = line.split("\t", 3)
            out.append((path.stem, split, label, cls, text))
    return out


def run() -> tuple[list[str], dict[str, float]]:
    """Printable lines and the per-language summary (catch and false-refusal rate, all rows)."""
    data = rows()
    t0 = time.perf_counter()
    refused = [bool(find_pii(text, TODAY)) for *_, text in data]
    secs = time.perf_counter() - t0
    agg: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (lang, split, label, cls, _), r in zip(data, refused, strict=True):
        for key in ((lang, split, label), (lang, "all", label), ("ALL", split, label)):
            agg[key][0] += 1
            agg[key][1] += r
        agg[(lang, f"class:{split}:{cls}", label)][0] += 1
        agg[(lang, f"class:{split}:{cls}", label)][1] += r
    lines = [f"guard: {len(data)} labelled texts, {len(data) / secs:.0f} texts/s on one core"]
    lines.append(f"  {'lang':<5}{'split':<9}{'catch':>14}{'false refusal':>20}")
    summary: dict[str, float] = {}
    langs = [*sorted({d[0] for d in data}), "ALL"]
    for lang in langs:
        for split in ("tune", "heldout", "fresh", "fresh2", "all"):
            p, c = agg.get((lang, split, "pii"), [0, 0]), agg.get((lang, split, "clean"), [0, 0])
            if not p[0] and not c[0]:
                continue
            catch = p[1] / p[0] if p[0] else float("nan")
            fr = c[1] / c[0] if c[0] else float("nan")
            lines.append(f"  {lang:<5}{split:<9}{catch:>8.3f} ({p[0]:>3}){fr:>14.3f} ({c[0]:>3})")
            if split == "all":
                summary[lang] = catch
    lines.append("  by class: pii classes show the catch rate, clean ones the refusals")
    for split in ("tune", "heldout", "fresh", "fresh2"):
        for lang in langs[:-1]:
            parts = []
            for (lg, key, _label), (n, r) in sorted(agg.items()):
                if lg == lang and key.startswith(f"class:{split}:"):
                    parts.append(f"{key.split(':', 2)[2]} {r / n:.2f}/{n}")
            if parts:
                lines.append(f"  {lang} {split}: " + ", ".join(parts))
    return lines, summary
