"""A hostile member's text reaches every command an operator runs, and is shown as text.

tj is certified, then stopped: the test speaks for it with its own TLS and signing keys and
sends kz alerts, a withdrawal and a refused envelope whose fields are rich markup, ANSI escapes,
bidi overrides and carriage returns; then it stands in for tj's node and answers kz's calls with
such an error. kz's operator runs the commands as a person would: each exits 0, shows the text
verbatim, and lets no control character through to the terminal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent import futures
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from exchange._proto.v1 import channel_pb2, exchange_pb2, trust_pb2
from exchange.alerts.model import timestamp
from exchange.cli.match_cmds import identity_of, to_proto, tokens_for
from exchange.envelope import ENTRY_PAYLOAD_TYPE, SigningKey
from exchange.localregion import LocalNode, LocalRegion, make_alert, next_entry, wait_for
from exchange.store import repo
from exchange.store.db import Database
from exchange.trust import issue_revocation
from exchange.trust.files import write_items
from tests.conftest import PgSchemas, require_pg
from tests.integration.wire import channel_from, push, refused_push, signer_of

pytestmark = pytest.mark.integration

MARKUP = "[bold red]VERIFIED[/]"
LONE = "[/]"
HOSTILE = f"{MARKUP} {LONE} \x1b[2J\x1b]0;t\x07\u202eevil\u202c\u2066x\u2069\r\x9b"
# What can cross the channel: markup, but no control or bidi character (refused at receipt).
CHANNEL = f"{MARKUP} {LONE} [link=https://x.example]y[/link] :warning:"
RAW_CONTROLS = ("\x1b", "\x07", "\u202e", "\u202c", "\u2066", "\u2069", "\r", "\x9b")
SHOWN_CONTROLS = ("\\x1b[2J", "\\x1b]0;t\\x07", "\\u202eevil\\u202c", "\\u2066x\\u2069", "\\r")
PERSON = ("Ivanov", "Ivan", "", "1980-03-04", "m")
WIDE = {"COLUMNS": "400"}  # one table row per line: the checks read whole cells


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def region(request: pytest.FixtureRequest) -> Iterator[LocalRegion]:
    schemas = None
    if request.param == "postgresql":
        require_pg()
        schemas = PgSchemas()
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    url = (lambda c: schemas.url(c)) if schemas else None
    r = LocalRegion(root, ("kz", "kg", "tj"), url, sync={"pull_interval_seconds": 0.5})
    try:
        r.start()
        r["tj"].stop()
        yield r
    finally:
        for n in r.nodes.values():
            n.kill()
        if schemas:
            schemas.drop_all()
        shutil.rmtree(root, ignore_errors=True)


def run(node: LocalNode, *args: str) -> str:
    """Run a command as the operator would; it must succeed and print no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "exchange", *args, "--config", str(node.config_path)],
        capture_output=True,
        text=True,
        env={**os.environ, **WIDE},
        timeout=60,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    return proc.stdout


def assert_literal(out: str, *needles: str, controls: bool = True) -> None:
    """Markup shown verbatim, controls shown as escapes, none of them raw."""
    for needle in (MARKUP, f" {LONE} ", *(SHOWN_CONTROLS if controls else ()), *needles):
        assert needle in out, f"{needle!r} not shown in:\n{out}"
    for raw in RAW_CONTROLS:
        assert raw not in out, f"{raw!r} reached the terminal:\n{out}"


def _push_as(region: LocalRegion, batch: exchange_pb2.EntryBatch) -> None:
    with channel_from(region["tj"], region["kz"]) as ch:
        acks = push(ch, batch)
    assert acks and acks[-1].applied == 1


def _withdrawal(
    signer: SigningKey, target: LocalNode, alert_id: str, reason: str
) -> exchange_pb2.EntryBatch:
    db = Database(target.config().db_url)
    try:
        with db.read() as s:
            head = repo.channel_head(s, "tj", target.country)
    finally:
        db.close()
    entry = channel_pb2.ChannelEntry(
        origin="tj", recipient=target.country, seq=head.seq + 1, prev_hash=head.hash
    )
    entry.signed_at.CopyFrom(timestamp(datetime.now(UTC)))
    entry.withdrawal.alert_id, entry.withdrawal.version = alert_id, 2
    entry.withdrawal.origin, entry.withdrawal.reason = "tj", reason
    entry.withdrawal.issued_at.CopyFrom(timestamp(datetime.now(UTC)))
    return exchange_pb2.EntryBatch(
        entries=[signer.sign(ENTRY_PAYLOAD_TYPE, entry.SerializeToString())]
    )


