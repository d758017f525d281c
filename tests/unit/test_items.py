"""Item kinds: every member of ChannelEntry's `item` has one handler, delivery never switches on
kinds, a document (the third kind) is refused by default policy with its channel position kept,
and the migration to item ids keeps existing entries."""

from __future__ import annotations

import ast
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uuid6
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import func, select, text

from exchange._proto.v1 import alert_pb2, channel_pb2, document_pb2, envelope_pb2, record_pb2
from exchange.alerts.model import timestamp
from exchange.channel import GENESIS_HASH, Head, entry_hash
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey, VerifyKey
from exchange.errors import MalformedInput, NotPermitted
from exchange.items import HANDLERS, Acceptance, handler_for_item, handler_of
from exchange.items.base import REFUSED, STORED, Known
from exchange.store.db import MIGRATIONS, Database
from exchange.store.models import AlertVersion, Channel, Entry, QuarantineRow
from exchange.sync.inbox import apply, check_batch, check_entry, read_entry
from exchange.sync.receipt import plan_batch

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SYNC = Path(__file__).resolve().parents[2] / "exchange" / "sync"


def test_every_item_member_has_one_handler() -> None:
    members = {f.name for f in channel_pb2.ChannelEntry.DESCRIPTOR.oneofs_by_name["item"].fields}
    assert {h.member for h in HANDLERS} == members
    assert len({h.kind for h in HANDLERS}) == len(HANDLERS)
    for h in HANDLERS:
        assert handler_of(h.kind) is h
    with pytest.raises(MalformedInput):
        handler_of("nonsense")


@pytest.mark.parametrize("module", ["inbox.py", "receipt.py", "sender.py", "puller.py"])
def test_delivery_code_never_switches_on_item_kinds(module: str) -> None:
    """Receiving, planning and sending name no kind: what an entry carries is its handler's."""
    names = {h.member for h in HANDLERS} | {h.kind for h in HANDLERS}
    tree = ast.parse((SYNC / module).read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names | {"WhichOneof"}:
            found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Constant) and node.value in names:
            found.append(f"line {node.lineno}: {node.value!r}")
    assert found == [], f"{module} switches on item kinds: {found}"


def manifest(
    topic: str = "managing-violent-extremist-prisoners", **kw: object
) -> document_pb2.DocumentManifest:
    m = document_pb2.DocumentManifest(
        document_id=str(uuid6.uuid7()),
        version=1,
        origin="kz",
        title="Assessment and categorisation of prisoners",
        topic=topic,
        language="ru",
        content_sha256=hashlib.sha256(b"%PDF-1.7").digest(),
        size=8,
        handling=alert_pb2.HANDLING_H0,
        media_type="application/pdf",
        chunk_size=1024 * 1024,
        chunk_sha256=[hashlib.sha256(b"%PDF-1.7").digest()],
    )
    m.issued_at.CopyFrom(timestamp(NOW))
    for k, v in kw.items():
        if isinstance(v, list):
            getattr(m, k).extend(v)
        else:
            setattr(m, k, v)
    return m


def signed(
    key: SigningKey,
    item: document_pb2.DocumentManifest,
    seq: int = 1,
    prev: bytes = GENESIS_HASH,
    schema: int | None = None,
) -> envelope_pb2.Envelope:
    h = handler_for_item(item)
    e = channel_pb2.ChannelEntry(
        origin="kz", recipient="tj", seq=seq, prev_hash=prev, signed_at=timestamp(NOW)
    )
    e.schema = schema if schema is not None else h.schema
    getattr(e, h.member).CopyFrom(item)
    return key.sign(ENTRY_PAYLOAD_TYPE, e.SerializeToString(deterministic=True))


@pytest.fixture
def kz() -> SigningKey:
    return SigningKey.generate()


def trusted(key: SigningKey) -> dict[str, VerifyKey]:
    return {key.key_id: VerifyKey.from_raw("kz", key.public_raw)}


