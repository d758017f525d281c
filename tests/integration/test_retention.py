"""Review dates: every alert gets one, the origin is warned ahead, an extension is a new
version, and past the date receivers drop the alert's content and tokens (as a withdrawal
does) and a document's text and content; the origin keeps its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exchange.audit_checkpoint import sign_audit_checkpoint
from exchange.envelope import SigningKey
from exchange.store import retention
from exchange.store.db import Database
from exchange.store.models import AlertVersion, AuditCut, DocumentText, SubjectTokenRow
from tests.inproc import InprocNode, InprocRegion, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


def count(node: InprocNode, model: type, **where: object) -> int:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            q = select(func.count()).select_from(model)
            for k, v in where.items():
                q = q.where(getattr(model, k) == v)
            return int(s.execute(q).scalar_one())
    finally:
        db.close()


def expire_at(node: InprocNode, when: datetime) -> dict[str, list[str]]:
    db = Database(node.config().db_url)
    try:
        with db.write() as s:
            return retention.expire(s, node.country, when, purge_own=False)
    finally:
        db.close()


async def test_review_dates_warn_extend_and_expire(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    soon = (date.today() + timedelta(days=10)).isoformat()
    out = json.loads(
        await kz.cli(
            "alerts",
            "publish",
            "--json",
            "--category",
            "escape",
            "--risk",
            "high",
            "--handling",
            "H1",
            "--summary",
            "Escape from the colony",
            "--surname",
            "Ivanov",
            "--given",
            "Ivan",
            "--dob",
            "1985-03-12",
            "--valid-until",
            soon,
        )
    )
    aid = out["alert_id"]
    plain = json.loads(
        await kz.cli(
            "alerts",
            "publish",
            "--json",
            "--category",
            "escape",
            "--risk",
            "low",
            "--handling",
            "H0",
            "--summary",
            "Another escape",
        )
    )
    assert plain["valid_until"], "every alert gets a review date"
    assert (await kz.status()).alerts_review_due == 1  # within 30 days: warned

    async def arrived() -> bool:
        return count(kg, AlertVersion, origin="kz") >= 2

    await wait_until(arrived, 20, "kg to hold kz's alerts")
    assert count(kg, SubjectTokenRow, alert_id=aid) > 0
    # extended: a new version with only the date changed; the warning goes
    later = (date.today() + timedelta(days=200)).isoformat()
    ext = json.loads(await kz.cli("alerts", "extend", aid, "--valid-until", later, "--json"))
    assert ext["version"] == 2 and ext["valid_until"].startswith(later)
    assert (await kz.status()).alerts_review_due == 0

    async def v2() -> bool:
        return count(kg, AlertVersion, origin="kz", alert_id=aid) == 2

    await wait_until(v2, 20, "kg to hold version 2")
    # before the date nothing goes; past it, kg drops content and tokens, kz keeps its own
    assert expire_at(kg, datetime.now(UTC)) == {"alerts": [], "own_alerts": [], "documents": []}
    past = datetime.now(UTC) + timedelta(days=201)
    dropped = expire_at(kg, past)
    assert f"kz:{aid}" in dropped["alerts"]
    assert count(kg, SubjectTokenRow, alert_id=aid) == 0
    shown = json.loads(await kg.cli("alerts", "show", aid, "--json"))
    assert all(v["purged"] for v in shown) and "Escape" not in json.dumps(shown)
    assert expire_at(kz, past)["own_alerts"] == []
    assert count(kz, AlertVersion, origin="kz", alert_id=aid, purged=False) == 2
    audit = json.loads(await kg.cli("audit", "list", "--event", "retention.expired", "--json"))
    assert audit and audit[-1]["detail"]["count"] >= 1


async def test_a_document_past_its_review_date_loses_text_and_content_at_receivers(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    f = tmp_path / "guide.pdf"
    f.write_bytes(b"%PDF-1.7\n" + b"x" * 5000)
    review = (date.today() + timedelta(days=60)).isoformat()
    did = json.loads(
        await kz.cli(
            "docs",
            "publish",
            str(f),
            "--title",
            "Audit checklist",
            "--topic",
            "security-audits",
            "--language",
            "ru",
            "--review-date",
            review,
            "--json",
        )
    )["document_id"]

    async def complete() -> bool:
        found = json.loads(await kg.cli("docs", "list", "--json"))
        return any(d["document_id"] == did and d["content"] == "complete" for d in found)

    await wait_until(complete, 20, "the document at kg")
    dropped = expire_at(kg, datetime.now(UTC) + timedelta(days=61))
    assert dropped["documents"] == [f"kz:{did}"]
    assert count(kg, DocumentText, document_id=did) == 0
    shown = json.loads(await kg.cli("docs", "show", did, "--json"))
    assert all(v["withdrawn"] for v in shown) and "Audit checklist" not in json.dumps(shown)


def prune(node: InprocNode, when: datetime, days: int = 1) -> int:
    db = Database(node.config().db_url)
    try:
        with db.write() as s:
            signer = SigningKey.from_pem((node.state_dir / "sign.key").read_bytes())
            return retention.prune_audit(s, node.country, signer, when, days)
    finally:
        db.close()


async def test_audit_log_pruned_behind_a_signed_cut_still_verifies_and_edits_are_caught(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz = region["kz"]
    for i in range(3):
        await kz.cli(
            "alerts",
            "publish",
            "--category",
            "escape",
            "--risk",
            "high",
            "--handling",
            "H1",
            "--summary",
            f"Escape number {i}",
        )
    before = json.loads(await kz.cli("audit", "verify", "--json"))
    assert prune(kz, datetime.now(UTC)) == 0  # nothing is a day old
    cut = prune(kz, datetime.now(UTC) + timedelta(days=2))
    assert cut > 0
    after = json.loads(await kz.cli("audit", "verify", "--json"))
    assert after["intact"] and after["events"] < before["events"]
    proc = await kz.run("audit", "verify", "--with-peers")
    assert proc.returncode in (0, 3), proc.stderr  # heads before the cut are past retention
    assert "pruned" in json.dumps(json.loads(await kz.cli("audit", "list", "--json")))
    db = Database(kz.config().db_url)
    try:
        # a cut whose hash was edited, then one signed by another key: both refused
        with db.write() as s:
            row = s.get(AuditCut, cut)
            assert row is not None
            good = (row.hash, row.envelope)
            row.hash = b"\0" * 32
        proc = await kz.run("audit", "verify")
        assert proc.returncode != 0 and "retention cut" in proc.stderr
        with db.write() as s:
            row = s.get(AuditCut, cut)
            assert row is not None
            other = SigningKey.generate()
            row.hash = good[0]
            row.envelope = sign_audit_checkpoint(
                other, "kz", cut, good[0], datetime.now(UTC)
            ).SerializeToString()
        proc = await kz.run("audit", "verify")
        assert proc.returncode != 0 and "not signed by this node" in proc.stderr
    finally:
        db.close()
