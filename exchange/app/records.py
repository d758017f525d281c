"""Record requests: a liaison officer asks the owning country for the record behind an alert
or a hit; the owner refuses by policy, answers automatically, or queues the request for an
approver; the answer is sealed to the requesting node and opened only when an officer reads it.

Both sides keep one case row per request (exchange.store.records) and audit every step with
the acting user, the purpose and the time, never the record's content.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import uuid6
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from exchange import actor, bounds
from exchange._proto.v1 import alert_pb2, record_pb2, trust_pb2
from exchange.alerts import model
from exchange.alerts.pii import check_summary
from exchange.app import keyed
from exchange.errors import AlreadyExists, Error, MalformedInput, NotFound, NotPermitted
from exchange.node import identity as identity_mod
from exchange.policy.records import RECORD_FIELDS
from exchange.records import attach, checks, deadlines, seal
from exchange.records.cases import FINAL_IN, IN, OUT, blank
from exchange.records.roles import name_problem
from exchange.store import alert_ids, documents, repo
from exchange.store import records as store
from exchange.store.db import aware
from exchange.store.models import Entry, RecordCaseRow
from exchange.sync.recordqueue import audit, queue_item
from exchange.trust.certificate import node_key_id

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from exchange.node.runtime import Node

POLICY = "policy"  # decided_by of an automatic decision


@dataclass(frozen=True)
class CaseView:
    """One request as an officer, approver or auditor sees it (never the record itself)."""

    row: RecordCaseRow
    state: str  # the stored state, or "overdue" when its deadline passed unanswered
    seconds_left: int


@dataclass(frozen=True)
class Opened:
    """An opened answer: its fields, and its attachments as the officer sees them (name,
    type, size, hash, how much of the ciphertext is here; never their keys)."""

    case: CaseView
    record: record_pb2.SealedRecord = field(default_factory=record_pb2.SealedRecord)
    attachments: tuple[record_pb2.RecordAttachment, ...] = ()


def acting_user() -> str:
    """The node user (or OS user) behind the current Operator request."""
    who = actor.current() or {}
    return str(who.get("name") or who.get("user") or "")


def _no_names(text: str, now: datetime, field: str) -> None:
    """The personal-data guard on a request's or a decision's free text; it names no one,
    and unlike an alert's summary there is no override."""
    try:
        check_summary(text, now.date(), field=field)
    except MalformedInput as err:
        raise MalformedInput(
            err.message,
            hint="say what the record is needed for without naming anyone (the alert or the "
            "hit already says who): e.g. 'risk assessment before the transfer'",
        ) from None


def view(row: RecordCaseRow, now: datetime) -> CaseView:
    left = deadlines.seconds_left(aware(row.due_at), now)
    open_ = row.state in ("sent", "received", "queued")
    return CaseView(row, "overdue" if open_ and left < 0 else row.state, left)


def _one(s: Session, request_id: str, direction: str) -> RecordCaseRow:
    rid = request_id.strip().lower()
    if len(rid) < 8 or len(rid) > 36:
        raise MalformedInput("give a request id (or its first 8+ characters)")
    found = store.find(s, rid, direction)
    if not found:
        side = "sent by this node" if direction == OUT else "received by this node"
        raise NotFound(f"no record request {rid!r} {side}", hint="see `exchange records list`")
    if len(found) > 1:
        raise MalformedInput(f"{rid!r} names several requests; give more of the id")
    return found[0]


# -- requesting ----------------------------------------------------------------------------


def parse_hit(ref: str) -> tuple[str, str, str]:
    """ORIGIN:ALERT_ID:KIND, as `exchange match` prints a hit."""
    parts = ref.strip().split(":")
    if len(parts) != 3 or not model.is_country(parts[0]) or not bounds.is_uuid7(parts[1]):
        raise MalformedInput(
            f"{ref[:80]!r} is not a hit reference",
            hint="copy it from `exchange match`: ORIGIN:ALERT_ID:KIND",
        )
    return parts[0], parts[1], parts[2]


