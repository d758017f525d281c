"""Replicas of one node on one PostgreSQL database, as real processes: leases taken over after
SIGKILL with nothing lost or doubled, and two replicas receiving one channel at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import psycopg
import pytest

from exchange._proto.v1 import exchange_pb2
from exchange.channel import GENESIS_HASH, entry_hash
from exchange.localregion import LocalNode, LocalRegion, RegionError, RegionTrust, wait_for
from exchange.localreplica import (
    channel_tally,
    holder,
    leases,
    publish_at,
    replica_of,
)
from tests.conftest import PG_DSN, PgSchemas
from tests.integration.wire import channel_from, make_alert, signed_entry, signer_of

pytestmark = pytest.mark.integration
SINGLETONS = ("record-desk", "retention", "documents", "audit-checkpoints")


@pytest.fixture
def region(pg_schemas: PgSchemas, short_tmp: Path) -> Iterator[LocalRegion]:
    """kz and kg on their own PostgreSQL schemas, started and trusting each other (not yet
    peers); every process is killed afterwards."""
    r = LocalRegion(short_tmp / "r", ("kz", "kg"), lambda c: pg_schemas.url(c))
    extra: list[LocalNode] = []
    r.extra = extra  # type: ignore[attr-defined]
    try:
        r.start(pair=False)
        yield r
    finally:
        for n in [*r.nodes.values(), *extra]:
            n.kill()


def start_replicas(r: LocalRegion, *names: str) -> list[LocalNode]:
    kz = r["kz"]
    out: list[LocalNode] = [kz]
    for name in names:
        rep = replica_of(kz, name)
        r.extra.append(rep)  # type: ignore[attr-defined]
        rep.start()
        out.append(rep)
    return out


def peer_known(node: LocalNode, country: str) -> bool:
    return any(p.country == country for p in node.status().peers)


def test_sending_replica_killed_another_takes_over_nothing_lost_or_doubled(
    region: LocalRegion,
) -> None:
    kz, kg = region["kz"], region["kg"]
    replicas = start_replicas(region, "b", "c")
    kz.add_peer(kg)  # on one replica; the others load it from the shared version
    kg.add_peer(kz, address=",".join(n.address for n in replicas))
    wait_for(lambda: all(peer_known(n, "kg") for n in replicas), 10, "every replica to know kg")
    wait_for(lambda: holder(replicas, "peer:kg") is not None, 10, "a replica to lease peer:kg")
    for lease in SINGLETONS:
        assert holder(replicas, lease) is not None, lease

    sent_kz: list[str] = []
    sent_kg: list[str] = []
    for i in range(10):
        sent_kz.append(publish_at(replicas, i, f"Transfer notice {i}"))
        sent_kg.append(publish_at([kg], 0, f"Escape notice {i}"))
    first = holder(replicas, "peer:kg")
    assert first is not None
    held_before = leases(first)
    first.kill()  # SIGKILL: no goodbye, its database connections just close
    killed_at = time.monotonic()
    alive = [n for n in replicas if n.running]
    wait_for(lambda: holder(alive, "peer:kg") is not None, 10, "another replica to take peer:kg")
    takeover = time.monotonic() - killed_at
    assert takeover < 5.0
    for i in range(10, 20):
        sent_kz.append(publish_at(alive, i, f"Transfer notice {i}"))
        sent_kg.append(publish_at([kg], 0, f"Escape notice {i}"))

    def delivered() -> bool:
        return channel_tally(kg, "kz")[3] >= set(sent_kz) and channel_tally(alive[0], "kg")[
            3
        ] >= set(sent_kg)

    wait_for(delivered, 30, "both ways delivered", 0.2)
    for receiver, origin, sent in ((kg, "kz", sent_kz), (alive[0], "kg", sent_kg)):
        total, distinct, top, ids = channel_tally(receiver, origin)
        assert ids == set(sent)  # lost 0, and nothing that was not published
        assert total == distinct == top == len(sent)  # duplicated 0, no gap in the channel
    for lease in held_before:  # every lease of the killed replica is held again, once
        wait_for(lambda lease=lease: holder(alive, lease) is not None, 10, f"{lease} taken")
    out = alive[0].cli("audit", "verify")
    assert out.startswith("audit log intact")


def test_two_replicas_receiving_one_channel_at_once_store_it_once(region: LocalRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    replicas = start_replicas(region, "b")
    # Addresses of two different nodes for one peer: refused, and nothing pinned.
    with pytest.raises(grpc.RpcError) as refused:
        kz.add_peer(kg, address=f"{kg.address},{replicas[1].address}")
    assert "different certificates" in str(refused.value.details())
    assert not peer_known(kz, "kg") and not peer_known(replicas[1], "kg")
    kz.add_peer(kg)
    wait_for(lambda: peer_known(replicas[1], "kg"), 10, "replica b to know kg")
    kg.stop()  # kg's own sender stays out of it: the entries below are kg's channel to kz
    signer = signer_of(kg)
    prev, batches = GENESIS_HASH, []
    for start in range(1, 201, 20):
        envs = []
        for seq in range(start, start + 20):
            env = signed_entry(signer, "kg", "kz", seq, make_alert("kg", f"Notice {seq}"), prev)
            prev = entry_hash(env.payload)
            envs.append(env)
        batches.append(exchange_pb2.EntryBatch(entries=envs))
    acks: dict[str, list[int]] = {}
    errors: list[str] = []
    go = threading.Barrier(2)

    def push(target: LocalNode) -> None:
        from exchange._proto.v1 import exchange_pb2_grpc

        with channel_from(kg, target) as ch:
            go.wait()
            try:
                stub = exchange_pb2_grpc.ExchangeStub(ch)
                got = list(stub.Push(iter(batches), timeout=30))
                acks[target.run_dir.name] = [a.head_seq for a in got]
            except grpc.RpcError as err:
                errors.append(f"{err.code().name}: {err.details()}")

    threads = [threading.Thread(target=push, args=(n,)) for n in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert all(heads[-1] == 200 for heads in acks.values()) and len(acks) == 2
    total, distinct, top, _ = channel_tally(kz, "kg")
    assert total == distinct == top == 200  # no fork, no duplicate, no lost entry
    assert len(kz.versions("kg")) == 200 == len(replicas[1].versions("kg"))
    out = kz.cli("audit", "verify")
    assert out.startswith("audit log intact")


def test_replica_on_sqlite_is_refused(short_tmp: Path) -> None:
    r = LocalRegion(short_tmp / "s", ("kz",))
    r["kz"].init()
    rep = replica_of(r["kz"], "b")
    with pytest.raises(RegionError, match="exited"):
        rep.start(timeout=20)
    log = rep.log_path.read_text()
    assert "needs PostgreSQL" in log and "Traceback" not in log
    assert not (rep.run_dir / "operator.sock").exists()


def test_replicas_reload_trust_and_see_a_different_policy(
    pg_schemas: PgSchemas, short_tmp: Path
) -> None:
    r = LocalRegion(short_tmp / "t", ("kz", "kg"), lambda c: pg_schemas.url(c))
    kz, kg = r["kz"], r["kg"]
    b = replica_of(kz, "b")
    try:
        for n in (kz, kg):
            n.init()
        r.trust = RegionTrust.create(r.nodes.values(), r.sign_seconds)
        kz.start()
        b.start()
        assert b.keys_status().bundle_version == 0  # started before any trust
        kz.import_trust(r.trust.all_items())  # at one replica only
        want = kz.keys_status().bundle_version
        assert want >= 1
        wait_for(lambda: b.keys_status().bundle_version == want, 5, "b to reload the trust")
        assert {k.key_id for k in b.keys_status().keys} == {k.key_id for k in kz.keys_status().keys}
        # A replica started with another policy file: the others say so in status.
        other = kz.root / "kz-c.policy.toml"
        other.write_text((kz.root / "kz.policy.toml").read_text() + "# c's own copy\n")
        text = kz.config_path.read_text().replace("kz.policy.toml", "kz-c.policy.toml")
        (kz.root / "kz-c.toml").write_text('replica = "c"\n' + text)  # its own config
        c = replica_of(kz, "c")
        c.config_file = kz.root / "kz-c.toml"
        c.start()
        try:

            def alarmed() -> bool:
                return any("another replica" in a for a in kz.status().alarms)

            wait_for(alarmed, 5, "kz to see c's different policy")
            assert not any("another replica" in a for a in c.status().alarms)  # c loaded last
            out = c.cli("status")  # the CLI on c's config talks to c's own socket
            assert "replica c; leases held here:" in out
        finally:
            c.kill()
    finally:
        for n in (kz, kg, b):
            n.kill()


def test_holder_that_loses_its_lease_connection_stops_and_another_takes_over(
    region: LocalRegion,
) -> None:
    kz, kg = region["kz"], region["kg"]
    replicas = start_replicas(region, "b")
    kz.add_peer(kg)
    kg.add_peer(kz, address=",".join(n.address for n in replicas))
    wait_for(lambda: holder(replicas, "peer:kg") is not None, 10, "a replica to lease peer:kg")
    first = holder(replicas, "peer:kg")
    assert first is not None
    # The connection holding this schema's peer:kg lock (other tests' nodes run kz too, with
    # lease connections of the same name): what a network cut would do to it.
    schema = kz.config().db_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        killed = conn.execute(
            "select count(pg_terminate_backend(l.pid)) from pg_locks l "
            "where l.locktype = 'advisory' and l.objsubid = 1 and l.granted "
            "and ((l.classid::bigint << 32) | l.objid::bigint) "
            "= hashtextextended(%s || ':' || 'peer:kg', 0)",
            (schema,),
        ).fetchone()
    assert killed is not None and killed[0] == 1
    other = next(n for n in replicas if n is not first)
    wait_for(lambda: "peer:kg" in leases(other), 5, "the other replica to take peer:kg")
    # It notices on its next poll and stops its sender (until then both may send: the peer
    # acknowledges the second copy as a replay).
    wait_for(lambda: "peer:kg" not in leases(first), 3, "the first replica to stop its sender")
    assert first.running  # it lives on, and serves its peer port
    assert "peer:kg" in other.status().leases and "peer:kg" not in first.status().leases
    assert replicas[1].status().replica == "b" and kz.status().replica == ""
    # Published at the replica that lost the lease: the holder sees the channel's head move
    # (well before its 30 s pull interval) and sends it.
    sent = publish_at([first], 0, "Transfer notice")
    wait_for(lambda: sent in channel_tally(kg, "kz")[3], 5, "the alert at kg")
    assert "lease connection lost" in first.log_path.read_text()
