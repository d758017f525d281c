"""A node's first trust bundle (its permanent anchor) is installed only once a person, or a
script with the agreed digest, confirms it; the example bundle is never taken by accident."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from exchange._proto.v1 import operator_pb2
from exchange.envelope import SigningKey
from exchange.localregion import LocalNode, make_bundle

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "reference-keys" / "bundle.v1"


@pytest.fixture(scope="module")
def node() -> Iterator[LocalNode]:
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    n = LocalNode("kz", root, peers_in_region=("kz",))
    try:
        n.init()
        n.start()
        yield n
    finally:
        n.kill()
        shutil.rmtree(root, ignore_errors=True)


def cli(n: LocalNode, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exchange", *args, "--config", str(n.config_path)],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        env=dict(os.environ),
        cwd=REPO,
    )


def no_anchor(n: LocalNode) -> bool:
    return n.keys_status().bundle_version == 0


def test_example_bundle_needs_an_explicit_confirmation(node: LocalNode) -> None:
    """What a reader who points the README's command at the example gets: the digest, the
    admins, a loud EXAMPLE warning and a question; no answer, `n` or --yes installs nothing."""
    rel = str(EXAMPLE.relative_to(REPO))
    for args, stdin in (
        (("keys", "bundle", "publish", rel), ""),
        (("keys", "bundle", "publish", rel), "n\n"),
        (("keys", "import", rel), ""),
        (("keys", "bundle", "publish", rel, "--yes"), ""),
    ):
        p = cli(node, *args, stdin=stdin)
        assert p.returncode != 0, (args, p.stdout, p.stderr)
        assert "EXAMPLE" in p.stderr and "Traceback" not in p.stderr
        assert "key id" in p.stderr and "fingerprint" in p.stderr
        assert no_anchor(node), args


def test_wrong_expected_digest_refused_then_right_one_installs(
    node: LocalNode, tmp_path: Path
) -> None:
    admins = {c: SigningKey.generate() for c in ("kz", "kg", "tj")}
    v1 = make_bundle(1, admins, threshold=2)
    path = tmp_path / "bundle.v1"
    path.write_bytes(v1.SerializeToString())
    digest = hashlib.sha256(v1.payload).hexdigest()

    wrong = cli(node, "keys", "bundle", "publish", str(path), "--expect-digest", "ab" * 32)
    assert wrong.returncode == 1 and "not the expected" in wrong.stderr
    assert "Traceback" not in wrong.stderr and no_anchor(node)
    short = cli(node, "keys", "bundle", "publish", str(path), "--expect-digest", digest[:16])
    assert short.returncode == 1 and "full 64" in short.stderr and no_anchor(node)

    # The node enforces it too: an ImportTrust without the confirmed digest installs nothing.
    with pytest.raises(grpc.RpcError) as exc:
        node.call("ImportTrust", operator_pb2.ImportTrustRequest(items=[v1]))
    assert exc.value.code() == grpc.StatusCode.FAILED_PRECONDITION and no_anchor(node)

    ok = cli(node, "keys", "bundle", "publish", str(path), "--expect-digest", digest)
    assert ok.returncode == 0, ok.stderr
    assert node.keys_status().bundle_version == 1
    # With an anchor held, later versions need no confirmation (the rotation rules check them).
    again = cli(node, "keys", "bundle", "publish", str(path))
    assert again.returncode == 0 and "already held" in again.stdout


def test_interactive_yes_installs(tmp_path: Path) -> None:
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    n = LocalNode("kg", root, peers_in_region=("kg",))
    try:
        n.init()
        n.start()
        v1 = make_bundle(1, {c: SigningKey.generate() for c in ("kz", "kg")}, threshold=1)
        path = tmp_path / "bundle.v1"
        path.write_bytes(v1.SerializeToString())
        p = cli(n, "keys", "bundle", "publish", str(path), stdin="y\n")
        assert p.returncode == 0, p.stderr
        assert "threshold 1" in p.stderr and "single admin key" in p.stderr
        assert n.keys_status().bundle_version == 1
    finally:
        n.kill()
        shutil.rmtree(root, ignore_errors=True)
