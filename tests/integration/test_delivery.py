"""Delivery between real node processes on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest

from exchange.localregion import LocalRegion, wait_for
from tests.integration.wire import counts

pytestmark = pytest.mark.integration


def publish(node, **fields: str) -> str:  # type: ignore[no-untyped-def]
    args = ["alerts", "publish", "--json"]
    defaults = {"category": "release-notice", "risk": "high", "handling": "H2"}
    for k, v in {**defaults, **fields}.items():
        args += [f"--{k.replace('_', '-')}", v]
    import json

    return str(json.loads(node.cli(*args))["alert_id"])


def test_publish_is_delivered_to_both_peers(make_region: Callable[..., LocalRegion]) -> None:
    region = make_region()
    region.start()
    alert_id = publish(region["kz"], summary="Release from facility 3")
    want = region.wait_converged("kz", timeout=20)
    assert want == {alert_id: (1, False)}
    for c in ("kg", "tj"):
        [rec] = region[c].alerts("kz")
        assert rec.alert.summary == "Release from facility 3"
        assert rec.alert.origin == "kz"


def test_receiver_down_catches_up_after_restart(make_region: Callable[..., LocalRegion]) -> None:
    region = make_region()
    region.start()
    kz, tj = region["kz"], region["tj"]
    first = publish(kz, summary="First notice")
    region.wait_converged("kz")
    assert tj.stop() == 0  # graceful
    second = publish(kz, category="escape", risk="critical")
    third = publish(kz, category="contraband-device", risk="medium")
    kz.cli("alerts", "amend", first, "--risk", "critical")
    want = {first: (2, False), second: (1, False), third: (1, False)}
    region.wait_converged("kz")  # kg (running) has everything
    assert region["kg"].versions("kz") == want
    assert kz.status().peers[-1].outbox_depth == 2 + 1  # tj's channel: 2 alerts + 1 amendment
    tj.start()
    assert region.wait_converged("kz") == want

    def drained() -> bool:
        return all(p.outbox_depth == 0 for p in kz.status().peers)

    wait_for(drained, 20, "kz's outbox to tj to drain")
    assert counts(tj)["entries"] == 4  # 4 entries on kz -> tj, each stored once


def test_withdrawal_reaches_peers(make_region: Callable[..., LocalRegion]) -> None:
    region = make_region(("kz", "kg"))
    region.start()
    kz, kg = region["kz"], region["kg"]
    alert_id = publish(kz)
    region.wait_converged("kz")
    kz.cli("alerts", "withdraw", alert_id, "--reason", "entered in error")
    assert region.wait_converged("kz") == {alert_id: (2, True)}
    [rec] = kg.alerts("kz")
    assert rec.withdrawn and rec.withdraw_reason == "entered in error"
    out = kz.cli("alerts", "amend", alert_id, "--risk", "low", check=False)
    assert "withdrawn" in out


def test_publish_whose_node_died_after_commit_is_retried_once_by_the_cli(
    make_region: Callable[..., LocalRegion],
) -> None:
    """The node commits the alert and dies before it answers: what was committed survives and
    is delivered exactly once, and the CLI, still running, retries with its idempotency key
    while the node restarts and is answered with the first alert, not a second one."""
    region = make_region(("kz", "kg"))
    region.start()
    kz, kg = region["kz"], region["kg"]
    kz.stop()
    kz.start(env={"EXCHANGE_FAULT": "crash-after-commit"})
    said: list[str] = []
    publish = threading.Thread(
        target=lambda: said.append(
            kz.cli(
                "alerts", "publish", "--category", "escape", "--risk", "high",
                "--handling", "H0", "--json",
            )
        ),
        daemon=True,
    )  # fmt: skip
    publish.start()
    assert kz.wait_exit() == -9  # SIGKILL, right after the commit, before any answer
    assert kg.versions("kz") == {}
    kz.start()
    publish.join(60)
    assert not publish.is_alive() and said, "the CLI did not answer"
    first = json.loads(said[0])
    assert first["replayed"] is True  # the answer is the first result, not a second alert
    own = kz.alerts("kz")
    assert [r.alert.alert_id for r in own] == [first["alert_id"]]
    [(_, version)] = region.wait_converged("kz").items()
    assert version == (1, False)
    c = counts(kg)
    assert c["entries"] == 1 and c["versions"] == 1


def test_sender_killed_after_ack_resends_without_duplicates(
    make_region: Callable[..., LocalRegion],
) -> None:
    region = make_region(("kz", "kg"))
    region.start()
    kz, kg = region["kz"], region["kg"]
    kz.stop()
    kz.start(env={"EXCHANGE_FAULT": "crash-after-ack"})
    kz.cli("alerts", "publish", "--category", "escape", "--risk", "high", "--handling", "H0")
    assert kz.wait_exit() == -9  # delivered and acknowledged, but the ack was never recorded
    assert len(kg.versions("kz")) == 1
    kz.start()
    region.wait_converged("kz")

    def drained() -> bool:
        return all(p.outbox_depth == 0 for p in kz.status().peers)

    wait_for(drained, 20, "kz to record kg's ack")
    c = counts(kg)
    assert c["entries"] == 1 and c["versions"] == 1
