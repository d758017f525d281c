"""Everyday CLI pieces that need no node: keyed retries, why nothing was queued, JSON errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
import pytest

from exchange._proto.v1 import operator_pb2
from exchange.app.keyed import id_prefix, keyed, no_recipients_reason, pick
from exchange.cli import client
from exchange.cli.client import NodeNotRunning, Operator
from exchange.cli.common import json_mode, print_error
from exchange.config import NodeConfig
from exchange.errors import Error, MalformedInput, NotFound


class Failed(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode) -> None:
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return "lost"

    def trailing_metadata(self) -> tuple[()]:
        return ()


def bare_operator() -> Operator:
    op = Operator.__new__(Operator)
    op.config = NodeConfig.__new__(NodeConfig)
    object.__setattr__(op.config, "country", "kz")
    object.__setattr__(op.config, "state_dir", Path("/nonexistent"))
    object.__setattr__(op.config, "source", None)
    op.timeout = 1.0
    op._metadata = ()
    return op


def test_keyed_write_retried_with_the_same_request_after_a_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client.time, "sleep", lambda s: None)
    seen: list[Any] = []

    def flaky(request: Any, timeout: float, metadata: Any) -> str:
        seen.append(request)
        if len(seen) < 3:
            raise Failed(grpc.StatusCode.DEADLINE_EXCEEDED)
        return "first result"

    req = operator_pb2.PublishAlertRequest(idempotency_key="same-key-1")
    assert bare_operator().call_keyed(flaky, req) == "first result"
    assert len(seen) == 3 and all(r is req for r in seen)


class Refused(Failed):
    """What grpc says when nothing listens on the socket: the call never reached a node."""

    def __init__(self) -> None:
        super().__init__(grpc.StatusCode.UNAVAILABLE)

    def details(self) -> str:
        return "failed to connect to all addresses; last error: Connection refused"


def test_keyed_write_to_a_stopped_node_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(client.time, "sleep", slept.append)
    calls: list[Any] = []

    def down(request: Any, timeout: float, metadata: Any) -> str:
        calls.append(request)
        raise Refused()

    with pytest.raises(NodeNotRunning):
        bare_operator().call_keyed(down, None)
    assert len(calls) == 1 and slept == []  # said at once: nothing was sent


def test_keyed_write_lost_mid_call_waits_for_the_restarted_node(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The node died under the call (it may have committed): the retries go on while nothing
    listens (it restarts), and the restarted node's answer is returned."""
    monkeypatch.setattr(client.time, "sleep", lambda s: None)
    answers: list[Exception | str] = [
        Failed(grpc.StatusCode.UNAVAILABLE), Refused(), Refused(), "first result",
    ]  # fmt: skip

    def restarting(request: Any, timeout: float, metadata: Any) -> str:
        a = answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return a

    assert bare_operator().call_keyed(restarting, None) == "first result"
    assert answers == []


def test_keyed_write_gives_up_saying_it_may_have_been_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client.time, "sleep", lambda s: None)
    calls: list[Any] = []

    def gone(request: Any, timeout: float, metadata: Any) -> str:
        calls.append(request)
        raise Failed(grpc.StatusCode.UNAVAILABLE) if len(calls) == 1 else Refused()

    with pytest.raises(Error) as info:
        bare_operator().call_keyed(gone, None)
    assert "may have done it" in info.value.message and "alerts list" in (info.value.hint or "")
    assert len(calls) == len(client.RETRY_DELAYS) + 1


def test_idempotency_key_digest_ignores_the_key_and_bounds_it() -> None:
    a = keyed("publish", "key-aaaaaaaa", operator_pb2.PublishAlertRequest(idempotency_key="x"))
    b = keyed("publish", "key-aaaaaaaa", operator_pb2.PublishAlertRequest(idempotency_key="y"))
    assert a is not None and b is not None and a.digest == b.digest
    assert keyed("publish", "", operator_pb2.PublishAlertRequest()) is None
    with pytest.raises(MalformedInput):
        keyed("publish", "short", operator_pb2.PublishAlertRequest())


def test_alert_id_prefix_rules() -> None:
    assert id_prefix(" 01A236BB ") == "01a236bb"
    with pytest.raises(MalformedInput) as short:
        id_prefix("01a2")
    assert "first 8 characters" in (short.value.hint or "")
    with pytest.raises(MalformedInput, match="not an alert id"):
        id_prefix("01a236bb%")  # no LIKE wildcard reaches the database
    with pytest.raises(NotFound):
        pick("01a236bb", [])
    with pytest.raises(MalformedInput, match="names 2 alerts: kz/a1, kg/a2"):
        pick("01a236bb", [("kz", "a1"), ("kg", "a2")])


def test_queued_for_no_peer_says_why() -> None:
    assert "no peers are configured" in no_recipients_reason(0, {})
    why = no_recipients_reason(2, {"kg": "no rule shares escape", "tj": "observer"})
    assert "none of the 2 peer(s)" in why and "kg: no rule shares escape" in why


def test_errors_are_json_on_stderr_in_json_mode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert json_mode(["alerts", "list", "--json"])
    assert not json_mode(["alerts", "show", "--", "--json"])
    monkeypatch.setattr("sys.argv", ["exchange", "alerts", "publish", "--json"])
    print_error(Error("the node is busy", hint="retry"))
    err = json.loads(capsys.readouterr().err)
    assert err == {"error": "the node is busy", "hint": "retry"}


def test_demo_keep_says_how_to_try_admin_commands(tmp_path: Path) -> None:
    from exchange.demo_keep import keep_lines
    from exchange.localregion import LocalRegion

    text = "\n".join(keep_lines(LocalRegion(tmp_path, ("kz", "kg")), tmp_path))
    assert f"{tmp_path}/kz.toml" in text and f"{tmp_path}/kg.toml" in text
    assert f"export EXCHANGE_CONFIG={tmp_path}/kz.toml" in text
    assert "EXCHANGE_ADMIN_PASSPHRASE=" in text and "admin/<country>.admin.key" in text
    assert "exchange keys status" in text and ".venv/bin/activate" in text


def test_match_keygen_answers_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from exchange.cli.main import cli

    out = tmp_path / "region.matching.key"
    res = CliRunner().invoke(cli, ["match", "keygen", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {"path": str(out), "epoch": 1}