async def _resolve_alert(node: Node, origin: str, alert_id: str) -> str:
    """The whole id of `origin`'s alert named by its id or an unambiguous prefix (8+)."""
    prefix = keyed.id_prefix(alert_id)

    def find() -> list[tuple[str, str]]:
        with node.db.read() as s:
            return alert_ids.with_prefix(s, origin, prefix)

    found = await node.run_db(find)
    if not found:
        raise NotFound(
            f"no alert {alert_id[:40]!r} from {origin} is held here",
            hint="request the record behind an alert you received: see `exchange alerts list`",
        )
    return keyed.pick(alert_id, found)[1]


async def request(
    node: Node,
    to: str,
    alert_id: str,
    hit_ref: str,
    purpose: str,
    legal_basis: str,
    urgent: bool,
    now: datetime,
) -> CaseView:
    """Ask `to` for the record behind one of its alerts (named directly or by a hit)."""
    kind = ""
    if hit_ref:
        origin, alert_id, kind = parse_hit(hit_ref)
        if to and to != origin:
            raise MalformedInput(f"the hit is on an alert of {origin}, not of {to}")
        to = origin
    if not model.is_country(to) or node.peers.get(to) is None:
        raise NotFound(f"{to[:8]!r} is not a peer of this node", hint="see `exchange peers list`")
    alert_id = await _resolve_alert(node, to, alert_id)
    _no_names(purpose, now, "purpose")
    _no_names(legal_basis, now, "legal basis")
    r = record_pb2.RecordRequest(
        request_id=str(uuid6.uuid7()),
        requester=node.country,
        owner=to,
        alert_origin=to,
        alert_id=alert_id.strip().lower(),
        hit_kind=kind,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        urgent=urgent,
        officer="" if name_problem(acting_user()) else acting_user(),
    )
    r.requested_at.CopyFrom(model.timestamp(now))
    if p := checks.request_problem(r, now):
        raise MalformedInput(f"the request's {p}" if not p.startswith(("purpose", "legal")) else p)
    terms = node.policy.records

    def write() -> RecordCaseRow:
        with node.db.write() as s:
            if not repo.alert_versions(s, to, r.alert_id):
                raise NotFound(
                    f"no alert {r.alert_id} from {to} is held here",
                    hint="request the record behind an alert you received: "
                    "see `exchange alerts list`",
                )
            queue_item(s, node.country, to, node.identity.signing, r, r.request_id, now)
            row = RecordCaseRow(
                **blank(
                    direction=OUT,
                    peer=to,
                    request_id=r.request_id,
                    state="sent",
                    alert_origin=to,
                    alert_id=r.alert_id,
                    hit_kind=kind,
                    purpose=r.purpose,
                    legal_basis=r.legal_basis,
                    urgent=urgent,
                    officer=r.officer,
                    requested_at=now,
                    due_at=deadlines.due(now, urgent, terms),
                )
            )
            s.add(row)
            audit(
                s,
                now,
                "record.requested",
                {
                    "request_id": r.request_id,
                    "alert_id": r.alert_id,
                    "hit_kind": kind,
                    "urgent": urgent,
                    "purpose": r.purpose,
                    "legal_basis": r.legal_basis,
                },
                to,
            )
            s.flush()
            return row

    row = await node.run_db(write)
    node.wake_senders()
    return view(row, now)


async def listing(
    node: Node, direction: str, state: str, pending: bool, limit: int, now: datetime
) -> list[CaseView]:
    if direction not in ("", IN, OUT):
        raise MalformedInput("direction is 'in' or 'out'")
    states = ["queued"] if pending else []

    def read() -> list[RecordCaseRow]:
        with node.db.read() as s:
            return store.listing(s, IN if pending else direction, states, min(limit or 200, 1000))

    out = [view(r, now) for r in await node.run_db(read)]
    return [v for v in out if not state or v.state == state]


# -- deciding (at the owner) ---------------------------------------------------------------


