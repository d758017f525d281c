"""Best-practice documents end to end on in-process regions: publish, list, search, fetch the
content chunk by chunk, withdraw; and what a hostile member's manifests and chunks get."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.inproc import InprocNode, InprocRegion, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


def pdf(size: int, seed: bytes = b"x") -> bytes:
    body = hashlib.sha256(seed).digest() * (size // 32 + 1)
    return (b"%PDF-1.7\n" + body)[:size]


async def docs(node: InprocNode, *args: str) -> object:
    return json.loads(await node.cli("docs", *args, "--json"))


async def test_document_reaches_peer_and_its_content_is_fetched_and_verified(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    data = pdf(3 * 1024 * 1024 + 12345)
    f = tmp_path / "guide.pdf"
    f.write_bytes(data)
    out = await docs(
        kz,
        "publish",
        str(f),
        "--title",
        "Categorisation guide",
        "--topic",
        "assessment-categorisation",
        "--language",
        "en",
        "--summary",
        "How to assess and categorise prisoners",
        "--tags",
        "risk,intake",
    )
    assert out["recipients"] == 1
    did = out["document_id"]

    async def complete() -> bool:
        listed = await docs(kg, "list")
        return bool(listed) and listed[0]["content"] == "complete"

    await wait_until(complete, 30, "the content at kg")
    found = await docs(kg, "search", "categorise")
    assert [d["document_id"] for d in found] == [did]
    target = tmp_path / "got.pdf"
    got = await docs(kg, "get", did, "--out", str(target))
    assert got["size"] == len(data)
    assert target.read_bytes() == data
