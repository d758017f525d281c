"""Replica names, several peer addresses and their gRPC target: what is accepted, what is
refused and why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exchange import config
from exchange.errors import ConfigError
from exchange.node.channels import grpc_target


def test_several_ip_addresses_are_one_round_robin_target() -> None:
    assert grpc_target("127.0.0.1:7401,127.0.0.1:7411") == (
        "ipv4:127.0.0.1:7401,127.0.0.1:7411",
        [("grpc.lb_policy_name", "round_robin")],
    )
    assert grpc_target("[::1]:7401,[::1]:7411")[0] == "ipv6:[::1]:7401,[::1]:7411"
    assert grpc_target("kz.example:7401") == ("kz.example:7401", [])  # as before


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("kz.example:7401,10.0.0.2:7401", "IPv4"),  # names cannot be listed
        ("10.0.0.1:7401,[::1]:7401", "IPv4"),  # one family
        ("10.0.0.1:7401,10.0.0.1:7401", "twice"),
        (",".join(f"10.0.0.{i}:7401" for i in range(9)), "at most 8"),
        ("10.0.0.1:7401,10.0.0.2:99999", "port"),
        ("10.0.0.1:7401,", "host:port"),
    ],
)
def test_bad_address_lists_are_refused(address: str, why: str) -> None:
    problem = config.peer_address_problem(address)
    assert problem is not None and why in problem


def test_good_address_lists_pass() -> None:
    assert config.peer_address_problem("10.0.0.1:7401, 10.0.0.2:7401") is None
    assert config.peer_address_problem("kz.example:7401") is None


def test_replica_in_config_gets_its_own_files(tmp_path: Path) -> None:
    path = tmp_path / "kz-b.toml"
    path.write_text('country = "kz"\nreplica = "b"\nstate_dir = "s"\n')
    cfg = config.load(path)
    assert cfg.run_dir == (tmp_path / "s" / "replicas" / "b").resolve()
    assert cfg.socket_path.parent == cfg.run_dir and cfg.state_dir == (tmp_path / "s").resolve()


@pytest.mark.parametrize("name", ["B", "b/../x", "", "-b", "x" * 17])
def test_bad_replica_names_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "kz.toml"
    path.write_text(f'country = "kz"\nreplica = "{name}"\n')
    if name == "":
        assert config.load(path).replica == ""
        return
    with pytest.raises(ConfigError, match="replica name"):
        config.load(path)


def test_serve_with_a_bad_replica_name_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kz.toml"
    path.write_text('country = "kz"\n')
    out = subprocess.run(
        [sys.executable, "-m", "exchange", "serve", "--config", str(path), "--replica", "../b"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert "replica name" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "state").exists()  # nothing made
