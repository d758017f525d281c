"""Best-practice documents end to end on in-process regions (tests/inproc.py): publish, list,
search, fetch the content chunk by chunk, withdraw; and what bad input and a hostile member's
manifests, chunks and requests get. Each refusal is audited and stores nothing."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from sqlalchemy import func, select, update

from exchange._proto.v1 import alert_pb2, document_pb2, exchange_pb2_grpc
from exchange.alerts.model import timestamp
from exchange.documents.manifest import CHUNK_SIZE, Chunker
from exchange.localregion import next_entry
from exchange.store.db import Database
from exchange.store.models import Blob, BlobChunk, DocumentText, DocumentVersion, QuarantineRow
from tests.inproc import InprocNode, InprocRegion, aio_channel_from, audit_of, push, wait_until
from tests.integration.wire import signer_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]
MiB = 1024 * 1024


def pdf(size: int, seed: bytes = b"x") -> bytes:
    body = hashlib.sha256(seed).digest() * (size // 32 + 1)
    return (b"%PDF-1.7\n" + body)[:size]


async def docs(node: InprocNode, *args: str) -> object:
    return json.loads(await node.cli("docs", *args, "--json"))


async def publish(node: InprocNode, path: Path, topic: str = "security-audits", *extra: str) -> str:
    out = await docs(node, "publish", str(path), "--title", "Security audit checklist",
                     "--topic", topic, "--language", "ru", *extra)  # fmt: skip
    return str(out["document_id"])  # type: ignore[index]


def rows(node: InprocNode) -> dict[str, int]:
    """What a node holds of documents, by table."""
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            return {
                m.__tablename__: s.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (DocumentVersion, DocumentText, Blob, BlobChunk)
            }
    finally:
        db.close()


def live_rows(node: InprocNode) -> int:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            return int(
                s.execute(
                    select(func.count())
                    .select_from(DocumentVersion)
                    .where(DocumentVersion.withdrawn.is_(False))
                ).scalar_one()
            )
    finally:
        db.close()


async def content_state(node: InprocNode, did: str) -> str:
    """The state of a document's content at a node ("" while it holds no version)."""
    found = [d for d in await docs(node, "list") if d["document_id"] == did]  # type: ignore[attr-defined]
    return str(found[0]["content"]) if found else ""


async def wait_content(node: InprocNode, did: str, state: str = "complete") -> None:
    async def reached() -> bool:
        return await content_state(node, did) == state

    await wait_until(reached, 30, f"document {did} {state} at {node.country}")


def manifest_of(data: bytes, origin: str, **kw: object) -> document_pb2.DocumentManifest:
    import uuid6

    c = Chunker()
    list(c.feed(data))
    list(c.finish())
    m = document_pb2.DocumentManifest(
        document_id=str(uuid6.uuid7()), version=1, origin=origin, title="Guide",
        topic="security-audits", language="en", handling=alert_pb2.HANDLING_H0,
        media_type="application/pdf", size=len(data), content_sha256=c.digest,
        chunk_size=CHUNK_SIZE, chunk_sha256=c.hashes,
    )  # fmt: skip
    from datetime import UTC, datetime

    m.issued_at.CopyFrom(timestamp(datetime.now(UTC)))
    for k, v in kw.items():
        if isinstance(v, list):
            del getattr(m, k)[:]
            getattr(m, k).extend(v)
        else:
            setattr(m, k, v)
    return m


