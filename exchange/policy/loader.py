"""Load a policy file (TOML) into a Policy, with errors that name the key and the line.

country = "kz"
[groups]
members = ["kg", "tj"]
[[share]]                       # one per peer or group; a peer's own rule beats its group's
to = "kg"
categories = ["*"]              # or names: release-notice, escape, ...
max_handling = "H2"
fields = ["category", "subject.tokens", "subject.birth_year", "facility_region"]
record_requests = "approve"     # no | approve | auto
document_topics = ["training"]
[[accept]]
from = "members"
categories = ["*"]
max_batch = 500
max_rate = 200                  # entries per second
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exchange import bounds
from exchange.alerts import model as alert_model
from exchange.alerts.pii_rules import EXTENSIBLE
from exchange.documents import topics as topic_names
from exchange.errors import ConfigError
from exchange.policy import records as policy_records
from exchange.policy.model import (
    FIELDS,
    MANDATORY_FIELDS,
    RECORD_REQUEST_MODES,
    AcceptRule,
    Policy,
    ShareRule,
)
from exchange.textfile import read_text

GROUP_RE = re.compile(r"^[a-z][a-z0-9_-]{2,31}$")
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z_]+)\s*\]\]?")
_KEY_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=")
SHARE_KEYS = {
    "to",
    "categories",
    "max_handling",
    "fields",
    "record_requests",
    "document_topics",
    "record_categories",
    "record_fields",
}
ACCEPT_KEYS = {
    "from",
    "categories",
    "max_batch",
    "max_rate",
    "document_topics",
    "max_document_size",
    "document_budget",
}
TOP_KEYS = {"country", "groups", "share", "accept", "guard", "topics", "records"}
MAX_TOPICS = 100
_SIZE_RE = re.compile(r"^\s*(\d{1,15})\s*(B|KiB|MiB|GiB|TiB)?\s*$")
_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}
MAX_GUARD_WORDS = 20_000  # per list
MAX_GUARD_WORD = 80


class PolicyError(ConfigError):
    """An invalid policy file: the message names the file, the line and the key."""


class _Bad(ValueError):
    """A bad value, with the key it belongs to (for the line number)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class _Lines:
    """Where each table and key stands in the file, to point errors at a line."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, int, str], int] = {}
        self.tables: dict[tuple[str, int], int] = {}
        counts: dict[str, int] = {}
        section, index = "", 0
        for no, line in enumerate(text.splitlines(), start=1):
            header = _HEADER_RE.match(line)
            if header:
                section = header.group(2)
                index = counts.get(section, 0)
                counts[section] = index + 1
                self.tables[(section, index)] = no
                continue
            key = _KEY_RE.match(line)
            if key:
                self.keys.setdefault((section, index, key.group(1)), no)

    def at(self, section: str, index: int, key: str | None = None) -> int:
        if key is not None and (section, index, key) in self.keys:
            return self.keys[(section, index, key)]
        return self.tables.get((section, index), 0)


def _categories(value: Any, where: str) -> frozenset[int]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'{where}: categories must be a list of names, or ["*"] for all')
    if "*" in value:
        return frozenset(code for code, _ in alert_model.CATEGORIES.values())
    out = set()
    for name in value:
        if name not in alert_model.CATEGORIES:
            raise _Bad(
                "categories",
                f"{where}: unknown category {name!r}; use one of "
                f'{", ".join(alert_model.CATEGORIES)} or "*"',
            )
        out.add(alert_model.CATEGORIES[name][0])
    return frozenset(out)


def _fields(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad("fields", f"{where}: fields must be a list of field names")
    if "*" in value:
        return FIELDS
    unknown = [v for v in value if v not in FIELDS | MANDATORY_FIELDS]
    if unknown:
        raise _Bad(
            "fields",
            f"{where}: unknown field {unknown[0]!r}; fields that can be disclosed: "
            f"{', '.join(sorted(FIELDS))} (always sent: {', '.join(sorted(MANDATORY_FIELDS))})",
        )
    return frozenset(v for v in value if v in FIELDS)


def _target(value: Any, groups: dict[str, frozenset[str]], where: str, key: str) -> str:
    if not isinstance(value, str) or not (alert_model.is_country(value) or value in groups):
        raise _Bad(
            key,
            f'{where}: {key} = {value!r} is neither a country code (like "kg") nor a group '
            f"defined under [groups] ({', '.join(sorted(groups)) or 'none defined'})",
        )
    return value


def parse_policy(text: str, source: str = "policy") -> Policy:
    """Parse and validate policy text; raise PolicyError pointing at the offending line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    lines = _Lines(text)

    def fail(msg: str, section: str = "", index: int = 0, key: str | None = None) -> PolicyError:
        line = lines.at(section, index, key)
        where = f"{source}, line {line}" if line else source
        return PolicyError(f"{where}: {msg}", hint="fix it and run `exchange policy check FILE`")

    unknown = set(data) - TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise fail(
            f"unknown key {key!r} (a policy has country, [groups], [[share]], [[accept]], "
            "[guard], [topics], [records])",
            key=key,
        )
    country = data.get("country")
    if not isinstance(country, str) or not alert_model.is_country(country):
        raise fail("'country' must be this node's two-letter code, like \"kz\"", key="country")

    extra_topics = _topics(data.get("topics", {}), fail)
    groups: dict[str, frozenset[str]] = {}
    raw_groups = data.get("groups", {})
    if not isinstance(raw_groups, dict):
        raise fail("[groups] must be a table of name = [countries]", key="groups")
    for name, members in raw_groups.items():
        if not GROUP_RE.match(name):
            raise fail(
                f"group name {name!r} must be 3-32 lower-case letters, digits, - or _",
                "groups",
                0,
                name,
            )
        if not isinstance(members, list) or not all(
            isinstance(m, str) and alert_model.is_country(m) for m in members
        ):
            raise fail(f"group {name!r} must list two-letter country codes", "groups", 0, name)
        groups[name] = frozenset(members)

    share: list[ShareRule] = []
    raw_share = data.get("share", [])
    if not isinstance(raw_share, list):
        raise fail("'share' must be written as [[share]] tables", key="share")
    seen: dict[str, int] = {}
    for i, rule in enumerate(raw_share):
        where = f"[[share]] #{i + 1}"
        extra = set(rule) - SHARE_KEYS
        if extra:
            k = sorted(extra)[0]
            raise fail(
                f"{where}: unknown key {k!r} (accepted: {', '.join(sorted(SHARE_KEYS))})",
                "share",
                i,
                k,
            )
        for required in ("to", "categories", "max_handling", "fields"):
            if required not in rule:
                raise fail(f"{where}: {required!r} is missing", "share", i)
        try:
            to = _target(rule["to"], groups, where, "to")
            cats = _categories(rule["categories"], where)
            fields = _fields(rule["fields"], where)
        except _Bad as exc:
            raise fail(str(exc), "share", i, exc.key) from None
        handling = rule["max_handling"]
        if handling not in alert_model.HANDLING:
            raise fail(
                f"{where}: max_handling must be H0, H1, H2 or H3", "share", i, "max_handling"
            )
        mode = rule.get("record_requests", "no")
        if mode not in RECORD_REQUEST_MODES:
            raise fail(
                f"{where}: record_requests must be one of {', '.join(RECORD_REQUEST_MODES)}",
                "share",
                i,
                "record_requests",
            )
        topics = _topic_list(rule, extra_topics, where, fail, "share", i)
        if to in seen:
            raise fail(
                f"{where}: a second rule for {to!r} (the first is at line {seen[to]})",
                "share",
                i,
                "to",
            )
        line = lines.at("share", i, "to")
        seen[to] = line
        try:
            rec_cats = _categories(rule.get("record_categories", []), where)
            rec_fields = policy_records.record_fields(rule.get("record_fields", []), where)
        except _Bad as exc:
            raise fail(str(exc), "share", i, "record_categories") from None
        except ValueError as exc:
            raise fail(str(exc), "share", i, "record_fields") from None
        share.append(
            ShareRule(
                to,
                cats,
                alert_model.HANDLING[handling],
                fields,
                mode,
                frozenset(topics),
                line,
                rec_cats,
                rec_fields,
            )
        )

    # A peer in two groups that both have rules, without its own rule, is ambiguous.
    direct = {r.to for r in share if r.to not in groups}
    for c in sorted(set().union(*groups.values()) if groups else set()):
        if c in direct:
            continue
        ruled = [r for r in share if r.to in groups and c in groups[r.to]]
        if len(ruled) > 1:
            raise fail(
                f"{c} is in groups {ruled[0].to!r} and {ruled[1].to!r}, which both have share "
                f"rules (lines {ruled[0].line} and {ruled[1].line}); add a [[share]] rule for "
                f"{c} itself",
                "share",
                0,
            )

    accept: list[AcceptRule] = []
    raw_accept = data.get("accept", [])
    if not isinstance(raw_accept, list):
        raise fail("'accept' must be written as [[accept]] tables", key="accept")
    for i, rule in enumerate(raw_accept):
        where = f"[[accept]] #{i + 1}"
        extra = set(rule) - ACCEPT_KEYS
        if extra:
            k = sorted(extra)[0]
            raise fail(
                f"{where}: unknown key {k!r} (accepted: {', '.join(sorted(ACCEPT_KEYS))})",
                "accept",
                i,
                k,
            )
        for required in ("from", "categories"):
            if required not in rule:
                raise fail(f"{where}: {required!r} is missing", "accept", i)
        try:
            source_ = _target(rule["from"], groups, where, "from")
            cats = _categories(rule["categories"], where)
        except _Bad as exc:
            raise fail(str(exc), "accept", i, exc.key) from None
        max_batch = rule.get("max_batch", 500)
        if not isinstance(max_batch, int) or not 1 <= max_batch <= 10_000:
            raise fail(
                f"{where}: max_batch must be a whole number from 1 to 10000",
                "accept",
                i,
                "max_batch",
            )
        max_rate = rule.get("max_rate", 200)
        if not isinstance(max_rate, int | float) or isinstance(max_rate, bool) or max_rate <= 0:
            raise fail(
                f"{where}: max_rate must be a positive number of entries per second",
                "accept",
                i,
                "max_rate",
            )
        topics = _topic_list(rule, extra_topics, where, fail, "accept", i)
        sizes = {
            key: _size(rule.get(key, default), f"{where}: {key}", fail, "accept", i, key)
            for key, default in (
                ("max_document_size", AcceptRule.max_document_size),
                ("document_budget", AcceptRule.document_budget),
            )
        }
        accept.append(
            AcceptRule(
                source_,
                cats,
                max_batch,
                float(max_rate),
                lines.at("accept", i, "from"),
                frozenset(topics),
                **sizes,
            )
        )

    guard = _guard(data.get("guard", {}), fail)
    return Policy(
        country,
        groups,
        tuple(share),
        tuple(accept),
        text,
        guard,
        tuple(extra_topics.items()),
        policy_records.terms(data.get("records", {}), fail),
    )


