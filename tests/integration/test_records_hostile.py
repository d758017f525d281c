"""Record requests against a hostile owner (responses it should never be able to slip in or
make a requester open) and the people, roles and tokens that decide who may do what; each on a
fresh in-process region, since both change the nodes for good."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
import uuid6
from sqlalchemy import update

from exchange._proto.v1 import alert_pb2, record_pb2, trust_pb2
from exchange.alerts.model import timestamp
from exchange.localregion import next_entry
from exchange.node import identity
from exchange.store.db import Database
from exchange.store.models import RecordCaseRow, UserToken
from exchange.trust import issue_revocation
from exchange.trust.certificate import node_key_id
from tests.inproc import InprocNode, InprocRegion, aio_channel_from, audit_of, push, wait_until
from tests.integration.test_records import (
    POLICIES,
    cases,
    j,
    publish_alert,
    received,
    request,
    wait_state,
)
from tests.integration.wire import signer_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


# -- a hostile owner's responses -------------------------------------------------------------


def _response(kz: InprocNode, kg_case: RecordCaseRow, **kw: Any) -> record_pb2.RecordResponse:
    r = record_pb2.RecordResponse(
        response_id=str(uuid6.uuid7()),
        request_id=kg_case.request_id,
        owner="kz",
        requester="kg",
        decision=record_pb2.RECORD_DECISION_APPROVED,
        handling=alert_pb2.HANDLING_H0,
        seal_key_id=kg_case.seal_key_id,
        sign_key_id=signer_of(kz).key_id,
        sealed=kg_case.sealed,
        decided_by="policy",
    )
    r.decided_at.CopyFrom(timestamp(datetime.now(UTC)))
    for k, v in kw.items():
        if isinstance(v, list):
            getattr(r, k).extend(v)
        else:
            setattr(r, k, v)
    return r


async def test_hostile_owner_responses_refused_or_never_opened(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg", "tj"), policies=POLICIES)
    await region.start()
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    aid = await publish_alert(kz)
    await received(kg, "kz", aid)
    rids = [await request(kg, aid) for _ in range(3)]
    for rid in rids:
        await wait_state(kz, rid, "queued")
    await j(kz, "records", "approve", rids[0], "--fields", "summary")
    await wait_state(kg, rids[0], "answered")
    answered = next(c for c in cases(kg) if c.request_id == rids[0])
    signer = signer_of(kz)

    async def send(r: record_pb2.RecordResponse) -> None:
        async with aio_channel_from(kz, kg) as ch:
            await push(ch, next_entry(signer, "kz", kg, r))

    # a second response to an answered request: refused, the first answer stays
    await send(_response(kz, answered, sealed=b"\x00" * 2000))
    assert audit_of(kg, "record.response_refused")
    again = next(c for c in cases(kg) if c.request_id == rids[0])
    assert again.sealed == answered.sealed and again.response_id == answered.response_id
    # a response to a request never sent: refused, no case row appears
    before = len(cases(kg))
    await send(_response(kz, answered, request_id=str(uuid6.uuid7())))
    assert len(cases(kg)) == before
    # request 1's ciphertext replayed for request 2 (swapped associated data): never opens
    await send(_response(kz, answered, request_id=rids[1], response_id=answered.response_id))
    await wait_state(kg, rids[1], "answered")
    proc = await kg.run("records", "open", rids[1])
    assert proc.returncode != 0 and "does not open" in proc.stderr
    # restrictions longer than a case row holds (10 x 200 characters): refused, nothing kept
    before = len(audit_of(kg, "channel.refused"))
    with pytest.raises(grpc.aio.AioRpcError):
        await send(_response(kz, answered, request_id=rids[2], restrictions=["x" * 200] * 10))
    assert len(audit_of(kg, "channel.refused")) == before + 1
    assert next(c for c in cases(kg) if c.request_id == rids[2]).state == "sent"
    # sealed to another node's key (tj's): kg holds no such key
    tj_key = next(iter(identity.seal_keys(tj.state_dir)))
    await send(_response(kz, answered, request_id=rids[2], seal_key_id=tj_key))
    await wait_state(kg, rids[2], "answered")
    proc = await kg.run("records", "open", rids[2])
    assert proc.returncode != 0 and "does not hold" in proc.stderr
    assert len(audit_of(kg, "record.open_failed")) == 2
    # tampered ciphertext at rest: never opens
    db = Database(kg.config().db_url)
    try:
        with db.write() as s:
            flipped = bytes([answered.sealed[0] ^ 1]) + answered.sealed[1:]
            s.execute(
                update(RecordCaseRow)
                .where(RecordCaseRow.request_id == rids[0])
                .values(sealed=flipped)
            )
    finally:
        db.close()
    proc = await kg.run("records", "open", rids[0])
    assert proc.returncode != 0 and "does not open" in proc.stderr


# -- people, roles and tokens ------------------------------------------------------------------


async def test_roles_and_tokens_decide_who_may_do_what(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg", "tj"), policies=POLICIES)
    await region.start()
    kz, kg = region["kz"], region["kg"]
    assert not (await kz.status()).users_configured
    proc = await kz.run("users", "add", "olga", "--role", "approver")
    assert proc.returncode != 0 and "first user must be an administrator" in proc.stderr
    await kz.cli("users", "add", "admin", "--role", "administrator")
    tokens: dict[str, dict[str, str]] = {}
    for name, role in (("admin", ""), ("olga", "approver"), ("pavel", "publisher"),
                       ("aida", "auditor"), ("timur", "officer")):  # fmt: skip
        env = tokens.get("admin")
        if role:
            await kz.cli("users", "add", name, "--role", role, env=env)
        out = tmp_path / f"{name}.token"
        await kz.cli("users", "token", name, "--out", str(out), env=env)
        assert out.stat().st_mode & 0o777 == 0o600
        tokens[name] = {"EXCHANGE_TOKEN_FILE": str(out)}
    # no token: refused; a token is never printed
    proc = await kz.run("status")
    assert proc.returncode != 0 and "API token" in proc.stderr
    assert (await j(kz, "status", env=tokens["aida"]))["users_configured"]
    # a publisher publishes, and may not approve
    pub = ["alerts", "publish", "--category", "escape", "--risk", "high", "--handling", "H1"]
    out = await j(kz, *pub, "--summary", "Escape from the colony", env=tokens["pavel"])
    aid = out["alert_id"]
    await received(kg, "kz", aid)
    rid = await request(kg, aid)

    async def queued() -> bool:
        return any(c.request_id == rid and c.state == "queued" for c in cases(kz))

    await wait_until(queued, 20, "queued at kz")
    proc = await kz.run("records", "approve", rid, "--fields", "summary", env=tokens["pavel"])
    assert proc.returncode != 0 and "publisher role may not" in proc.stderr
    # an officer requests and reads, and may not decide requests (nor approve their own)
    proc = await kz.run("records", "approve", rid, "--fields", "summary", env=tokens["timur"])
    assert proc.returncode != 0 and "officer role may not" in proc.stderr
    # an auditor reads the audit trail and changes nothing
    proc = await kz.run("alerts", "publish", "--category", "escape", "--risk", "high",
                        "--handling", "H1", "--summary", "x", env=tokens["aida"])  # fmt: skip
    assert proc.returncode != 0 and "auditor role may not" in proc.stderr
    # an approver approves, and may not publish
    proc = await kz.run("alerts", "publish", "--category", "escape", "--risk", "high",
                        "--handling", "H1", "--summary", "x", env=tokens["olga"])  # fmt: skip
    assert proc.returncode != 0 and "approver role may not" in proc.stderr
    await j(kz, "records", "approve", rid, "--fields", "summary", env=tokens["olga"])
    trail = await j(kz, "audit", "list", "--request", rid[:8], "--last", "20")
    approved = next(e for e in trail if e["event"] == "record.approved")
    assert approved["detail"]["by"]["name"] == "olga" and approved["detail"]["decided_by"] == "olga"
    # an expired token, and a disabled user's token, are refused
    db = Database(kz.config().db_url)
    try:
        with db.write() as s:
            s.execute(
                update(UserToken)
                .where(UserToken.user == "pavel")
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    finally:
        db.close()
    proc = await kz.run("alerts", "list", env=tokens["pavel"])
    assert proc.returncode != 0 and "expired" in proc.stderr
    await kz.cli("users", "disable", "olga", env=tokens["admin"])
    proc = await kz.run("records", "pending", env=tokens["olga"])
    assert proc.returncode != 0 and "revoked" in proc.stderr
    assert audit_of(kz, "user.refused")


async def test_revoked_sealing_key_is_never_sealed_to_and_its_rotated_key_is(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg", "tj"), policies=POLICIES)
    await region.start()
    kz, kg = region["kz"], region["kg"]
    assert (await kg.status()).seal_post_quantum
    aid = await publish_alert(kz)
    await received(kg, "kz", aid)
    rid = await request(kg, aid)
    await wait_state(kz, rid, "queued")
    old = identity.load(kg.state_dir, "kg").seal_public
    rev = trust_pb2.KeyRevocation(
        country="kg", key_id=node_key_id(old, trust_pb2.KEY_PURPOSE_SEAL), reason="key exposed"
    )
    rev.effective.FromDatetime(datetime.now(UTC) - timedelta(seconds=1))
    envs = [issue_revocation(region.trust.admins["kg"], rev)]
    await kz.import_trust(envs)
    await kg.import_trust(envs)
    proc = await kz.run("records", "approve", rid, "--fields", "summary")
    assert proc.returncode != 0 and "sealing key" in proc.stderr, proc.stderr
    assert next(c for c in cases(kz) if c.request_id == rid).state == "queued"
    # kg rotates its sealing key; its administrator certifies the new one
    public = identity.rotate(kg.state_dir, "kg", "seal", datetime.now(UTC))
    certs = region.trust.certify(kg, {trust_pb2.KEY_PURPOSE_SEAL: public})
    await kg.import_trust(certs)
    await kz.import_trust(certs)

    async def rotated() -> bool:
        return identity.load(kg.state_dir, "kg").seal_public == public

    await wait_until(rotated, 20, "kg to switch sealing keys")
    await j(kz, "records", "approve", rid, "--fields", "summary")
    await wait_state(kg, rid, "answered")
    opened = await j(kg, "records", "open", rid)
    assert opened["record"] == {"summary": "Release from the colony next week"}