@pytest.fixture(scope="module")
def received(region: LocalRegion) -> dict[str, str]:
    """tj's hostile alert (every free-text field) and a withdrawn one, held by kz."""
    kz, tj = region["kz"], region["tj"]
    signer = signer_of(tj)
    alert = make_alert("tj", f"summary {CHANNEL}")
    alert.facility_region = f"region {MARKUP} {LONE}"
    alert.action_requested = f"action {CHANNEL}"
    alert.handling_note = f"note {CHANNEL}"
    alert.references.extend([f"ref1 {CHANNEL}", LONE])
    alert.subject.tokens.extend(to_proto(tokens_for(kz.config(), identity_of(*PERSON))))
    _push_as(region, next_entry(signer, "tj", kz, alert))
    gone = make_alert("tj", "to be withdrawn")
    _push_as(region, next_entry(signer, "tj", kz, gone))
    _push_as(region, _withdrawal(signer, kz, gone.alert_id, f"why {CHANNEL}"))
    return {"alert": alert.alert_id, "withdrawn": gone.alert_id}


def test_received_alert_markup_shown_literally(
    region: LocalRegion, received: dict[str, str]
) -> None:
    kz = region["kz"]
    out = run(kz, "alerts", "show", received["alert"])
    assert_literal(
        out,
        f"summary {CHANNEL}",
        f"region {MARKUP}",
        f"action {CHANNEL}",
        f"note {CHANNEL}",
        f"ref1 {CHANNEL}",
        controls=False,
    )
    listing = run(kz, "alerts", "list")
    assert received["alert"] in listing and received["withdrawn"] in listing
    assert "withdrawn" in listing


def test_withdrawal_reason_markup_shown_literally(
    region: LocalRegion, received: dict[str, str]
) -> None:
    out = run(region["kz"], "alerts", "show", received["withdrawn"])
    assert_literal(out, f"why {CHANNEL}", controls=False)
    assert "withdrawn" in out


def test_received_control_characters_refused(region: LocalRegion) -> None:
    """ANSI escapes, bidi overrides and carriage returns never reach a receiver's store, so
    no command can print them (the display escapes them anyway, for older data)."""
    kz, tj = region["kz"], region["tj"]
    for field in ("summary", "facility_region", "action_requested", "handling_note"):
        alert = make_alert("tj")
        setattr(alert, field, f"x {HOSTILE}"[:100])
        err = refused_push(tj, kz, next_entry(signer_of(tj), "tj", kz, alert))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "control character" in (err.details() or "")


def test_json_output_is_exact_and_escapes_controls(
    region: LocalRegion, received: dict[str, str]
) -> None:
    """--json keeps the peer's text exactly (it decodes to the same string); control and
    bidi characters in text from elsewhere (a register's ref) are JSON escapes."""
    out = run(region["kz"], "alerts", "show", received["alert"], "--json")
    latest = json.loads(out)[-1]
    assert latest["summary"] == f"summary {CHANNEL}"
    assert latest["references"] == [f"ref1 {CHANNEL}", LONE]
    register = region["kz"].root / "json-register.csv"
    surname, given, _, dob, sex = PERSON
    register.write_text(
        f'ref,surname,given,patronymic,dob,sex\n"{HOSTILE}",{surname},{given},,{dob},{sex}\n'
    )
    out = run(region["kz"], "match", "batch", str(register), "--json")
    for raw in RAW_CONTROLS:
        assert raw not in out, f"{raw!r} reached the terminal"
    assert "\\u202e" in out and "\\u001b" in out


