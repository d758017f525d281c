"""One process per node: a second `serve` of a running node, or on its port, is refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable

import pytest

from exchange.localregion import LocalNode, LocalRegion

pytestmark = pytest.mark.integration


def serve_again(node: LocalNode) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exchange", "serve", "--config", str(node.config_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_second_serve_of_a_running_node_is_refused_and_leaves_it_alone(
    make_region: Callable[..., LocalRegion],
) -> None:
    region = make_region(("kz",))
    region.start(pair=False)
    kz = region["kz"]
    assert kz.proc is not None
    sock, runtime = kz.state_dir / "operator.sock", kz.state_dir / "node.json"
    before = runtime.read_text()
    audit_before = kz.cli("audit", "list", "--json")

    second = serve_again(kz)

    assert second.returncode != 0
    err = second.stderr.strip()
    assert f"already running (pid {kz.proc.pid})" in err, err
    assert "Traceback" not in err and len(err.splitlines()) <= 2, err
    # The running node keeps its socket, its runtime file and its audit log as they were.
    assert sock.exists() and runtime.read_text() == before
    assert kz.status().country == "kz"
    assert kz.cli("audit", "list", "--json") == audit_before
    assert kz.running


def test_second_node_on_the_same_port_is_refused(
    make_region: Callable[..., LocalRegion],
) -> None:
    region = make_region(("kz", "kg"))
    region.start(pair=False)
    kz, kg = region["kz"], region["kg"]
    kg.stop()
    kg.port = kz.port  # another state dir, kz's listen address
    kg.write_config()

    second = serve_again(kg)

    assert second.returncode != 0
    err = second.stderr.strip()
    assert f"cannot listen on 127.0.0.1:{kz.port}: Address already in use" in err, err
    assert "Traceback" not in err and len(err.splitlines()) <= 2, err
    assert kz.running and kz.status().country == "kz"
    assert not (kg.state_dir / "operator.sock").exists()


def test_lock_is_released_when_the_node_dies(make_region: Callable[..., LocalRegion]) -> None:
    """The kernel drops the lock with the process: a crashed node starts again at once."""
    region = make_region(("kz",))
    region.start(pair=False)
    kz = region["kz"]
    kz.kill()
    kz.start()
    assert kz.status().country == "kz"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_second_node_on_the_same_sqlite_database_is_refused(
    make_region: Callable[..., LocalRegion], backend: str
) -> None:
    """SQLite serves one process: a second node (its own state dir) pointed at the running
    node's database file is refused before it touches anything."""
    region = make_region(("kz",))
    kz = region["kz"]
    shared = kz.root / "shared.db"
    kz.database_url = f"sqlite:///{shared}"
    region.start(pair=False)
    assert kz.running and shared.exists()
    other = kz.root / "kz2"  # a copy of the node's keys: a second process of the same node
    shutil.copytree(kz.state_dir, other, ignore=shutil.ignore_patterns("*.sock", "*.who", "*.lock"))
    text = kz.config_path.read_text().replace(
        f'state_dir = "{kz.state_dir}"', f'state_dir = "{other}"'
    )
    config = kz.root / "kz2.toml"
    config.write_text(text)
    second = subprocess.run(
        [sys.executable, "-m", "exchange", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    err = second.stderr.strip()
    assert second.returncode != 0 and "already uses the SQLite database" in err, err
    assert "Traceback" not in err and len(err.splitlines()) <= 2, err
    assert kz.running and kz.status().country == "kz"