def _alert_fields(s: Session, me: str, alert_id: str) -> tuple[dict[str, str], int]:
    """Our own alert's latest fields as record fields (text), and its category."""
    versions = [v for v in repo.alert_versions(s, me, alert_id) if not v.withdrawn]
    if not versions:
        return {}, 0
    a = alert_pb2.Alert.FromString(versions[-1].body)
    d = model.to_dict(a)
    flat: dict[str, str] = {}
    for k, v in d.items():
        if k == "subject":
            for sk, sv in v.items():
                if sk != "tokens" and sv is not None:
                    flat[f"subject.{sk}"] = str(sv)
        elif f"{k}" in RECORD_FIELDS and v not in (None, "", []):
            flat[k] = ", ".join(v) if isinstance(v, list) else str(v)
    return flat, a.category


def _shared_with(s: Session, me: str, peer: str, alert_id: str) -> bool:
    q = select(Entry.seq).where(
        Entry.origin == me,
        Entry.recipient == peer,
        Entry.item_id == alert_id,
        Entry.item_kind == "alert",
    )
    return s.execute(q.limit(1)).first() is not None


def _respond(
    node: Node,
    s: Session,
    c: RecordCaseRow,
    decision: int,
    now: datetime,
    *,
    reason: str = "",
    record: record_pb2.SealedRecord | None = None,
    handling: int = 0,
    restrictions: Sequence[str] = (),
    by: str,
    contents: Sequence[tuple[record_pb2.AttachmentContent, list[bytes]]] = (),
) -> record_pb2.RecordResponse:
    """Build, seal (approved only), queue and record the answer to an "in" case; the
    attachments' ciphertext is stored as content the requester may fetch."""
    r = record_pb2.RecordResponse(
        response_id=str(uuid6.uuid7()),
        request_id=c.request_id,
        owner=node.country,
        requester=c.peer,
        decision=decision,  # type: ignore[arg-type]
        reason=reason,
        handling=handling or alert_pb2.HANDLING_H2,  # type: ignore[arg-type]
        restrictions=list(restrictions),
        decided_by=by,
    )
    r.decided_at.CopyFrom(model.timestamp(now))
    if record is not None:
        key = _seal_key(node, c.peer, now)
        r.seal_key_id = node_key_id(key, trust_pb2.KEY_PURPOSE_SEAL)
        r.sign_key_id = node.identity.signing.key_id
        r.attachments.extend(content for content, _ in contents)
        r.sealed = seal.seal(record, key, seal.context_of(r))
    if p := checks.response_problem(r, now):
        raise MalformedInput(f"the response's {p}")
    queue_item(s, node.country, c.peer, node.identity.signing, r, c.request_id, now)
    rows = []
    for i, (content, chunks) in enumerate(contents):
        digest = content.content_sha256.hex()
        documents.start_blob(
            s, digest, content.size, content.chunk_size, len(chunks), node.country, now
        )
        documents.add_chunks(s, digest, 0, chunks)
        documents.mark_complete(s, digest)
        rows.append(
            {
                "direction": IN,
                "peer": c.peer,
                "request_id": c.request_id,
                "idx": i,
                "digest": digest,
                "size": content.size,
                "manifest": attach.manifest_of(node.country, r.response_id, content),
            }
        )
    store.add_attachments(s, rows)
    c.state = checks.DECISIONS[r.decision]
    c.reason, c.decided_by, c.decided_at, c.response_id = reason, by, now, r.response_id
    c.handling, c.restrictions = r.handling, "\n".join(restrictions)
    if record is not None:
        c.fields = "\n".join(f.name for f in record.fields)
        c.attachments = len(record.attachments)
        c.seal_key_id, c.sign_key_id = r.seal_key_id, r.sign_key_id
    audit(
        s,
        now,
        f"record.{c.state}",
        {
            "request_id": c.request_id,
            "response_id": r.response_id,
            "decided_by": by,
            "reason": reason,
            "fields": c.fields.split("\n") if c.fields else [],
            "attachments": c.attachments,
            "handling": r.handling,
        },
        c.peer,
    )
    return r


def _seal_key(node: Node, peer: str, now: datetime) -> bytes:
    keys = [k for k in node.trust.seal_keys(peer, now) if seal.is_hybrid(k)]
    if not keys:
        raise NotPermitted(
            f"{peer} has no certified post-quantum sealing key (ML-KEM-768 + X25519): "
            "nothing can be sealed to it",
            hint=f"{peer}'s operator runs `exchange keys node rotate --purpose seal` and its "
            "administrator certifies the new key; then approve again",
        )
    return keys[0]