def test_match_hit_and_register_ref_shown_literally(
    region: LocalRegion, received: dict[str, str]
) -> None:
    kz = region["kz"]
    surname, given, _, dob, sex = PERSON
    out = run(kz, "match", "--surname", surname, "--given", given, "--dob", dob, "--sex", sex)
    assert "1 received alert" in out and received["alert"] in out
    register = kz.root / "register.csv"
    register.write_text(
        f'ref,surname,given,patronymic,dob,sex\n"{HOSTILE}",{surname},{given},,{dob},{sex}\n'
    )
    out = run(kz, "match", "batch", str(register))
    assert "1 with a hit" in out
    assert_literal(out)


def test_refused_payload_type_in_audit_shown_literally(region: LocalRegion) -> None:
    """An envelope whose payload_type is markup is refused, audited with that text, and the
    audit log shows it as text."""
    kz, tj = region["kz"], region["tj"]
    payload = channel_pb2.ChannelEntry(origin="tj", recipient="kz", seq=1).SerializeToString()
    env = signer_of(tj).sign(f"{LONE}x {HOSTILE}", payload)
    err = refused_push(tj, kz, exchange_pb2.EntryBatch(entries=[env]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    out = run(kz, "audit", "list")
    assert f"'{LONE}x {MARKUP} {LONE} " in out, out
    for raw in RAW_CONTROLS:
        assert raw not in out
    data = json.loads(run(kz, "audit", "list", "--json"))
    reasons = [str(e["detail"].get("reason", "")) for e in data if e["peer"] == "tj"]
    assert any(f"'{LONE}x {MARKUP} {LONE} " in r for r in reasons), reasons


def test_revocation_reason_shown_literally(region: LocalRegion) -> None:
    """A revocation whose reason is markup: `keys import`, `status` and `keys status` show
    the reason as text."""
    assert region.trust is not None
    kz = region["kz"]
    rev = trust_pb2.KeyRevocation(
        country="tj", key_id="ab" * 32, reason=f"{MARKUP} {LONE} \x1b[2J\u202eevil"
    )
    rev.effective.FromDatetime(datetime.now(UTC) - timedelta(seconds=1))
    path = kz.root / "hostile.rev"
    write_items(path, [issue_revocation(region.trust.admins["tj"], rev)])
    imported = run(kz, "keys", "import", str(path))
    assert MARKUP in imported and "\x1b" not in imported and "\\x1b[2J" in imported
    for cmd in (("status",), ("keys", "status")):
        out = run(kz, *cmd)
        assert "ALARM" in out and f"{MARKUP} {LONE}" in out, out
        assert "\x1b" not in out and "\u202e" not in out
        assert "\\x1b[2J\\u202eevil" in out
    run(kz, "keys", "status", "--json")
    run(kz, "peers", "list")


class _RefuseAll(grpc.GenericRpcHandler):
    """Stands in for tj's node: answers every call with a hostile error text."""

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        def refuse(requests: Any, context: grpc.ServicerContext) -> Any:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, HOSTILE)

        return grpc.stream_stream_rpc_method_handler(refuse)


def test_peer_error_text_in_status_shown_literally(region: LocalRegion) -> None:
    """tj's 'node' answers kz's pulls with markup and escapes as its error: kz's status shows
    tj down with that text, literally."""
    kz, tj = region["kz"], region["tj"]
    creds = grpc.ssl_server_credentials(
        [((tj.state_dir / "tls.key").read_bytes(), (tj.state_dir / "tls.crt").read_bytes())]
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((_RefuseAll(),))
    assert server.add_secure_port(tj.address, creds) == tj.port
    server.start()
    try:

        def refused_by_tj() -> bool:
            peer = next(p for p in kz.status().peers if p.country == "tj")
            return MARKUP in peer.last_error

        wait_for(refused_by_tj, 30, "kz to record tj's error text", 0.2)
        out = run(kz, "status")
        data = json.loads(run(kz, "status", "--json"))
    finally:
        server.stop(0)
    assert_literal(out, f"FAILED_PRECONDITION: {MARKUP}")
    tj_row = next(p for p in data["peers"] if p["country"] == "tj")
    assert tj_row["last_error"] == f"FAILED_PRECONDITION: {HOSTILE}"
