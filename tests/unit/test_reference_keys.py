"""The example region's public material: public only, clearly an example, a bundle that
verifies, and nowhere the README's ceremony commands point."""

from __future__ import annotations

import re
from pathlib import Path

from exchange.cli.anchor import EXAMPLE_DIGESTS
from exchange.trust import TrustedBundles
from exchange.trust.files import read_items

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "reference-keys"


def test_example_folder_holds_no_private_key() -> None:
    for path in EXAMPLE.iterdir():
        data = path.read_bytes()
        assert b"PRIVATE KEY" not in data and b"EXCHANGE ADMIN KEY" not in data, path
        assert not path.name.endswith(".admin.key"), path


def test_example_folder_says_it_is_an_example() -> None:
    assert "EXAMPLE ONLY, never install as a trust anchor" in (EXAMPLE / "README.md").read_text()


def test_reference_bundle_carries_its_threshold_and_is_known_as_the_example() -> None:
    [env] = read_items(EXAMPLE / "bundle.v1")
    bundle = TrustedBundles(env).current  # signatures and structure (not the expiry)
    assert bundle.version == 1 and bundle.threshold == 2
    assert [p.country for p in bundle.members] == ["kz", "kg", "tj"]
    assert [p.country for p in bundle.observers] == ["se"]
    assert bundle.digest in EXAMPLE_DIGESTS  # the CLI warns and refuses --yes for it


def test_readme_ceremony_commands_point_at_no_file_in_the_repository() -> None:
    """A newcomer who runs the README's key commands in a checkout uses only files they made
    themselves: none of the paths the commands name exists in the repository."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Keys and the trust ceremony", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in section.splitlines() if line.startswith("exchange keys")]
    assert any("bundle publish" in c for c in commands)
    for c in commands:
        assert "examples/" not in c and "--yes" not in c, c
        for path in re.findall(r"[\w./-]+\.(?:pub|v\d|certs|json|key|revoke\.\d)\b", c):
            assert not (REPO / path).exists(), (c, path)
