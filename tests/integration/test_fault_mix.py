"""Nothing lost, nothing doubled, under a mix of faults in one run: a paused receiver
(SIGSTOP), a partition (every connection goes silent), a killed receiver, a killed sender,
while alerts are published, amended and withdrawn. Bounded: four rounds, each wait capped."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest

from exchange._proto.v1 import alert_pb2, operator_pb2
from exchange.localregion import LocalNode, LocalRegion
from tests.integration.netfault import Forwarder
from tests.integration.wire import counts

pytestmark = pytest.mark.integration
PER_ROUND = 15


def publish(node: LocalNode, n: int, tag: str) -> list[str]:
    ids = []
    for i in range(n):
        rec = node.call(
            "PublishAlert",
            operator_pb2.PublishAlertRequest(
                alert=alert_pb2.Alert(
                    category=alert_pb2.CATEGORY_TRANSFER_NOTICE,
                    risk=alert_pb2.RISK_LOW,
                    handling=alert_pb2.HANDLING_H0,
                    summary=f"Routine transfer {tag}-{i}",
                )
            ),
        )
        ids.append(rec.alert.alert_id)
    return ids


def test_pause_partition_and_kills_lose_nothing(
    make_region: Callable[..., LocalRegion],
) -> None:
    region = make_region(("kz", "kg"), sync={"batch_size": 10, "pull_interval_seconds": 2.0})
    region.start(pair=False)
    kz, kg = region["kz"], region["kg"]
    link = Forwarder(kg.address)
    try:
        kz.add_peer(kg, link.address)
        kg.add_peer(kz)
        ids = publish(kz, PER_ROUND, "start")

        # 1. The receiver pauses (a stuck VM) while alerts keep coming.
        assert kg.proc is not None
        os.kill(kg.proc.pid, signal.SIGSTOP)
        ids += publish(kz, PER_ROUND, "paused")
        time.sleep(2)
        os.kill(kg.proc.pid, signal.SIGCONT)

        # 2. A partition: every open connection goes silent; new ones get through later.
        link.silence()
        ids += publish(kz, PER_ROUND, "partition")
        kz.cli("alerts", "amend", ids[0], "--risk", "high")
        kz.cli("alerts", "withdraw", ids[1], "--reason", "entered in error")

        # 3. The receiver is killed and restarted.
        kg.kill()
        ids += publish(kz, PER_ROUND, "receiver-down")
        kg.start()

        # 4. The sender is killed right after its commits and restarted.
        ids += publish(kz, PER_ROUND, "sender-crash")
        kz.kill()
        kz.start()

        want = region.wait_converged("kz", timeout=60)
        assert len(want) == 5 * PER_ROUND
        assert want[ids[0]] == (2, False) and want[ids[1]] == (2, True)
        c = counts(kg)
        # one entry per version: 75 alerts, one amendment, one withdrawal
        assert c["entries"] == 5 * PER_ROUND + 2
        assert c["versions"] == 5 * PER_ROUND + 2
    finally:
        link.close()
