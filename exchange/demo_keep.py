"""What `exchange demo --keep` prints: enough for a person to try every kind of command on the
running region (reader, writer and administrator) without reading the demo's source."""

from __future__ import annotations

import json
from pathlib import Path

from exchange.cli.common import SafeConsole
from exchange.cli.keys_cmds import PASSPHRASE_ENV
from exchange.demo_story import DEMO_PASSPHRASE
from exchange.localregion import LocalRegion


def keep_lines(region: LocalRegion, root: Path, *more_pids: int) -> list[str]:
    kz = root / "kz.toml"
    pids = " ".join(
        [str(p) for p in more_pids] + [str(n.proc.pid) for n in region.nodes.values() if n.proc]
    )
    lines = [
        f"The region keeps running in {root}.",
        "",
        "Node configs (state dirs beside them; policies are <country>.policy.toml):",
        *(f"  {c}: {root / c}.toml" for c in region.nodes),
        f"Admin keys: {root}/admin/<country>.admin.key (passphrase: {DEMO_PASSPHRASE!r})",
        f"Trust material: {root}/keys (bundles, node certificates)",
        "",
        "Put `exchange` on the PATH first (from the project folder): . .venv/bin/activate",
        "Then, as KZ's operator:",
        f"  export EXCHANGE_CONFIG={kz}",
        "  exchange status --check",
        "  exchange alerts list",
        "  exchange peers list",
        "  exchange audit list --last 10",
        "  exchange records list",
        *_metrics_lines(region),
        "and as KZ's administrator (admin commands read the passphrase from the environment):",
        f"  export {PASSPHRASE_ENV}={DEMO_PASSPHRASE!r}",
        "  exchange keys status",
        f"  exchange keys bundle verify {root}/keys/bundle.v2",
        f"  exchange keys node issue --help   # certify a node key with {root}/admin/kz.admin.key",
        "",
        "KG's console is above; KG's commands need its token (EXCHANGE_TOKEN_FILE), KZ's do not.",
        f"Stop it all (console and nodes) with: kill {pids}  (then rm -r {root})",
    ]
    return lines


def _metrics_lines(region: LocalRegion) -> list[str]:
    out = []
    for c, n in region.nodes.items():
        try:
            port = json.loads((n.state_dir / "node.json").read_text()).get("metrics_port", 0)
        except (OSError, ValueError):
            port = 0
        if port:
            out.append(f"  curl -s http://127.0.0.1:{port}/metrics   # {c}'s Prometheus metrics")
    return out[:1] + (
        ["  (every node serves its own: port in <state_dir>/node.json)"] if out else []
    )


def print_keep(region: LocalRegion, root: Path, *more_pids: int) -> None:
    console = SafeConsole()
    for line in keep_lines(region, root, *more_pids):
        console.print(line)
