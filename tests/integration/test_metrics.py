"""Prometheus metrics scraped from running nodes: what an operator's monitoring needs (entries
received and refused by peer and reason, outbox depth and age, links, trust alarms, record
requests, document bytes, latency histograms), and never subject data."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Callable

import pytest
from prometheus_client.parser import text_string_to_metric_families

from exchange.localregion import next_entry
from tests.inproc import InprocNode, InprocRegion, aio_channel_from, push, wait_until
from tests.integration.wire import make_alert, signer_of

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def scrape(node: InprocNode) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    port = json.loads((node.state_dir / "node.json").read_text())["metrics_port"]
    assert port, "metrics not served"

    def get() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            return str(r.read().decode())

    text = await asyncio.to_thread(get)
    assert "Ivanov" not in text and "Release from" not in text
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_scraped_from_a_real_node_follow_what_it_does(
    make_inproc_region: Callable[..., InprocRegion],
) -> None:
    region = make_inproc_region(("kz", "kg"), metrics="127.0.0.1:0")
    await region.start()
    kz, kg = region["kz"], region["kg"]
    await kz.cli("alerts", "publish", "--category", "escape", "--risk", "high", "--handling",
                 "H1", "--summary", "Escape from the colony")  # fmt: skip

    async def arrived() -> bool:
        m = await scrape(kg)
        return m.get(("exchange_entries_received_total", (("peer", "kz"),)), 0) >= 1

    await wait_until(arrived, 20, "kg to count kz's entry")
    m = await scrape(kg)
    assert m[("exchange_link_up", (("peer", "kz"),))] == 1
    assert m[("exchange_commit_seconds_count", ())] >= 1
    assert m[("exchange_verify_seconds_count", ())] >= 1
    assert ("exchange_certificate_expiry_seconds", (("purpose", "sign"),)) in m
    assert m[("exchange_trust_alarms", ())] == 0

    async def acked() -> bool:
        s = await scrape(kz)
        return s.get(("exchange_entries_sent", (("peer", "kg"),)), 0) >= 1

    await wait_until(acked, 20, "kz to count kg's acknowledgement")
    s = await scrape(kz)
    assert s[("exchange_outbox_depth", (("peer", "kg"),))] == 0
    # a forged entry (kg's key claiming kz) is refused and counted by peer and reason
    async with aio_channel_from(kz, kg) as ch:
        bad = next_entry(signer_of(kg), "kz", kg, make_alert("kz", "Release from the colony"))
        with pytest.raises(Exception):  # noqa: B017 - refused over gRPC
            await push(ch, bad)
    m = await scrape(kg)
    refused = {k: v for k, v in m.items() if k[0] == "exchange_entries_refused_total"}
    assert refused and all(dict(k[1])["peer"] == "kz" for k in refused), refused
    # stopping kg: kz's link goes down and its outbox grows with age
    await kg.stop()
    await kz.cli("alerts", "publish", "--category", "escape", "--risk", "high", "--handling",
                 "H1", "--summary", "Another escape")  # fmt: skip

    async def behind() -> bool:
        s = await scrape(kz)
        return (
            s.get(("exchange_outbox_depth", (("peer", "kg"),)), 0) >= 1
            and s.get(("exchange_link_up", (("peer", "kg"),)), 1) == 0
        )

    await wait_until(behind, 20, "kz to see kg down and behind")
