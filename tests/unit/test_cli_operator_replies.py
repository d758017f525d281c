"""The CLI against a scripted Operator server (grpc_testing's fake channel), no node: what a
person reads for every reply and error of the Operator service, and how keyed writes retry.

The CLI's Operator client takes its channel from `exchange.cli.client.open_channel`; these
tests put a `grpc_testing.channel` there. The CLI runs under click's CliRunner in the test's
thread; a second thread plays the node, answering each expected call in turn.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import grpc_testing
import pytest
from click.testing import CliRunner, Result

from exchange._proto.v1 import alert_pb2, operator_pb2
from exchange.cli import client
from exchange.cli.main import cli
from exchange.localregion import LocalNode
from exchange.node.status import HINT_KEY, NODE_KEY

OPERATOR = operator_pb2.DESCRIPTOR.services_by_name["Operator"]
CODE = grpc.StatusCode
NODE_SAID = ((NODE_KEY, "1"),)


@dataclass
class Reply:
    """One scripted answer: a response, or an error with its trailers."""

    method: str
    response: Any = None
    code: grpc.StatusCode = CODE.OK
    details: str = ""
    trailers: Sequence[tuple[str, str]] = ()


def ok(method: str, response: Any) -> Reply:
    return Reply(method, response)


def fail(
    method: str, code: grpc.StatusCode, details: str = "", trailers: Sequence[tuple[str, str]] = ()
) -> Reply:
    return Reply(method, None, code, details, trailers)


@dataclass
class Node:
    """Plays the node behind the fake channel: answers the scripted calls in order and keeps
    the requests it got."""

    channel: Any
    requests: list[Any] = field(default_factory=list)
    answered: int = 0

    def serve(self, replies: Sequence[Reply]) -> threading.Thread:
        def run() -> None:
            for reply in replies:
                method = OPERATOR.methods_by_name[reply.method]
                _, request, rpc = self.channel.take_unary_unary(method)
                self.requests.append(request)
                empty = self._empty(reply.method)
                rpc.terminate(
                    reply.response if reply.response is not None else empty,
                    tuple(reply.trailers),
                    reply.code,
                    reply.details,
                )
                self.answered += 1

        thread = threading.Thread(target=run, daemon=True)  # blocks if a call never comes
        thread.start()
        return thread

    @staticmethod
    def _empty(method: str) -> Any:
        out = OPERATOR.methods_by_name[method].output_type
        return getattr(operator_pb2, out.name)()


@pytest.fixture
def node_config(tmp_path: Path) -> Path:
    """A node's config and state dir with an Operator socket file (nothing listens on it)."""
    files = LocalNode("kz", tmp_path, peers_in_region=("kz", "kg"))
    files.write_config()
    files.state_dir.mkdir(parents=True)
    (files.state_dir / "operator.sock").touch()
    return files.config_path


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Node]:
    channel = grpc_testing.channel([OPERATOR], grpc_testing.strict_real_time())
    monkeypatch.setattr(client, "open_channel", lambda target: channel)
    monkeypatch.setattr(client, "RETRY_DELAYS", (0.0,) * len(client.RETRY_DELAYS))
    yield Node(channel)


Run = Callable[..., Result]


@pytest.fixture
def run(fake: Node, node_config: Path) -> Run:
    def invoke(replies: Sequence[Reply], *args: str) -> Result:
        thread = fake.serve(replies)
        result = CliRunner().invoke(cli, [*args, "--config", str(node_config)])
        thread.join(10)
        assert fake.answered == len(replies), f"the CLI made {fake.answered} of the calls"
        assert "Traceback" not in result.output
        return result

    return invoke


def error_text(result: Result) -> str:
    """What the CLI's main() prints for the exception the command raised."""
    from exchange.cli.common import print_error
    from exchange.errors import Error

    assert isinstance(result.exception, Error), result.output
    runner = CliRunner()
    with runner.isolation() as (_, err, _):
        print_error(result.exception)
    return err.getvalue().decode()


