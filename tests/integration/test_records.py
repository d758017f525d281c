"""Record requests end to end on in-process regions (tests/inproc.py): an officer's request,
the owner's policy and approver, the sealed answer opened only at the requester, handling
codes, deadlines, roles and tokens; and what bad input and a hostile owner's responses get.
Each refusal is audited and stores nothing it should not."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from sqlalchemy import select

from exchange._proto.v1 import document_pb2, exchange_pb2_grpc
from exchange.store import documents
from exchange.store.db import Database
from exchange.store.models import RecordAttachmentRow, RecordCaseRow
from tests.conftest import PgSchemas, require_pg
from tests.inproc import InprocNode, InprocRegion, aio_channel_from, audit_of, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

TOPICS = '"security-audits"'


def policy(country: str, others: dict[str, str], extra: str = "") -> str:
    """Share every alert with each peer; `others`: peer -> its record_requests line(s)."""
    out = [f'country = "{country}"']
    for peer, rec in others.items():
        out.append(
            f'[[share]]\nto = "{peer}"\ncategories = ["*"]\nmax_handling = "H3"\n'
            f'fields = ["*"]\n{rec}\ndocument_topics = [{TOPICS}]'
        )
    for peer in others:
        out.append(
            f'[[accept]]\nfrom = "{peer}"\ncategories = ["*"]\nmax_batch = 1000\n'
            f"max_rate = 1000000\ndocument_topics = [{TOPICS}]"
        )
    return "\n".join(out) + "\n" + extra


POLICIES = {
    "kz": policy(
        "kz",
        {
            "kg": 'record_requests = "approve"',
            "tj": 'record_requests = "no"',
        },
        '[records]\nurgent_hours = 12\nworking_days = 10\nholidays = ["2026-12-16"]\n',
    ),
    "kg": policy("kg", {"kz": 'record_requests = "approve"', "tj": 'record_requests = "no"'}),
    "tj": policy("tj", {"kz": 'record_requests = "no"', "kg": 'record_requests = "no"'}),
}


async def j(node: InprocNode, *args: str, env: dict[str, str] | None = None) -> Any:
    return json.loads(await node.cli(*args, "--json", env=env))


async def publish_alert(kz: InprocNode) -> str:
    out = await j(kz, "alerts", "publish", "--category", "release-notice", "--risk", "high",
                  "--handling", "H1", "--summary", "Release from the colony next week")  # fmt: skip
    return str(out["alert_id"])


async def received(node: InprocNode, origin: str, aid: str) -> None:
    async def has() -> bool:
        return any(a.alert.alert_id == aid for a in await node.alerts(origin))

    await wait_until(has, 20, f"{aid} at {node.country}")


async def case_state(node: InprocNode, rid: str) -> str:
    for c in await j(node, "records", "list"):
        if c["request_id"] == rid:
            return str(c["state"])
    return ""


async def wait_state(node: InprocNode, rid: str, state: str) -> None:
    async def reached() -> bool:
        return await case_state(node, rid) == state

    await wait_until(reached, 20, f"request {rid} {state} at {node.country}")


def attachments(node: InprocNode) -> list[RecordAttachmentRow]:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            rows = list(s.execute(select(RecordAttachmentRow)).scalars())
            for r in rows:
                s.expunge(r)
            return rows
    finally:
        db.close()


def stored_blob(node: InprocNode, digest: str) -> bytes:
    db = Database(node.config().db_url)
    try:
        return b"".join(documents.iter_chunks(db.read, digest))
    finally:
        db.close()


def cases(node: InprocNode) -> list[RecordCaseRow]:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            rows = list(s.execute(select(RecordCaseRow)).scalars())
            for r in rows:
                s.expunge(r)
            return rows
    finally:
        db.close()


async def request(kg: InprocNode, aid: str, *extra: str, to: str = "kz") -> str:
    out = await j(kg, "records", "request", "--to", to, "--alert", aid, "--purpose",
                  "Risk assessment before the transfer", "--legal-basis",
                  "Bilateral agreement of 2019, art. 4", *extra)  # fmt: skip
    return str(out["request_id"])


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def region(request: pytest.FixtureRequest) -> AsyncIterator[InprocRegion]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    r = InprocRegion(root, ("kz", "kg", "tj"), schemas.url if schemas else None, policies=POLICIES)
    try:
        await r.start()
        yield r
    finally:
        await r.stop()
        shutil.rmtree(root, ignore_errors=True)
        if schemas:
            schemas.drop_all()


async def test_request_approved_with_two_fields_and_a_file_opens_only_at_the_requester(
    region: InprocRegion, tmp_path: Path
) -> None:
    kz, kg = region["kz"], region["kg"]
    aid = await publish_alert(kz)
    await received(kg, "kz", aid)
    rid = await request(kg, aid)
    await wait_state(kz, rid, "queued")
    pending = await j(kz, "records", "pending")
    assert [c["request_id"] for c in pending] == [rid]
    assert pending[0]["purpose"] == "Risk assessment before the transfer"
    rec = tmp_path / "record.json"
    rec.write_text(json.dumps({"sentence": "8 years, art. 255", "risk_assessment": "high"}))
    att = tmp_path / "assessment.txt"
    att.write_text("Structured risk assessment: summary of findings.\n")
    out = await j(kz, "records", "approve", rid[:8], "--fields", "sentence,summary",
                  "--record", str(rec), "--attach", str(att), "--handling", "H2")  # fmt: skip
    assert out["state"] == "approved" and out["fields"] == ["sentence", "summary"]
    await wait_state(kg, rid, "answered")
    opened = await j(kg, "records", "open", rid)
    assert opened["record"] == {
        "sentence": "8 years, art. 255",
        "summary": "Release from the colony next week",
    }
    assert opened["attachment_files"][0]["name"] == "assessment.txt"
    assert opened["handling"].startswith("H2")

    # the attachment's ciphertext comes over the content path, verified chunk by chunk
    async def fetched() -> bool:
        got = await j(kg, "records", "open", rid)
        return bool(got["attachment_files"][0]["fetched"])

    await wait_until(fetched, 20, "attachment fetched at kg")
    out_dir = tmp_path / "out"
    await kg.cli("records", "open", rid, "--out", str(out_dir))
    assert (out_dir / "assessment.txt").read_text() == att.read_text()
    assert json.loads((out_dir / "record.json").read_text())["sentence"] == "8 years, art. 255"
    assert (out_dir / "assessment.txt").stat().st_mode & 0o777 == 0o600
    digest = next(r for r in attachments(kg) if r.request_id == rid).digest
    blob = stored_blob(kg, digest)
    assert b"Structured risk" not in blob  # ciphertext at rest
    # another member asking kz for that ciphertext gets what it gets for no content at all
    tj = region["tj"]
    async with aio_channel_from(tj, kz) as ch:
        call = exchange_pb2_grpc.ExchangeStub(ch).FetchContent(
            document_pb2.ContentRequest(content_sha256=bytes.fromhex(digest), offset=0)
        )
        with pytest.raises(grpc.aio.AioRpcError) as info:
            [c async for c in call]
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    # risk_assessment was not named: it never left kz
    kg_case = next(c for c in cases(kg) if c.request_id == rid)
    assert b"art. 255" not in kg_case.sealed and b"risk_assessment" not in kg_case.sealed
    assert kg_case.sealed and kg_case.state == "answered"
    # the trail on both sides, with the purpose, never the content
    for node, events in (
        (kg, {"record.requested", "record.response_received", "record.opened"}),
        (kz, {"record.request_received", "record.approved"}),
    ):
        trail = await j(node, "audit", "list", "--request", rid[:8], "--last", "50")
        assert events <= {e["event"] for e in trail}, node.country
        assert "art. 255" not in json.dumps(trail)
    # H2: forwarding is refused and audited
    proc = await kg.run("records", "forward", rid, "--to", "tj")
    assert proc.returncode != 0 and "H2" in proc.stderr
    assert audit_of(kg, "record.forward_refused")


async def test_request_outside_the_owners_policy_is_refused_and_nothing_queued(
    region: InprocRegion,
) -> None:
    kz, tj = region["kz"], region["tj"]
    aid = await publish_alert(kz)
    await received(tj, "kz", aid)
    rid = await request(tj, aid)
    await wait_state(tj, rid, "refused")
    got = next(c for c in await j(tj, "records", "list") if c["request_id"] == rid)
    assert "policy" in got["reason"]
    assert await j(kz, "records", "pending") == []
    assert [c.state for c in cases(kz) if c.request_id == rid] == ["refused"]


async def test_urgent_request_is_due_in_12_hours_and_others_in_working_days(
    region: InprocRegion,
) -> None:
    kz, kg = region["kz"], region["kg"]
    aid = await publish_alert(kz)
    await received(kg, "kz", aid)
    urgent = await request(kg, aid[:24], "--urgent")  # an id prefix names the alert
    normal = await request(kg, aid)
    await wait_state(kz, urgent, "queued")
    await wait_state(kz, normal, "queued")
    at_kz = {c.request_id: c for c in cases(kz)}
    u = at_kz[urgent]
    assert abs((u.due_at - u.requested_at).total_seconds() - 12 * 3600) < 1
    n = at_kz[normal]
    assert (n.due_at - n.requested_at).days >= 14  # 10 working days span two weekends
    status = await kz.status()
    assert status.records_pending >= 2 and status.records_due_soon >= 1


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--purpose", " ", "--legal-basis", "Agreement art. 4"], "purpose is required"),
        (["--purpose", "Assessment", "--legal-basis", ""], "legal basis is required"),
        (
            ["--purpose", "Check Ivanov Ivan Ivanovich born 12.03.1985", "--legal-basis", "Art. 4"],
            "personal data",
        ),
    ],
)
async def test_request_without_purpose_or_with_a_name_refused_and_nothing_sent(
    region: InprocRegion, args: list[str], expected: str
) -> None:
    kz, kg = region["kz"], region["kg"]
    aid = await publish_alert(kz)
    await received(kg, "kz", aid)
    before = len(cases(kg))
    proc = await kg.run("records", "request", "--to", "kz", "--alert", aid, *args)
    assert proc.returncode != 0 and expected in proc.stderr.lower(), proc.stderr
    assert len(cases(kg)) == before


async def test_request_for_an_alert_not_held_refused(region: InprocRegion) -> None:
    kg = region["kg"]
    proc = await kg.run("records", "request", "--to", "kz", "--alert",
                        "01900000-0000-7000-8000-000000000000", "--purpose", "Assessment",
                        "--legal-basis", "Art. 4")  # fmt: skip
    before = len(cases(kg))
    assert proc.returncode != 0 and "no alert" in proc.stderr
    assert len(cases(kg)) == before