def _topics(raw: Any, fail: Callable[..., PolicyError]) -> dict[str, str]:
    """Topics the region agreed on beyond the seeded ones: name = "label"."""
    if not isinstance(raw, dict) or len(raw) > MAX_TOPICS:
        raise fail(
            f"'topics' must be a table of at most {MAX_TOPICS} name = \"label\"", key="topics"
        )
    out = {}
    for name, label in raw.items():
        if not topic_names.TOPIC_RE.fullmatch(name):
            raise fail(
                f"[topics]: {name[:50]!r} is not a topic name (lower-case letters, digits, '-')",
                key="topics",
            )
        if not isinstance(label, str) or bounds.text_problem(label, "label", 100):
            raise fail(
                f"[topics]: {name}: the label must be text of at most 100 characters", key="topics"
            )
        out[name] = label
    return out


def _topic_list(
    rule: dict[str, Any],
    extra: dict[str, str],
    where: str,
    fail: Callable[..., PolicyError],
    table: str,
    i: int,
) -> list[str]:
    topics = rule.get("document_topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise fail(
            f"{where}: document_topics must be a list of topic names", table, i, "document_topics"
        )
    for t in topics:
        if p := topic_names.problem(t, extra):
            raise fail(f"{where}: document_topics: {p}", table, i, "document_topics")
    return topics