def decide_received(node: Node, now: datetime) -> int:
    """The record desk: decide every request received since the last pass by policy (runs
    in a database thread after receipts commit). Returns how many were decided. A request the
    desk cannot answer (say, no sealing key to seal to) waits for a person instead of
    stopping the desk."""
    done = 0
    with node.db.write() as s:
        for c in store.listing(s, IN, ["received"], 100):
            try:  # every refusal in _respond is raised before it writes anything
                _decide_one(node, s, c, now)
            except Error as err:
                c.state = "queued"
                audit(
                    s,
                    now,
                    "record.queued",
                    {"request_id": c.request_id, "reason": err.message[:300]},
                    c.peer,
                )
            done += 1
    return done


def _decide_one(node: Node, s: Session, c: RecordCaseRow, now: datetime) -> None:
    policy = node.policy
    rule, why = policy.share_rule(c.peer)
    mode = rule.record_requests if rule is not None else "no"
    fields, category = _alert_fields(s, node.country, c.alert_id)
    if not fields or not _shared_with(s, node.country, c.peer, c.alert_id):
        _respond(
            node,
            s,
            c,
            record_pb2.RECORD_DECISION_REFUSED,
            now,
            reason=f"no live alert {c.alert_id} of ours was shared with {c.peer}",
            by=POLICY,
        )
    elif mode == "no" or rule is None:
        _respond(
            node,
            s,
            c,
            record_pb2.RECORD_DECISION_REFUSED,
            now,
            reason=f"{node.country}'s policy answers no record requests from {c.peer}",
            by=POLICY,
        )
    elif mode == "auto" and (not rule.record_categories or category in rule.record_categories):
        rec = record_pb2.SealedRecord(
            fields=[
                record_pb2.RecordField(name=k, value=v)
                for k, v in sorted(fields.items())
                if k in rule.record_fields
            ]
        )
        _respond(  # no sealing key yet: decide_received queues it for a person
            node,
            s,
            c,
            record_pb2.RECORD_DECISION_APPROVED,
            now,
            record=rec,
            handling=alert_pb2.HANDLING_H2,
            restrictions=["no onward sharing without the owner's permission"],
            by=POLICY,
        )
    else:
        c.state = "queued"
        audit(
            s,
            now,
            "record.queued",
            {"request_id": c.request_id, "rule": why},
            c.peer,
        )


def _approver_may(c: RecordCaseRow, by: str) -> None:
    """Only a queued request is decided by a person. Nobody approves a request they made:
    a request is made at another country's node, and on one node each user has one role
    (officers request, approvers decide; exchange.records.roles)."""
    if c.state in FINAL_IN:
        raise AlreadyExists(f"request {c.request_id} is already {c.state}")
    if c.state != "queued":
        raise NotPermitted(f"request {c.request_id} is {c.state}: it is not waiting for a person")


async def approve(
    node: Node,
    request_id: str,
    fields: Sequence[str],
    record: Sequence[record_pb2.RecordField],
    attachments: Sequence[record_pb2.RecordAttachment],
    handling: int,
    restrictions: Sequence[str],
    now: datetime,
) -> CaseView:
    """An approver answers a queued request with the named fields and the attachments."""
    by = acting_user()
    given = {f.name: f.value for f in record}
    if len(given) != len(record):
        raise MalformedInput("a record field is given twice")
    if not fields and not attachments:
        raise MalformedInput(
            "name the fields to release (--fields) or attach a file (--attach)",
            hint="nothing is released that the approver did not name",
        )
    if handling and handling not in alert_pb2.Handling.values():
        raise MalformedInput("handling is H0, H1, H2 or H3")
    for x in restrictions:
        if p := bounds.text_problem(x, "a restriction", checks.MAX_RESTRICTION):
            raise MalformedInput(p)
    if len(restrictions) > checks.MAX_RESTRICTIONS:
        raise MalformedInput(f"at most {checks.MAX_RESTRICTIONS} restrictions")

    sealed_parts, contents = _encrypt_all(attachments)

    def write() -> RecordCaseRow:
        with node.db.write() as s:
            c = _one(s, request_id, IN)
            _approver_may(c, by)
            own, _ = _alert_fields(s, node.country, c.alert_id)
            available = own | given
            missing = [f for f in fields if f not in available]
            if missing:
                raise MalformedInput(
                    f"no field {missing[0][:64]!r} in the alert or the record given",
                    hint=f"fields of the alert: {', '.join(sorted(own)) or 'none'}; add others "
                    "with --record FILE",
                )
            rec = record_pb2.SealedRecord(
                fields=[record_pb2.RecordField(name=f, value=available[f]) for f in fields],
                attachments=sealed_parts,
            )
            if p := checks.sealed_problem(rec):
                raise MalformedInput(p)
            _respond(
                node,
                s,
                c,
                record_pb2.RECORD_DECISION_APPROVED,
                now,
                record=rec,
                handling=handling or alert_pb2.HANDLING_H2,
                restrictions=restrictions,
                by=by,
                contents=contents,
            )
            s.flush()
            return c

    row = await node.run_db(write)
    node.wake_senders()
    return view(row, now)


