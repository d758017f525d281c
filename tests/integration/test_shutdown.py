"""Graceful shutdown: health goes NOT_SERVING, in-flight batches finish, nothing is lost."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from exchange._proto.v1 import alert_pb2, operator_pb2
from exchange.localregion import LocalRegion, wait_for
from tests.integration.wire import channel_from, counts

pytestmark = pytest.mark.integration
N = 600


def test_sigterm_during_catch_up_loses_nothing(make_region: Callable[..., LocalRegion]) -> None:
    region = make_region(("kz", "kg"), sync={"batch_size": 20, "window": 2})
    region.start()
    kz, kg = region["kz"], region["kg"]
    kg.stop()
    ch, stub = kz.operator()
    with ch:
        for i in range(N):
            stub.PublishAlert(
                operator_pb2.PublishAlertRequest(
                    alert=alert_pb2.Alert(
                        category=alert_pb2.CATEGORY_TRANSFER_NOTICE,
                        risk=alert_pb2.RISK_LOW,
                        handling=alert_pb2.HANDLING_H0,
                        summary=f"Routine transfer {i}",
                    )
                ),
                timeout=10,
            )
    kg.start()

    # Watch kg's health as kz would (kz's pinned certificate).
    seen: list[int] = []

    def watch() -> None:
        with channel_from(kz, kg) as hch:
            try:
                for resp in health_pb2_grpc.HealthStub(hch).Watch(
                    health_pb2.HealthCheckRequest(service=""), timeout=30
                ):
                    seen.append(resp.status)
                    if resp.status == health_pb2.HealthCheckResponse.NOT_SERVING:
                        return
            except Exception:
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    wait_for(lambda: health_pb2.HealthCheckResponse.SERVING in seen, 10, "kg health SERVING")

    def mid_catch_up() -> bool:
        head = [p.received_head for p in kg.status().peers if p.country == "kz"]
        return bool(head) and head[0] > 0

    wait_for(mid_catch_up, 30, "kg to start catching up", interval=0.01)
    assert kg.stop() == 0  # SIGTERM: graceful exit code
    watcher.join(10)
    assert health_pb2.HealthCheckResponse.NOT_SERVING in seen
    partial = counts(kg)["entries"]
    print(f"entries stored before SIGTERM completed: {partial}")
    assert partial <= N
    kg.start()
    region.wait_converged("kz", timeout=60)
    assert counts(kg)["entries"] == N  # every entry exactly once
    assert counts(kg)["versions"] == N