def _size(
    value: Any, where: str, fail: Callable[..., PolicyError], table: str, i: int, key: str
) -> int:
    """Bytes, written as a whole number or with a unit: "256 MiB"."""
    m = _SIZE_RE.match(value) if isinstance(value, str) else None
    n = value if isinstance(value, int) and not isinstance(value, bool) else None
    if m is not None:
        n = int(m.group(1)) * _UNITS[m.group(2) or "B"]
    if n is None or not 0 < n <= 2**50:
        raise fail(f'{where} must be a size in bytes, like 268435456 or "256 MiB"', table, i, key)
    return n


def _guard(raw: Any, fail: Callable[..., PolicyError]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A country's own words for the personal-data guard: known list names only, each a
    bounded list of short plain strings."""
    if not isinstance(raw, dict):
        raise fail("'guard' must be a table of word lists: [guard]", key="guard")
    out = []
    for name, words in sorted(raw.items()):
        if name not in EXTENSIBLE:
            raise fail(
                f"[guard]: unknown list {name!r} (lists: {', '.join(sorted(EXTENSIBLE))})",
                key="guard",
            )
        if not isinstance(words, list) or len(words) > MAX_GUARD_WORDS:
            raise fail(
                f"[guard]: {name} must be a list of at most {MAX_GUARD_WORDS} words", key="guard"
            )
        for w in words:
            bad = not isinstance(w, str) or not w.strip() or len(w) > MAX_GUARD_WORD
            if bad or bounds.text_problem(w, name, MAX_GUARD_WORD) is not None:
                raise fail(
                    f"[guard]: {name} holds {str(w)[:40]!r}: each entry is plain text of 1 to "
                    f"{MAX_GUARD_WORD} characters",
                    key="guard",
                )
        out.append((name, tuple(w.strip() for w in words)))
    return tuple(out)


def load_policy(path: Path, country: str | None = None) -> Policy:
    """Read and validate a policy file; with `country`, it must be that node's policy."""
    text = read_text(
        path,
        "policy file",
        error=PolicyError,
        missing_hint="write one (see nodes/kz.policy.toml) or set 'policy' in the node config",
    )
    policy = parse_policy(text, str(path))
    if country is not None and policy.country != country:
        raise PolicyError(
            f"{path}: this policy is for {policy.country!r}, but the node is {country!r}"
        )
    return policy