async def test_document_reaches_peer_and_its_content_is_fetched_and_verified(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    data = pdf(3 * MiB + 12345)
    f = tmp_path / "guide.pdf"
    f.write_bytes(data)
    out = await docs(kz, "publish", str(f), "--title", "Categorisation guide",
                     "--topic", "assessment-categorisation", "--language", "en",
                     "--summary", "How to assess and categorise prisoners",
                     "--tags", "risk,intake")  # fmt: skip
    assert out["recipients"] == 1  # type: ignore[index]
    did = out["document_id"]  # type: ignore[index]
    await wait_content(kg, did, "complete")
    for words in ("categorise", "intake", "Categorisation guide"):
        found = await docs(kg, "search", words)
        assert [d["document_id"] for d in found] == [did], words  # type: ignore[attr-defined]
    assert await docs(kg, "search", "escape") == []
    target = tmp_path / "got.pdf"
    got = await docs(kg, "get", did, "--out", str(target))
    assert got["size"] == len(data) and target.read_bytes() == data  # type: ignore[index]
    # Stored once as 4 chunk rows at each node; the audit names the document, not its text.
    assert rows(kg)["blob_chunks"] == rows(kz)["blob_chunks"] == 4
    [stored] = audit_of(kg, "document.content_stored")
    assert json.loads(stored.detail)["document_id"] == did and "title" not in json.loads(
        stored.detail
    )


async def test_search_in_the_regions_scripts(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz",))
    await region.start()
    kz = region["kz"]
    f = tmp_path / "a.txt"
    f.write_text("Проверка безопасности учреждения\n")
    titles = {
        "Контрольный лист проверки безопасности": "ru",
        "Қауіпсіздік аудитінің тізімі": "kk",
        "Xavfsizlik tekshiruvi roʻyxati": "uz",
    }
    ids = {}
    for title, lang in titles.items():
        out = await docs(kz, "publish", str(f), "--title", title, "--topic", "security-audits",
                         "--language", lang)  # fmt: skip
        ids[lang] = out["document_id"]  # type: ignore[index]
    assert [d["document_id"] for d in await docs(kz, "search", "безопасности")] == [ids["ru"]]  # type: ignore[attr-defined]
    assert [d["document_id"] for d in await docs(kz, "search", "қауіпсіздік")] == [ids["kk"]]  # type: ignore[attr-defined]
    assert [d["document_id"] for d in await docs(kz, "search", "xavfsizlik")] == [ids["uz"]]  # type: ignore[attr-defined]
    assert rows(kz)["blobs"] == 1  # the same file three times: stored once


SE_OBSERVER = """country = "{me}"
[groups]
region = [{others}]
[[share]]
to = "region"
categories = ["*"]
max_handling = "H3"
fields = ["*"]
document_topics = ["security-audits"]
[[accept]]
from = "region"
categories = ["*"]
max_rate = 100000
document_topics = ["security-audits", "training"]
max_document_size = "2 MiB"
document_budget = "3 MiB"
"""


def _policies(countries: tuple[str, ...]) -> dict[str, str]:
    return {
        c: SE_OBSERVER.format(me=c, others=", ".join(f'"{o}"' for o in countries if o != c))
        for c in countries
    }


async def test_hostile_manifests_refused_audited_and_not_stored(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    """kg signs manifests with its own certified key and pushes them to kz: sizes that do not
    add up (the batch refused), a topic kz does not take, a size above kz's limit, one beyond
    kz's budget for kg, personal data in the title (held in quarantine). None is stored."""
    countries = ("kz", "kg")
    region = make_inproc_region(countries, policies=_policies(countries))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    signer = signer_of(kg)
    data = pdf(MiB + 10)
    bad_layout = manifest_of(data, "kg", size=5 * MiB)  # 5 chunks, 2 hashes
    async with aio_channel_from(kg, kz) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await push(ch, next_entry(signer, "kg", kz, bad_layout))
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "chunk hashes" in (info.value.details() or "")
        cases = {
            "document.refused_by_policy": manifest_of(data, "kg", topic="control-systems"),
            "document.too_large": manifest_of(pdf(3 * MiB), "kg"),
        }
        for event, m in cases.items():
            await push(ch, next_entry(signer, "kg", kz, m))
            [e] = audit_of(kz, event)
            assert json.loads(e.detail)["document_id"] == m.document_id
        await push(ch, next_entry(signer, "kg", kz, manifest_of(pdf(2 * MiB, b"a"), "kg")))
        over = manifest_of(pdf(2 * MiB, b"b"), "kg")  # 4 MiB from kg: over the 3 MiB budget
        await push(ch, next_entry(signer, "kg", kz, over))
        [e] = audit_of(kz, "document.over_budget")
        assert json.loads(e.detail)["document_id"] == over.document_id
        pii = manifest_of(data, "kg", title="Гражданин Иванов Иван Иванович, 12.03.1985 г.р.")
        await push(ch, next_entry(signer, "kg", kz, pii))
    assert live_rows(kz) == 1  # only the one in policy, size and budget
    db = Database(kz.config().db_url)
    with db.read() as s:
        held = s.execute(select(QuarantineRow)).scalars().all()
        assert [(q.kind, q.alert_id) for q in held] == [("document", pii.document_id)]
        assert s.get(DocumentVersion, ("kg", pii.document_id, 1)) is None
    db.close()
    assert any("1 item" in a or "quarantine" in a for a in (await kz.status()).alarms)


async def test_wrong_chunk_from_a_member_refused_audited_and_not_stored(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    """kg's node serves bytes that do not match the manifest it signed: kz refuses the chunk,
    audits it, keeps none of that content, and `docs get` says so."""
    region = make_inproc_region(("kz", "kg"), documents={"prefetch_bytes": 1})
    await region.start()
    kz, kg = region["kz"], region["kg"]
    f = tmp_path / "a.pdf"
    f.write_bytes(pdf(2 * MiB + 5))
    did = await publish(kg, f)
    await wait_content(kz, did, "pending")
    db = Database(kg.config().db_url)
    with db.write() as s:
        s.execute(update(BlobChunk).where(BlobChunk.idx == 1).values(data=b"%PDF" + b"\0" * MiB))
    db.close()
    out = await kz.cli("docs", "get", did, "--out", str(tmp_path / "x.pdf"), check=False)
    assert "refused" in str(out)
    [e] = audit_of(kz, "document.chunk_refused")
    assert "chunk 1" in json.loads(e.detail)["reason"]
    assert rows(kz)["blob_chunks"] == 0 and rows(kz)["blobs"] == 0
    assert not (tmp_path / "x.pdf").exists()
    assert (await docs(kz, "show", did))[0]["note"].startswith("refused")  # type: ignore[index]


async def test_content_for_a_digest_the_peer_may_not_see_is_not_found(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    """kz shares `security-audits` with the region and nothing on `training`: tj asks for a
    training document's content by its digest, and for a digest kz never had. Both get the
    same NOT_FOUND, audited; kg, which was sent the manifest, gets the content."""
    countries = ("kz", "kg", "tj")
    policies = _policies(countries)
    region = make_inproc_region(countries, policies=policies)
    await region.start()
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    f = tmp_path / "a.pdf"
    f.write_bytes(pdf(100_000))
    hidden = await publish(kz, f, "training")
    digest = bytes.fromhex(next(d for d in await docs(kz, "list"))["content_sha256"])  # type: ignore[call-overload]
    assert hidden and await docs(tj, "list") == []
    async with aio_channel_from(tj, kz) as ch:
        stub = exchange_pb2_grpc.ExchangeStub(ch)
        for d in (digest, hashlib.sha256(b"never").digest(), b"short"):
            with pytest.raises(grpc.aio.AioRpcError) as info:
                async for _ in stub.FetchContent(document_pb2.ContentRequest(content_sha256=d)):
                    pass
            assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert len(audit_of(kz, "document.content_refused")) == 3
    shared = await publish(kz, f)  # the same bytes under a shared topic: kg may have them
    await wait_content(kg, shared, "complete")
    async with aio_channel_from(kg, kz) as ch:
        stub = exchange_pb2_grpc.ExchangeStub(ch)
        got = [
            c async for c in stub.FetchContent(document_pb2.ContentRequest(content_sha256=digest))
        ]
        assert b"".join(c.data for c in got) == f.read_bytes()
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in stub.FetchContent(
                document_pb2.ContentRequest(content_sha256=digest, offset=7)
            ):
                pass
        assert info.value.code() == grpc.StatusCode.OUT_OF_RANGE


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "args", "said"),
    [
        ("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 5000, (), "Linux executable"),
        ("setup.pdf", b"MZ\x90\0" + b"\0" * 100, (), "Windows executable"),
        ("notes.txt", b"text\0with NUL", (), "NUL"),
        (
            "report.docx",
            _zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "word/document.xml": b"x",
                    "word/vbaProject.bin": b"macro",
                }
            ),
            (),
            "macros",
        ),
        (
            "sheet.docx",
            _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"x"}),
            (),
            "no word/ part",
        ),
        ("a.exe", b"MZ", (), "not a document type"),
        ("a.pdf", pdf(5000), ("--topic", "no-such-topic"), "unknown topic"),
        ("a.pdf", pdf(5000), ("--language", "Russian"), "BCP 47"),
        ("a.pdf", pdf(5000), ("--title", "Досье на Иванова Ивана Ивановича 12.03.1985"), "title"),
        ("a.pdf", pdf(5000), ("--tags", "Иванов Иван Иванович"), "tags"),
        ("big.pdf", pdf(3 * MiB), (), "larger than this node publishes"),
        ("empty.txt", b"", (), "empty"),
    ],
)
async def test_publish_refusals_store_nothing(
    make_inproc_region: Callable[..., InprocRegion],
    tmp_path: Path,
    name: str,
    content: bytes,
    args: tuple[str, ...],
    said: str,
) -> None:
    region = make_inproc_region(("kz",), documents={"max_publish_bytes": 2 * MiB})
    await region.start()
    kz = region["kz"]
    f = tmp_path / name
    f.write_bytes(content)
    opts = {"--title": "Audit checklist", "--topic": "security-audits", "--language": "ru"}
    for k, v in zip(args[::2], args[1::2], strict=True):
        opts[k] = v
    flat = [x for kv in opts.items() for x in kv]
    out = await kz.cli("docs", "publish", str(f), *flat, check=False)
    assert said in str(out), out
    assert rows(kz) == {"document_versions": 0, "document_text": 0, "blobs": 0, "blob_chunks": 0}