def _status() -> operator_pb2.StatusResponse:
    resp = operator_pb2.StatusResponse(
        country="kz", address="127.0.0.1:4001", serving="SERVING", alerts_own=2
    )
    resp.peers.add(country="kg", connected=True, sent_head=3, acked_seq=3)
    return resp


def _record(version: int = 1) -> operator_pb2.AlertRecord:
    rec = operator_pb2.AlertRecord(recipients=1)
    rec.alert.alert_id = "0190f0a0-0000-7000-8000-000000000001"
    rec.alert.version = version
    rec.alert.origin = "kz"
    rec.alert.category = alert_pb2.CATEGORY_ESCAPE
    return rec


PUBLISH = (
    "alerts",
    "publish",
    "--category",
    "escape",
    "--risk",
    "high",
    "--handling",
    "H1",
    "--summary",
    "Escape at night",
)


# -- replies -----------------------------------------------------------------------------------


def test_status_reply_is_shown(run: Run) -> None:
    result = run([ok("Status", _status())], "status")
    assert result.exit_code == 0, result.output
    assert "kz" in result.stdout and "127.0.0.1:4001" in result.stdout and "kg" in result.stdout


def test_status_reply_as_json(run: Run) -> None:
    result = run([ok("Status", _status())], "status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["country"] == "kz" and [p["country"] for p in data["peers"]] == ["kg"]


def test_publish_reply_names_the_alert(run: Run, fake: Node) -> None:
    result = run([ok("PublishAlert", _record())], *PUBLISH)
    assert result.exit_code == 0, result.output
    assert "published 0190f0a0-0000-7000-8000-000000000001 v1" in result.stdout
    [req] = fake.requests
    assert req.idempotency_key and req.alert.summary == "Escape at night"


# -- errors ------------------------------------------------------------------------------------


def test_unavailable_from_the_transport_says_the_node_is_not_running(run: Run) -> None:
    result = run([fail("Status", CODE.UNAVAILABLE, "connection refused")], "status")
    assert isinstance(result.exception, client.NodeNotRunning)
    text = error_text(result)
    assert "the kz node is not running (nothing answers on operator.sock)" in text
    assert "start it with: exchange serve --config" in text


def test_unavailable_said_by_the_node_is_shown_as_it_said(run: Run) -> None:
    reply = fail("Status", CODE.UNAVAILABLE, "the node is stopping", NODE_SAID)
    result = run([reply], "status")
    assert isinstance(result.exception, client.RemoteError)
    assert error_text(result).startswith("error: the node is stopping")


def test_deadline_exceeded_says_the_node_did_not_answer(run: Run) -> None:
    result = run([fail("Status", CODE.DEADLINE_EXCEEDED, "Deadline Exceeded")], "status")
    assert isinstance(result.exception, client.RemoteError)
    text = error_text(result)
    assert "the kz node did not answer within 30 s" in text
    assert "it may be busy; see `exchange status`, then retry" in text


def test_permission_denied_shows_the_reason_and_hint(run: Run) -> None:
    trailers = (*NODE_SAID, (HINT_KEY, "run it as the node's service user"))
    reply = fail("Status", CODE.PERMISSION_DENIED, "not allowed for uid 1001", trailers)
    result = run([reply], "status")
    text = error_text(result)
    assert "error: not allowed for uid 1001\nrun it as the node's service user" in text


def test_not_found_shows_the_reason_and_hint(run: Run) -> None:
    trailers = (*NODE_SAID, (HINT_KEY, "see `exchange alerts list`"))
    reply = fail("GetAlert", CODE.NOT_FOUND, "no alert 01234567", trailers)
    result = run([reply], "alerts", "show", "01234567")
    assert result.exit_code != 0
    assert "error: no alert 01234567\nsee `exchange alerts list`" in error_text(result)


def test_invalid_argument_with_hint_is_not_retried(run: Run, fake: Node) -> None:
    """A refusal the node gave is final, even for a keyed write: one call, its reason."""
    trailers = (*NODE_SAID, (HINT_KEY, "remove it, or give --allow-pii REASON"))
    reply = fail("PublishAlert", CODE.INVALID_ARGUMENT, "summary holds an IIN", trailers)
    result = run([reply], *PUBLISH)
    assert len(fake.requests) == 1
    assert "error: summary holds an IIN\nremove it, or give --allow-pii REASON" in error_text(
        result
    )


def test_error_without_details_names_the_code(run: Run) -> None:
    result = run([fail("Status", CODE.INTERNAL, "", NODE_SAID)], "status")
    assert "error: INTERNAL" in error_text(result)


def test_errors_as_json_in_json_mode(node_config: Path, fake: Node) -> None:
    """Through main(), as a script sees it: one JSON object on stderr, exit 1."""
    from tests.inproc import run_cli_sync

    trailers = (*NODE_SAID, (HINT_KEY, "see `exchange alerts list`"))
    thread = fake.serve([fail("GetAlert", CODE.NOT_FOUND, "no alert 01234567", trailers)])
    proc = run_cli_sync(["alerts", "show", "01234567", "--json", "--config", str(node_config)])
    thread.join(10)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(proc.stderr) == {
        "error": "no alert 01234567",
        "hint": "see `exchange alerts list`",
    }


def test_no_socket_says_the_node_is_not_running(node_config: Path, fake: Node) -> None:
    (node_config.parent / "kz" / "operator.sock").unlink()
    result = CliRunner().invoke(cli, ["status", "--config", str(node_config)])
    assert isinstance(result.exception, client.NodeNotRunning)
    assert "no socket at" in error_text(result) and fake.answered == 0


# -- keyed writes: retried only when the call may have reached the node -------------------------


def test_keyed_write_retried_after_a_timeout_with_the_same_key(run: Run, fake: Node) -> None:
    replies = [
        fail("PublishAlert", CODE.DEADLINE_EXCEEDED, "Deadline Exceeded"),
        fail("PublishAlert", CODE.UNAVAILABLE, "Socket closed"),  # lost mid-call
        ok("PublishAlert", _record()),
    ]
    result = run(replies, *PUBLISH)
    assert result.exit_code == 0, result.output
    assert "published 0190f0a0-0000-7000-8000-000000000001 v1" in result.stdout
    keys = {r.idempotency_key for r in fake.requests}
    assert len(fake.requests) == 3 and len(keys) == 1 and "" not in keys


def test_keyed_write_that_never_reached_the_node_is_not_retried(run: Run, fake: Node) -> None:
    reply = fail("PublishAlert", CODE.UNAVAILABLE, "failed to connect to all addresses; ...")
    result = run([reply], *PUBLISH)
    assert isinstance(result.exception, client.NodeNotRunning)
    assert len(fake.requests) == 1


def test_keyed_write_gives_up_saying_it_may_have_happened(run: Run, fake: Node) -> None:
    attempts = len(client.RETRY_DELAYS) + 1
    replies = [fail("PublishAlert", CODE.DEADLINE_EXCEEDED, "Deadline Exceeded")] * attempts
    result = run(replies, *PUBLISH)
    assert isinstance(result.exception, client.RemoteError)
    text = error_text(result)
    assert "stopped answering during the call" in text and "it may have done it" in text
    assert "check with `exchange alerts list` before doing it again" in text
    assert len({r.idempotency_key for r in fake.requests}) == 1
    assert len(fake.requests) == attempts


def test_keyed_write_stops_retrying_when_the_node_answers(run: Run, fake: Node) -> None:
    """After a lost call, the node's own refusal (here: the key was used for another request)
    ends the retries."""
    replies = [
        fail("PublishAlert", CODE.DEADLINE_EXCEEDED, "Deadline Exceeded"),
        fail("PublishAlert", CODE.ALREADY_EXISTS, "key used for a different request", NODE_SAID),
    ]
    result = run(replies, *PUBLISH)
    assert "error: key used for a different request" in error_text(result)
    assert len(fake.requests) == 2