def _encrypt_all(
    attachments: Sequence[record_pb2.RecordAttachment],
) -> tuple[
    list[record_pb2.RecordAttachment], list[tuple[record_pb2.AttachmentContent, list[bytes]]]
]:
    """Each attachment under its own key: what the seal holds of it, and its ciphertext."""
    if len(attachments) > attach.MAX_ATTACHMENTS:
        raise MalformedInput(f"at most {attach.MAX_ATTACHMENTS} attachments")
    if sum(len(a.data) for a in attachments) > attach.MAX_TOTAL:
        raise MalformedInput(f"attachments are at most {attach.MAX_TOTAL // 1024**2} MiB in all")
    parts, contents = [], []
    for a in attachments:
        key, chunks = attach.encrypt(a.data)
        parts.append(
            record_pb2.RecordAttachment(
                name=a.name,
                media_type=a.media_type or "application/octet-stream",
                sha256=hashlib.sha256(a.data).digest(),
                key=key,
                size=len(a.data),
            )
        )
        contents.append((attach.content_of(chunks), chunks))
    return parts, contents


async def deny(node: Node, request_id: str, reason: str, now: datetime) -> CaseView:
    by = acting_user()
    if not reason.strip():
        raise MalformedInput("a denial needs a reason (--reason): the officer sees it")
    if p := bounds.text_problem(reason, "reason", checks.MAX_REASON, multiline=True):
        raise MalformedInput(p)
    _no_names(reason, now, "reason")

    def write() -> RecordCaseRow:
        with node.db.write() as s:
            c = _one(s, request_id, IN)
            _approver_may(c, by)
            _respond(
                node, s, c, record_pb2.RECORD_DECISION_DENIED, now, reason=reason.strip(), by=by
            )
            s.flush()
            return c

    row = await node.run_db(write)
    node.wake_senders()
    return view(row, now)


# -- reading the answer (at the requester) -------------------------------------------------