async def test_withdrawal_drops_content_at_receivers_unless_a_live_document_shares_it(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    f = tmp_path / "a.pdf"
    f.write_bytes(pdf(MiB + 1))
    first = await publish(kz, f)
    second = await publish(kz, f, "training")  # the same bytes: one blob
    for did in (first, second):
        await wait_content(kg, did, "complete")
    assert rows(kg)["blobs"] == 1 and rows(kg)["blob_chunks"] == 2
    await docs(kz, "withdraw", first, "--reason", "replaced")

    async def withdrawn(did: str) -> bool:
        return any(d["withdrawn"] for d in await docs(kg, "show", did))  # type: ignore[attr-defined]

    await wait_until(lambda: withdrawn(first), 20, "the withdrawal at kg")
    assert rows(kg)["blob_chunks"] == 2  # the second document still holds the content
    assert [d["document_id"] for d in await docs(kg, "search", "audit")] == [second]  # type: ignore[attr-defined]
    await docs(kz, "withdraw", second)
    await wait_until(lambda: withdrawn(second), 20, "the second withdrawal at kg")
    for node in (kg, kz):
        r = rows(node)
        assert (r["blobs"], r["blob_chunks"], r["document_text"]) == (0, 0, 0), node.country
    shown = await docs(kg, "show", first)
    assert all("title" not in v for v in shown)  # type: ignore[attr-defined]
    out = await kz.cli("docs", "withdraw", first, check=False)
    assert "already withdrawn" in str(out)


async def test_next_version_and_translation_link(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    f = tmp_path / "a.pdf"
    f.write_bytes(pdf(2000))
    guide = await publish(kg, f, "assessment-categorisation")
    await wait_content(kz, guide, "complete")
    ru = await docs(kz, "publish", str(f), "--title", "Руководство по категоризации",
                    "--topic", "assessment-categorisation", "--language", "ru",
                    "--translation-of", f"kg/{guide}")  # fmt: skip
    assert ru["translation_of"] == f"kg/{guide}"  # type: ignore[index]
    v2 = await docs(kz, "publish", str(f), "--title", "Руководство, 2-е издание",
                    "--topic", "assessment-categorisation", "--language", "ru",
                    "--supersedes", ru["document_id"][:12])  # type: ignore[index]  # fmt: skip
    assert (v2["document_id"], v2["version"], v2["supersedes"]) == (ru["document_id"], 2, 1)  # type: ignore[index]

    async def both() -> bool:
        return len(await docs(kg, "show", ru["document_id"])) == 2  # type: ignore[arg-type, index]

    await wait_until(both, 20, "both versions at kg")
    out = await kz.cli("docs", "publish", str(f), "--title", "x", "--topic", "training",
                       "--language", "ru", "--supersedes", guide, check=False)  # fmt: skip
    assert "published by this node" in str(out)  # only our own documents get versions


async def test_withdrawal_reason_the_guard_flags_is_held_and_shown_once_released(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    """A member's withdrawal whose reason names a person: the withdrawal applies at once (the
    content goes), its reason waits in quarantine unshown, and a reviewer's release shows it."""
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    f = tmp_path / "a.pdf"
    f.write_bytes(pdf(MiB + 1))
    did = await publish(kz, f)
    await wait_content(kg, did, "complete")
    from datetime import UTC, datetime

    reason = "Withdrawn after the complaint by Ivanov Ivan Ivanovich, born 12.03.1985"
    w = document_pb2.DocumentWithdrawal(document_id=did, version=2, origin="kz", reason=reason)
    w.issued_at.CopyFrom(timestamp(datetime.now(UTC)))
    async with aio_channel_from(kz, kg) as ch:
        await push(ch, next_entry(signer_of(kz), "kz", kg, w))
    shown = await docs(kg, "show", did)
    assert any(v["withdrawn"] for v in shown)  # type: ignore[attr-defined]
    assert "Ivanov" not in json.dumps(shown)
    assert rows(kg)["blob_chunks"] == 0
    held = json.loads(await kg.cli("quarantine", "list", "--json"))
    [item] = [h for h in held if h["kind"] == "withdrawal-reason"]
    await kg.cli("quarantine", "release", item["ref"], "--reason", "reviewed: the name stays")
    shown = await docs(kg, "show", did)
    assert any(v.get("withdraw_reason") == reason for v in shown), shown  # type: ignore[attr-defined]
