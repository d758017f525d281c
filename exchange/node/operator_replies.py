"""Operator replies built from what the use cases return (exchange.app): the one place that
knows both the use cases' dataclasses and the Operator protobuf messages."""

from __future__ import annotations

from collections.abc import Sequence

from exchange._proto.v1 import envelope_pb2, operator_pb2
from exchange.alerts import model
from exchange.app.alarms import AlarmView
from exchange.app.listing import AlertView
from exchange.app.matching import Hit
from exchange.app.peers import PeerView
from exchange.app.quarantine import HeldView
from exchange.app.status import NodeStatus
from exchange.app.trust import KeysStatus
from exchange.audit_witness import PeerHeads


def alert_record(v: AlertView) -> operator_pb2.AlertRecord:
    rec = operator_pb2.AlertRecord(
        withdrawn=v.withdrawn,
        recipients=v.recipients,
        purged=v.purged,
        withdraw_reason=v.withdraw_reason,
        no_recipients_reason=v.no_recipients_reason,
        replayed=v.replayed,
    )
    rec.alert.CopyFrom(v.alert)
    if v.stored_at is not None:
        rec.stored_at.CopyFrom(model.timestamp(v.stored_at))
    return rec


def peer_info(v: PeerView) -> operator_pb2.PeerInfo:
    return operator_pb2.PeerInfo(
        country=v.country, address=v.address, fingerprint=v.fingerprint, sign_key_id=v.sign_key_id
    )


def alarm_state(v: AlarmView) -> operator_pb2.AlarmState:
    st = operator_pb2.AlarmState(id=v.id, text=v.text)
    if v.acknowledged:
        st.acknowledged, st.reason = True, v.reason
        if v.acknowledged_at is not None:
            st.acknowledged_at.CopyFrom(model.timestamp(v.acknowledged_at))
    return st


def status_response(st: NodeStatus) -> operator_pb2.StatusResponse:
    resp = operator_pb2.StatusResponse(
        country=st.country,
        address=st.address,
        fingerprint=st.fingerprint,
        sign_key_id=st.sign_key_id,
        alerts_own=st.alerts_own,
        alerts_received=st.alerts_received,
        serving="SERVING" if st.serving else "NOT_SERVING",
        alarms=[a.text for a in st.alarms],
        quarantined=st.quarantined,
        alarm_states=[alarm_state(a) for a in st.alarms],
        users_configured=st.users_configured,
        records_pending=st.records.pending,
        records_overdue=st.records.overdue,
        records_due_soon=st.records.due_soon,
        seal_post_quantum=st.seal_post_quantum,
        alerts_review_due=st.alerts_review_due,
        replica=st.replica,
        leases=st.leases,
    )
    for p in st.peers:
        ps = resp.peers.add(
            country=p.country,
            address=p.address,
            connected=p.connected,
            outbox_depth=p.outbox_depth,
            sent_head=p.sent_head,
            acked_seq=p.acked_seq,
            received_head=p.received_head,
            last_error=p.last_error,
            stalled=p.stalled,
        )
        if p.last_contact is not None:
            ps.last_contact.CopyFrom(model.timestamp(p.last_contact))
    return resp


def held_item(h: HeldView) -> operator_pb2.QuarantinedItem:
    item = operator_pb2.QuarantinedItem(
        origin=h.origin,
        seq=h.seq,
        kind=h.kind,
        alert_id=h.alert_id,
        version=h.version,
        reason=h.reason,
        state=h.state,
    )
    item.held_at.CopyFrom(model.timestamp(h.held_at))
    if h.record is not None:
        item.record.CopyFrom(alert_record(h.record))
    return item


def match_hit(h: Hit) -> operator_pb2.MatchHit:
    hit = operator_pb2.MatchHit(
        ref=h.ref, alert_id=h.alert_id, origin=h.origin, version=h.version, kinds=h.kinds
    )
    hit.category = h.category  # type: ignore[assignment]
    hit.risk = h.risk  # type: ignore[assignment]
    return hit


def keys_status_response(k: KeysStatus) -> operator_pb2.KeysStatusResponse:
    resp = operator_pb2.KeysStatusResponse(warnings=k.warnings, alarms=k.alarms)
    if k.bundle is not None:
        resp.bundle_version = k.bundle.version
        resp.bundle_digest = k.bundle.digest
        resp.bundle_expires.FromNanoseconds(k.bundle.expires_ns)
    for r in k.keys:
        key = resp.keys.add(
            country=r.country,
            purpose=r.purpose,
            key_id=r.key_id,
            fingerprint=r.fingerprint,
            state=r.state,
        )
        if r.valid_from_ns is not None:
            key.valid_from.FromNanoseconds(r.valid_from_ns)
        if r.valid_until_ns is not None:
            key.valid_until.FromNanoseconds(r.valid_until_ns)
    for h in k.key_log_heads:
        resp.key_log_heads.add(country=h.country, seq=h.seq, hash=h.hash)
    for fr in k.frozen:
        f = resp.frozen.add(country=fr.country, seq=fr.seq, detail=fr.detail)
        f.evidence.extend(envelope_pb2.Envelope.FromString(e) for e in fr.evidence)
    return resp


def witnesses_response(found: Sequence[PeerHeads]) -> operator_pb2.AuditWitnessesResponse:
    out = operator_pb2.AuditWitnessesResponse()
    for ph in found:
        pw = out.peers.add(
            peer=ph.peer,
            reachable=ph.reachable,
            error=ph.error,
            unverified=ph.unverified,
            unverified_reason=ph.unverified_reason,
        )
        for cp in ph.heads:
            h = pw.heads.add(seq=cp.seq, hash=cp.hash, key_id=cp.key_id)
            h.signed_at.CopyFrom(model.timestamp(cp.signed_at))
    return out
