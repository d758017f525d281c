"""Delivery between real node processes on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from exchange.localregion import LocalRegion

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
