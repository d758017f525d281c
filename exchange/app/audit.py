"""Audit use cases: the newest events, checking the whole chain (and against the signed heads
our peers hold of it), and asking the peers for those heads.

Listing and checking read the database directly, so they work while the node is stopped;
asking the peers needs the running node."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from exchange._proto.v1 import envelope_pb2
from exchange.audit import GENESIS, AuditBroken, Event, verify_chain
from exchange.audit_alert import about
from exchange.audit_checkpoint import AUDIT_CHECKPOINT_PAYLOAD_TYPE, load_audit_checkpoint
from exchange.audit_witness import PeerHeads, WitnessReport, check_heads
from exchange.envelope import SigningKey, VerifyKey
from exchange.envelope import verify as envelope_verify
from exchange.errors import SignatureError
from exchange.store import repo, retention
from exchange.store.db import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from exchange.node.runtime import Node


@dataclass(frozen=True)
class ChainChecked:
    events: int
    head: bytes
    witnesses: WitnessReport | None  # None when the peers' heads were not asked for


def events(
    db: Database,
    event: str | None = None,
    alert_prefix: str | None = None,
    last: int = 0,
    request_prefix: str | None = None,
) -> list[Event]:
    """The newest `last` events (all if 0), of one kind, about one alert or one record
    request if given."""
    with db.read() as s:
        found = repo.audit_events(s, event)
    if alert_prefix is not None:
        found = [e for e in found if about(e.detail, alert_prefix)]
    if request_prefix is not None:
        found = [e for e in found if about_request(e.detail, request_prefix)]
    return found[-last:] if last else found


def about_request(detail: str, prefix: str) -> bool:
    """The event names a record request whose id starts with `prefix`."""
    if prefix not in detail:
        return False
    try:
        rid = json.loads(detail).get("request_id", "")
    except ValueError:
        return False
    return isinstance(rid, str) and rid.startswith(prefix)


def start_of(s: Session, own_keys: Mapping[str, VerifyKey] | None = None) -> tuple[int, bytes]:
    """Where the stored chain begins: after the last retention cut (whose signed checkpoint
    must match it and, given our own signing keys, verify), else at the genesis."""
    cut = retention.last_cut(s)
    if cut is None:
        return 0, GENESIS
    cp = load_audit_checkpoint(cut.envelope)
    if (cp.seq, cp.hash) != (cut.seq, cut.hash):
        raise AuditBroken(f"the retention cut at event {cut.seq} does not match its checkpoint")
    if own_keys is not None:
        try:
            envelope_verify(
                envelope_pb2.Envelope.FromString(cut.envelope),
                own_keys,
                AUDIT_CHECKPOINT_PAYLOAD_TYPE,
            )
        except SignatureError:
            raise AuditBroken(
                f"the retention cut at event {cut.seq} is not signed by this node's keys"
            ) from None
    return cut.seq, cut.hash


def verify(
    db: Database,
    witnessed: Sequence[PeerHeads] | None = None,
    own_keys: Mapping[str, VerifyKey] | None = None,
) -> ChainChecked:
    """Check every event's hash and the chain's head (raises AuditBroken), from the last
    retention cut; with the peers' heads, also that each lies on this chain (the report says
    which do not; heads before the cut are past retention and not checked). Ask the peers
    first: every head they hold must then be within the chain read after."""
    with db.read() as s:
        head = repo.audit_head(s)
        found = repo.audit_events(s)
        start = start_of(s, own_keys)
    count = verify_chain(found, head, start)
    report = None
    if witnessed is not None:
        report = check_heads([e.hash for e in found], witnessed, cut=start)
    return ChainChecked(count, head[1], report)


async def witnesses(node: Node) -> list[PeerHeads]:
    """The heads our peers hold of our audit log, verified against our own signing keys."""
    return await node.audit_heads.witnesses()


def own_signing_keys(state_dir: Path, country: str) -> dict[str, VerifyKey]:
    """This node's signing keys, current and retired (they signed its retention cuts)."""
    out: dict[str, VerifyKey] = {}
    for path in [state_dir / "sign.key", *sorted(state_dir.glob("sign.retired.*.key"))]:
        try:
            key = SigningKey.from_pem(path.read_bytes())
        except (OSError, ValueError):
            continue
        out[key.key_id] = VerifyKey.from_raw(country, key.public_raw)
    return out
