"""Matcher figures for bench/privacy.py: recall and false hits per 10,000 checks, per kind.

A *check* is one person of register A (Cyrillic) looked up against the whole register B
(Latin) of the same country; a *false hit* is a check that hits someone else in B. "before"
counts every kind that shares a value (the rules before this change: any shared token is a
hit); "after" applies `match_kinds` (a coarse year token does not count when a finer token
that both sides hold disagrees) and reports hits (strong kinds) apart from leads.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import date
from typing import Any

from privacy_register import HARD, Person, Population, hard_variant, write_latin

from exchange.matching import KINDS, Identity, derive_tokens, match_kinds, strength

KEY = b"bench-privacy-matching-key-32by!"
EPOCH = 1
Triple = tuple[str, int, bytes]


def _tokens(p: Person) -> set[Triple]:
    ident = Identity(
        p.surname,
        p.given,
        p.patronymic,
        birth_date=p.dob,
        birth_year=None if p.dob else p.year,
        sex=p.sex,
    )
    return {(t.kind, t.epoch, t.value) for t in derive_tokens(ident, KEY, EPOCH)}


def _country(country: str, size: int, seed: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}-{country}")
    pop = Population(country, rng)
    shared = max(1, size // 100)
    a_people = [pop.person() for _ in range(size)]
    b_people = [pop.person() for _ in range(size - shared)]
    b_latin = [write_latin(p, "", rng) for p in b_people]
    # shared people: A's record of them, then B's record in Latin (ordinary or one hard variant)
    pairs: list[tuple[int, int, str]] = []  # (index in A, index in B, variant class)
    for n in range(shared):
        a_idx = n * (size // shared)
        p = a_people[a_idx]
        kind = "ordinary" if n % 2 == 0 else HARD[(n // 2) % len(HARD)]
        varied = hard_variant(p, kind, country, rng) if kind != "ordinary" else p
        if varied is None:
            kind, varied = "ordinary", p
        b_latin.append(write_latin(varied, kind, rng))
        pairs.append((a_idx, len(b_latin) - 1, kind))
    # the index of B: token -> people holding it
    b_tokens = [_tokens(p) for p in b_latin]
    index: dict[Triple, list[int]] = defaultdict(list)
    for i, toks in enumerate(b_tokens):
        for t in toks:
            index[t].append(i)
    same = {a: b for a, b, _ in pairs}
    before: dict[str, int] = defaultdict(int)
    after: dict[str, int] = defaultdict(int)
    level: dict[str, int] = defaultdict(int)
    a_tokens: dict[int, set[Triple]] = {}
    for ai, p in enumerate(a_people):
        toks = _tokens(p)
        a_tokens[ai] = toks
        cands = {bi for t in toks for bi in index.get(t, ()) if bi != same.get(ai)}
        kinds_before: set[str] = set()
        kinds_after: set[str] = set()
        for bi in cands:
            kinds_before |= {k for k, _, _ in toks & b_tokens[bi]}
            kinds_after |= set(match_kinds(toks, b_tokens[bi]))
        for k in kinds_before:
            before[k] += 1
        for k in kinds_after:
            after[k] += 1
        if kinds_before:
            level["any-before"] += 1
        s = strength(kinds_after)
        if s == "hit":
            level["hit"] += 1
        if s:
            level["hit-or-lead"] += 1
    recall: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, any-before, hit, lead+
    for ai, bi, kind in pairs:
        r = recall[kind]
        r[0] += 1
        raw = a_tokens[ai] & b_tokens[bi]
        s = strength(match_kinds(a_tokens[ai], b_tokens[bi]))
        r[1] += bool(raw)
        r[2] += s == "hit"
        r[3] += bool(s)
    return {"checks": size, "before": before, "after": after, "level": level, "recall": recall}


def run(size: int, seed: int) -> dict[str, Any]:
    """Figures for kz, kg and tj, summed; with the wall time and derivations per second."""
    t0 = time.perf_counter()
    total: dict[str, Any] = {"checks": 0, "before": defaultdict(int), "after": defaultdict(int)}
    total["level"] = defaultdict(int)
    total["recall"] = defaultdict(lambda: [0, 0, 0, 0])
    for country in ("kz", "kg", "tj"):
        one = _country(country, size, seed)
        total["checks"] += one["checks"]
        for part in ("before", "after", "level"):
            for k, v in one[part].items():
                total[part][k] += v
        for k, v in one["recall"].items():
            total["recall"][k] = [x + y for x, y in zip(total["recall"][k], v, strict=True)]
    total["seconds"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    probe = Identity("Рахмонов", "Фирдавс", "Саидович", birth_date=date(1990, 1, 1), sex="m")
    for _ in range(500):
        derive_tokens(probe, KEY, EPOCH)
    total["identities_per_s"] = 500 / (time.perf_counter() - t1)
    return total


def report(fig: dict[str, Any]) -> list[str]:
    """The figures as printable lines."""
    n = fig["checks"]
    per10k = 10_000 / n
    lines = [f"matcher: {n} checks (3 countries x {n // 3}), register B in Latin, 1% shared"]
    lines.append(f"  {'kind':<22}{'false hits/10k before':>24}{'after':>10}")
    for k in KINDS:
        b, a = fig["before"].get(k, 0) * per10k, fig["after"].get(k, 0) * per10k
        lines.append(f"  {k:<22}{b:>24.1f}{a:>10.1f}")
    lv = fig["level"]
    lines.append(
        f"  any shared token (before): {lv['any-before'] * per10k:.1f}/10k; "
        f"after: hit (strong) {lv['hit'] * per10k:.1f}/10k, hit or lead "
        f"{lv['hit-or-lead'] * per10k:.1f}/10k"
    )
    lines.append(
        f"  {'recall by variant':<22}{'n':>6}{'before(any)':>13}{'hit':>8}{'hit|lead':>10}"
    )
    for kind, (cnt, anyb, hit, lead) in sorted(fig["recall"].items()):
        lines.append(f"  {kind:<22}{cnt:>6}{anyb / cnt:>13.3f}{hit / cnt:>8.3f}{lead / cnt:>10.3f}")
    lines.append(
        f"  time {fig['seconds']:.1f} s; this machine derives "
        f"{fig['identities_per_s']:.0f} identities' tokens/s on one core"
    )
    return lines