async def open_record(node: Node, request_id: str, now: datetime) -> Opened:
    """Open an answered request's sealed record for the officer (audited; never stored in
    clear)."""
    keys = identity_mod.seal_keys(node.config.state_dir)

    def read() -> RecordCaseRow:
        with node.db.read() as s:
            return _one(s, request_id, OUT)

    c = await node.run_db(read)
    if c.state != "answered":
        return Opened(view(c, now))
    key = keys.get(c.seal_key_id)
    if key is None:
        await node.audit(
            "record.open_failed",
            {"request_id": c.request_id, "reason": "sealed to a key this node does not hold"},
            c.peer,
        )
        raise seal.SealError(
            "the record was sealed to a key this node does not hold",
            hint="see `exchange keys status`; a retired sealing key file may have been removed",
        )
    info = seal.context(
        c.peer, node.country, c.request_id, c.response_id, c.seal_key_id, c.sign_key_id
    )
    try:
        rec = seal.open_sealed(c.sealed, key, info)
    except seal.SealError as err:
        await node.audit(
            "record.open_failed",
            {"request_id": c.request_id, "response_id": c.response_id, "reason": err.message},
            c.peer,
        )
        raise
    if p := checks.sealed_problem(rec):
        raise MalformedInput(f"the opened record: {p}")

    def note() -> None:
        with node.db.write() as s:
            row = store.case(s, OUT, c.peer, c.request_id)
            if row is not None and not row.fields:
                row.fields = "\n".join(f.name for f in rec.fields)
                row.attachments = len(rec.attachments)
            audit(
                s,
                now,
                "record.opened",
                {
                    "request_id": c.request_id,
                    "response_id": c.response_id,
                    "fields": [f.name for f in rec.fields],
                    "attachments": len(rec.attachments),
                },
                c.peer,
            )

    def fetched() -> list[int]:
        with node.db.read() as s:
            rows = store.attachments(s, OUT, c.peer, c.request_id)
            out = []
            for r in rows:
                b = documents.blob(s, r.digest)
                out.append(
                    r.size if b is not None and b.complete else (b.have * b.chunk_size if b else 0)
                )
            return out

    await node.run_db(note)
    have = await node.run_db(fetched)
    if len(have) != len(rec.attachments):
        raise seal.SealError("the sealed record and the signed response list other attachments")
    shown = tuple(
        record_pb2.RecordAttachment(
            name=a.name,
            media_type=a.media_type,
            sha256=a.sha256,
            size=a.size,
            have_bytes=h,
        )
        for a, h in zip(rec.attachments, have, strict=True)
    )
    return Opened(view(c, now), rec, shown)


async def read_attachment(
    node: Node, request_id: str, index: int, now: datetime
) -> AsyncIterator[bytes]:
    """An opened answer's attachment, decrypted chunk by chunk as it is read from the store
    (audited; the plaintext is never stored)."""
    got = await open_record(node, request_id, now)
    c = got.case.row
    if not 0 <= index < len(got.record.attachments):
        raise NotFound(f"the answer has no attachment {index}")
    part = got.record.attachments[index]
    shown = got.attachments[index]

    def row() -> tuple[str, int, int]:
        with node.db.read() as s:
            r = store.attachments(s, OUT, c.peer, c.request_id)[index]
            b = documents.blob(s, r.digest)
            if b is None or not b.complete:
                raise NotFound(
                    f"attachment {index} is not fetched yet ({shown.have_bytes} of {r.size} bytes)",
                    hint="it is fetched in the background; try again shortly",
                )
            return r.digest, b.chunks, b.chunk_size

    digest, count, _ = await node.run_db(row)
    await node.audit(
        "record.attachment_read",
        {"request_id": c.request_id, "index": index, "bytes": part.size},
        c.peer,
    )
    whole = hashlib.sha256()
    plain = attach.decrypt(part.key, documents.iter_chunks(node.db.read, digest), count)
    while True:
        try:
            block = await node.run_db(next, plain, None)
        except InvalidTag:
            raise seal.SealError(f"attachment {index} does not decrypt: it was changed") from None
        if block is None:
            break
        whole.update(block)
        yield block
    if whole.digest() != part.sha256:
        raise seal.SealError(f"attachment {index} does not match its sealed sha256")


async def forward(node: Node, request_id: str, to: str, now: datetime) -> CaseView:
    """Onward sharing of an answered record: refused and audited. H2 forbids it outright;
    for every other code the owner's permission is needed, which this exchange does not
    carry, so the officer asks the owner to answer the other country directly."""

    def read() -> RecordCaseRow:
        with node.db.read() as s:
            return _one(s, request_id, OUT)

    c = await node.run_db(read)
    h2 = c.handling == alert_pb2.HANDLING_H2
    why = (
        f"the record is H2 (no onward sharing without {c.peer}'s permission)"
        if h2
        else f"records are never forwarded: {to[:8]} must request it from {c.peer}"
    )

    def note() -> None:
        with node.db.write() as s:
            audit(
                s,
                now,
                "record.forward_refused",
                {"request_id": c.request_id, "to": to[:8], "handling": c.handling, "reason": why},
                c.peer,
            )

    await node.run_db(note)
    raise NotPermitted(
        f"forwarding refused: {why}",
        hint=f"ask {c.peer} to answer {to[:8]} directly (it decides by its own policy)",
    )
