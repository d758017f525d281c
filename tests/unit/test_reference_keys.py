"""The committed keys/ folder: public material only, and a bundle that verifies."""

from __future__ import annotations

from pathlib import Path

from exchange.trust import TrustedBundles
from exchange.trust.files import read_items

KEYS = Path(__file__).resolve().parents[2] / "keys"


def test_keys_folder_holds_no_private_key() -> None:
    for path in KEYS.iterdir():
        data = path.read_bytes()
        assert b"PRIVATE KEY" not in data, path
        assert not path.name.endswith(".admin.key"), path


def test_reference_bundle_carries_its_threshold() -> None:
    [env] = read_items(KEYS / "bundle.v1")
    bundle = TrustedBundles(env).current  # signatures and structure (not the expiry)
    assert bundle.version == 1 and bundle.threshold == 2
    assert [p.country for p in bundle.members] == ["kz", "kg", "tj"]
    assert [p.country for p in bundle.observers] == ["se"]
