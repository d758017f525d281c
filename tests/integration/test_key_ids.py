"""One id per key: `init`, `keys node public`, `keys node rotate`, `keys node issue` and
`keys status` name each key by the same full hex id (the id revocations use)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exchange.envelope import SigningKey
from exchange.localregion import LocalNode, make_bundle
from exchange.trust import PURPOSES, issue_node_certificates, node_key_id
from exchange.trust.files import write_items

pytestmark = pytest.mark.integration


@pytest.fixture
def node() -> Iterator[LocalNode]:
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    n = LocalNode("kz", root, peers_in_region=("kz",))
    try:
        n.root.mkdir(parents=True, exist_ok=True)
        n.write_config()
        yield n
    finally:
        n.kill()
        shutil.rmtree(root, ignore_errors=True)


def test_every_command_names_a_key_by_the_same_id(node: LocalNode, tmp_path: Path) -> None:
    said = node.cli("init")
    init_ids = dict(re.findall(r"^(sign|seal|tls) key id: ([0-9a-f]{64})$", said, re.M))
    public = json.loads(node.cli("keys", "node", "public"))
    assert public["key_ids"] == init_ids and set(init_ids) == {"sign", "seal", "tls"}
    # The ids are the hex sha256 of what each certificate holds; the TLS key's is the SPKI
    # fingerprint itself, the one value a peer's administrator pins with `peers add`.
    assert init_ids["sign"] == node_key_id(bytes.fromhex(public["sign"]), PURPOSES["sign"])
    assert init_ids["tls"] == public["tls_spki"]
    [grouped] = re.findall(r"^  ((?:[0-9a-f]{4} ){15}[0-9a-f]{4})$", said, re.M)
    assert grouped.replace(" ", "") == init_ids["tls"]

    admin = SigningKey.generate()
    v1 = make_bundle(1, {"kz": admin}, threshold=1)
    anchor = tmp_path / "bundle.v1"
    anchor.write_bytes(v1.SerializeToString())
    keys_ = {
        PURPOSES["sign"]: bytes.fromhex(public["sign"]),
        PURPOSES["seal"]: bytes.fromhex(public["seal"]),
        PURPOSES["tls"]: bytes.fromhex(public["tls_spki"]),
    }
    now = datetime.now(UTC) - timedelta(minutes=1)
    certs = tmp_path / "kz.certs"
    write_items(certs, issue_node_certificates(admin, "kz", keys_, now, now + timedelta(days=30)))
    node.start()
    digest = hashlib.sha256(v1.payload).hexdigest()
    node.cli("keys", "bundle", "publish", str(anchor), "--expect-digest", digest)
    node.cli("keys", "import", str(certs))

    status = json.loads(node.cli("keys", "status", "--json"))
    own = {
        k["key_id"]
        for k in status["keys"]
        if k["country"] == "kz" and not k["purpose"].startswith("admin")
    }
    assert own == set(init_ids.values())
    text = node.cli("keys", "status")
    for kid in init_ids.values():
        assert f"key id {kid}" in text  # whole, never cut

    assert json.loads(node.cli("status", "--json"))["fingerprint"] == init_ids["tls"]

    rotated = node.cli("keys", "node", "rotate", "--purpose", "sign")
    [next_id] = re.findall(r"key id ([0-9a-f]{64})", rotated)
    assert json.loads(node.cli("keys", "node", "public"))["next_key_ids"] == {"sign": next_id}
    tls_next = json.loads(node.cli("keys", "node", "rotate", "--purpose", "tls", "--json"))
    after = json.loads(node.cli("keys", "node", "public", "--json"))
    assert after["next_key_ids"] == {"sign": next_id, "tls": tls_next["key_id"]}
    assert after["next"]["tls"] == tls_next["key_id"]  # again the fingerprint to pin