def test_document_refused_by_default_policy_keeps_its_position(kz: SigningKey) -> None:
    """A pure plan, no database: the entry is a channel position with no payload kept."""
    env = signed(kz, manifest())
    it = check_entry(env, trusted(kz), "kz", "tj", 64 * 1024, NOW)
    assert (it.kind, it.id_key) == ("document", "document_id")
    plan = plan_batch(Known(Head(), {}, {}), [it], "kz", "tj", NOW)
    [row] = plan.entries
    assert row["state"] == REFUSED and row["envelope"] == b"" and row["item_kind"] == "document"
    assert row["item_id"] == it.item_id and plan.head.seq == 1
    assert not (plan.versions or plan.heads or plan.tokens or plan.quarantine or plan.purges)
    [(event, detail)] = plan.events
    assert event == "document.refused_by_policy" and detail["document_id"] == it.item_id
    # A rule that takes the topic stores the manifest (its content is fetched apart).
    open_rule = Acceptance(document_topics=frozenset({"managing-violent-extremist-prisoners"}))
    plan = plan_batch(Known(Head(), {}, {}), [it], "kz", "tj", NOW, open_rule)
    assert plan.entries[0]["state"] == STORED and not plan.events
    [stored] = plan.rows["document_versions"]
    assert (stored["document_id"], stored["size"]) == (it.item_id, 8)


@pytest.mark.parametrize(
    "bad",
    [
        {"document_id": "not-a-uuid"},
        {"version": 0},
        {"origin": "kg"},
        {"topic": "Bad Topic!"},
        {"language": "russian language"},
        {"content_sha256": b"short"},
        {"title": "x\u202ey"},
        {"size": 2 * 1024 * 1024},  # two chunks, one chunk hash
        {"chunk_size": 1024},  # below the smallest chunk
        {"media_type": "application/x-msdownload"},
        {"handling": 9},
        {"supersedes": 1},  # version 1 supersedes nothing
        {"tags": ["ok", ""]},
    ],
)
def test_malformed_document_refused_on_receipt(kz: SigningKey, bad: dict[str, object]) -> None:
    with pytest.raises((MalformedInput, NotPermitted)) as info:
        check_entry(signed(kz, manifest(**bad)), trusted(kz), "kz", "tj", 64 * 1024, NOW)
    assert "document" in info.value.message


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_document_entry_stored_as_a_refused_position(database: Database, kz: SigningKey) -> None:
    """The storage step on both databases: kind and id recorded, no payload, nothing else."""
    doc = manifest()
    good, err = check_batch([signed(kz, doc)], trusted(kz), "kz", "tj", 64 * 1024, NOW)
    assert err is None
    applied = apply(database, "kz", "tj", good, NOW)
    assert applied.applied == 1 and applied.head_seq == 1
    with database.read() as s:
        [e] = s.execute(select(Entry)).scalars().all()
        assert (e.item_kind, e.item_id, e.state, e.envelope) == (
            "document",
            doc.document_id,
            REFUSED,
            b"",
        )
        ch = s.get(Channel, ("kz", "tj"))
        assert ch is not None and ch.head_seq == 1
    assert count(database, AlertVersion) == 0 and count(database, QuarantineRow) == 0
    # A malformed document after it is refused whole: nothing more stored, the head stays.
    bad = manifest(language="??")
    good, err = check_batch(
        [signed(kz, bad, 2, entry_hash(signed(kz, doc).payload))],
        trusted(kz),
        "kz",
        "tj",
        64 * 1024,
        NOW,
    )
    assert good == [] and err is not None
    assert count(database, Entry) == 1


def test_read_entry_names_the_handler_of_every_kind(kz: SigningKey) -> None:
    env = signed(kz, manifest())
    entry = channel_pb2.ChannelEntry.FromString(env.payload)
    it = read_entry(entry, env.payload, env.SerializeToString(), "kz", NOW)
    assert handler_of(it.kind).member == entry.WhichOneof("item")


def test_migration_to_item_ids_keeps_existing_entries(db_url: str) -> None:
    db = Database(db_url)
    try:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0008")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO entries (origin, recipient, seq, entry_hash, envelope, alert_id, "
                    "version, stored_at, item_kind, state, note) VALUES ('kz', 'tj', 1, :h, :e, "
                    "'0190a000-0000-7000-8000-000000000001', 3, :t, 'alert', 'stored', '')"
                ),
                {"h": b"\x01" * 32, "e": b"env", "t": NOW},
            )
        db.migrate()
        with db.read() as s:
            [e] = s.execute(select(Entry)).scalars().all()
            assert (e.item_id, e.version, e.item_kind, e.envelope) == (
                "0190a000-0000-7000-8000-000000000001",
                3,
                "alert",
                b"env",
            )
    finally:
        db.close()


