"""The policy model: groups, outbound share rules and inbound accept rules, as frozen values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from exchange.items.base import Acceptance
from exchange.records.deadlines import Terms

# Always in a view: what the alert is, who issued it, and the handling code the recipient
# must honour. Everything else is disclosed only when a rule lists it.
MANDATORY_FIELDS = frozenset({"alert_id", "version", "origin", "issued_at", "handling"})
FIELDS = frozenset(
    {
        "category",
        "risk",
        "reliability",
        "accuracy",
        "action_requested",
        "valid_until",
        "subject.tokens",
        "subject.birth_year",
        "subject.sex",
        "subject.nationality",
        "facility_region",
        "summary",
        "references",
        "handling_note",
    }
)
RECORD_REQUEST_MODES = ("no", "approve", "auto")


@dataclass(frozen=True)
class ShareRule:
    """What one peer or group may receive from us."""

    to: str  # a country code or a group name
    categories: frozenset[int]  # category codes; empty = none
    max_handling: int  # highest handling code allowed (HANDLING_H0..H3)
    fields: frozenset[str]
    record_requests: str = "no"  # no | approve (a person decides) | auto
    document_topics: frozenset[str] = frozenset()
    line: int = 0
    # auto: requests about alerts of these categories are answered at once with
    # record_fields (empty: every category); the rest wait for a person.
    record_categories: frozenset[int] = frozenset()
    record_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AcceptRule:
    """What we accept from one peer or group."""

    source: str
    categories: frozenset[int]
    max_batch: int = 500
    max_rate: float = 200.0  # entries per second, averaged
    line: int = 0
    document_topics: frozenset[str] = frozenset()  # documents taken only on these topics
    max_document_size: int = 512 * 1024**2  # bytes of one document's content
    document_budget: int = 4 * 1024**3  # bytes of live document content from this peer


@dataclass(frozen=True)
class Policy:
    country: str
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    share: tuple[ShareRule, ...] = ()
    accept: tuple[AcceptRule, ...] = ()
    text: str = ""
    # The country's own words for the personal-data guard ([guard]: list name -> words).
    guard: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Topics the region agreed on beyond the seeded ones ([topics]: name -> label).
    topics: tuple[tuple[str, str], ...] = ()
    # Deadlines for answering record requests ([records]).
    records: Terms = field(default_factory=Terms)

    @property
    def digest(self) -> str:
        """sha256 of the policy file as written (recorded in the audit log on every load)."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def groups_of(self, country: str) -> list[str]:
        return sorted(g for g, members in self.groups.items() if country in members)

    def share_rule(self, country: str) -> tuple[ShareRule | None, str]:
        """The one share rule for a peer, and why it applies (its own, or its group's)."""
        for rule in self.share:
            if rule.to == country:
                return rule, f"rule for {country} (line {rule.line})"
        for rule in self.share:
            if rule.to in self.groups and country in self.groups[rule.to]:
                return rule, f"rule for group {rule.to!r} (line {rule.line})"
        return None, f"no rule names {country} or a group it belongs to: default deny"

    def acceptance(self, country: str) -> Acceptance:
        """What we take from `country`, per item kind: nothing without a rule (default deny)."""
        rule = self.accept_rule(country)
        if rule is None:
            return Acceptance(categories=frozenset(), record_terms=self.records)
        return Acceptance(
            categories=rule.categories,
            document_topics=rule.document_topics,
            max_document_size=rule.max_document_size,
            document_budget=rule.document_budget,
            record_terms=self.records,
        )

    def document_topics_for(self, country: str) -> frozenset[str]:
        """The topics whose documents we send `country` (none without a rule)."""
        rule, _ = self.share_rule(country)
        return rule.document_topics if rule is not None else frozenset()

    def accept_rule(self, country: str) -> AcceptRule | None:
        for rule in self.accept:
            if rule.source == country:
                return rule
        for rule in self.accept:
            if rule.source in self.groups and country in self.groups[rule.source]:
                return rule
        return None