def test_policy_accepts_documents_by_topic_and_denies_by_default() -> None:
    from exchange.policy import parse_policy
    from exchange.policy.loader import PolicyError

    base = 'country = "tj"\n[[accept]]\nfrom = "kz"\ncategories = ["escape"]\n'
    p = parse_policy(base + 'document_topics = ["security-audits"]\n')
    assert p.acceptance("kz").document_topics == frozenset({"security-audits"})
    assert parse_policy(base).acceptance("kz").document_topics == frozenset()
    assert p.acceptance("kg") == Acceptance(categories=frozenset())  # no rule: nothing at all
    with pytest.raises(PolicyError) as info:
        parse_policy(base + 'document_topics = ["Bad Topic"]\n')
    assert "document_topics" in info.value.message


def test_each_kind_is_written_in_the_oldest_schema_that_has_it(kz: SigningKey) -> None:
    """Alerts stay schema 1, so a peer that reads only schema 1 still reads them; a document
    claiming schema 1 (which has no documents) is refused."""
    assert handler_of("alert").schema == handler_of("withdrawal").schema == 1
    assert handler_of("document").schema == handler_of("doc-withdrawal").schema == 3
    for old in (1, 2):
        with pytest.raises(MalformedInput) as info:
            check_entry(signed(kz, manifest(), schema=old), trusted(kz), "kz", "tj", 64 * 1024, NOW)
        assert f"schema {old}" in info.value.message


def test_every_kind_name_fits_its_column() -> None:
    """entries.item_kind is 16 characters: SQLite would store a longer name, PostgreSQL
    refuses it (a kind of 19 characters once failed every document withdrawal there)."""
    from exchange.items.registry import HANDLERS
    from exchange.store.models import Entry

    width = Entry.__table__.c.item_kind.type.length
    assert all(len(h.kind) <= width for h in HANDLERS)


def _request(**kw: object) -> record_pb2.RecordRequest:
    r = record_pb2.RecordRequest(
        request_id=str(uuid6.uuid7()),
        requester="kz",
        owner="tj",
        alert_origin="tj",
        alert_id=str(uuid6.uuid7()),
        purpose="Risk assessment before the transfer",
        legal_basis="Agreement, art. 4",
    )
    r.requested_at.CopyFrom(timestamp(NOW))
    for k, v in kw.items():
        setattr(r, k, v)
    return r


def test_a_flood_of_record_requests_stops_at_the_open_request_cap(kz: SigningKey) -> None:
    """A member may keep at most MAX_OPEN_REQUESTS undecided requests at another country: the
    next is refused (its position kept, nothing queued for an approver)."""
    from exchange.items.records import MAX_OPEN_REQUESTS

    envs = [signed(kz, _request(), seq=1)]  # type: ignore[arg-type]
    it = check_entry(envs[0], trusted(kz), "kz", "tj", 64 * 1024, NOW)
    below = plan_batch(
        Known(Head(), {}, {}, open_requests=MAX_OPEN_REQUESTS - 1), [it], "kz", "tj", NOW
    )
    assert below.entries[0]["state"] == STORED and len(below.rows["record_cases"]) == 1
    full = plan_batch(Known(Head(), {}, {}, open_requests=MAX_OPEN_REQUESTS), [it], "kz", "tj", NOW)
    assert full.entries[0]["state"] == REFUSED and "record_cases" not in full.rows
    assert full.events[0][0] == "record.refused"


@pytest.mark.parametrize(
    "bad",
    [
        {"purpose": ""},
        {"legal_basis": "  "},
        {"alert_origin": "kg"},  # not the owner's own alert
        {"owner": "kz"},  # from itself
        {"request_id": "not-a-uuid"},
        {"officer": "Ivan Ivanov"},
        {"purpose": "x\u202ey"},
        {"hit_kind": "Name DOB!"},
    ],
)
def test_malformed_record_request_refused_on_receipt(
    kz: SigningKey, bad: dict[str, object]
) -> None:
    env = signed(kz, _request(**bad))  # type: ignore[arg-type]
    with pytest.raises((MalformedInput, NotPermitted)):
        check_entry(env, trusted(kz), "kz", "tj", 64 * 1024, NOW)
