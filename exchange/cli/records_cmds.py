"""`exchange records request|list|pending|approve|deny|open|forward`: liaison record requests.

An officer asks the owning country for the record behind an alert or a hit, with a purpose
and a legal basis; the owner's approver answers (or its policy does); the answer is sealed to
the requesting node and shown to the officer, never written to disk unless they ask (--out).
"""

from __future__ import annotations

import json
import mimetypes
import os
from pathlib import Path
from typing import Any, BinaryIO

import click
from rich.table import Table

from exchange._proto.v1 import record_ops_pb2, record_pb2
from exchange.alerts import model
from exchange.cli.client import Operator
from exchange.cli.common import config_option, console, echo, json_option, load_config, print_json
from exchange.errors import MalformedInput
from exchange.records import checks

HANDLING = model.HANDLING
HANDLING_TEXT = {
    1: "H0 purpose-bound",
    2: "H1 no judicial use without permission",
    3: "H2 no onward sharing without permission",
    4: "H3 other",
}


def _left(seconds: int) -> str:
    if seconds < 0:
        return f"overdue by {_span(-seconds)}"
    return f"{_span(seconds)} left"


def _span(s: int) -> str:
    if s >= 86400:
        return f"{s // 86400}d {s % 86400 // 3600}h"
    return f"{s // 3600}h {s % 3600 // 60}m"


def case_dict(c: record_ops_pb2.RecordCase) -> dict[str, Any]:
    return {
        "request_id": c.request_id,
        "direction": c.direction,
        "peer": c.peer,
        "state": c.state,
        "alert": f"{c.alert_origin}:{c.alert_id}",
        "hit_kind": c.hit_kind or None,
        "purpose": c.purpose,
        "legal_basis": c.legal_basis,
        "urgent": c.urgent,
        "officer": c.officer,
        "requested_at": model.ts_text(c.requested_at),
        "due_at": model.ts_text(c.due_at),
        "seconds_left": c.seconds_left,
        "reason": c.reason or None,
        "decided_by": c.decided_by or None,
        "decided_at": model.ts_text(c.decided_at) if c.HasField("decided_at") else None,
        "response_id": c.response_id or None,
        "handling": HANDLING_TEXT.get(c.handling),
        "restrictions": list(c.restrictions),
        "fields": list(c.fields),
        "attachments": c.attachments,
    }


def _print_case(c: record_ops_pb2.RecordCase) -> None:
    side = "to" if c.direction == "out" else "from"
    echo(f"request {c.request_id} {side} {c.peer}: {c.state}")
    echo(
        f"  about alert {c.alert_origin}:{c.alert_id}"
        + (f" (hit {c.hit_kind})" if c.hit_kind else "")
    )
    echo(f"  purpose: {c.purpose}")
    echo(f"  legal basis: {c.legal_basis}")
    urgency = "urgent, " if c.urgent else ""
    if c.state in ("sent", "received", "queued", "overdue"):
        echo(f"  {urgency}due {model.ts_text(c.due_at)} ({_left(c.seconds_left)})")
    if c.reason:
        echo(f"  reason: {c.reason}")
    if c.decided_by:
        echo(f"  decided by {c.decided_by} at {model.ts_text(c.decided_at)}")
    if c.handling and c.state in ("approved", "answered"):
        echo(f"  handling: {HANDLING_TEXT.get(c.handling, '?')}")
        for r in c.restrictions:
            echo(f"  restriction: {r}")


@click.group()
def records() -> None:
    """Record requests between liaison officers and the owning country's approvers."""


@records.command("request")
@config_option
@click.option("--to", default="", help="The country that holds the record.")
@click.option("--alert", "alert_id", default="", help="One of its alerts you received.")
@click.option("--hit", "hit_ref", default="", help="A hit from `exchange match` (ORIGIN:ID:KIND).")
@click.option("--purpose", required=True, help="Why you need it (names no one).")
@click.option("--legal-basis", required=True, help="The law or agreement you ask under.")
@click.option("--urgent", is_flag=True, help="Due in hours, not working days.")
@json_option
def request(
    config_path: Path | None,
    to: str,
    alert_id: str,
    hit_ref: str,
    purpose: str,
    legal_basis: str,
    urgent: bool,
    as_json: bool,
) -> None:
    """Ask the owning country for the record behind an alert or a hit."""
    if bool(alert_id) == bool(hit_ref):
        raise MalformedInput("give --alert ID (with --to) or --hit REF", hint="see --help")
    if alert_id and not to:
        raise MalformedInput("--alert needs --to: the country whose alert it is")
    cfg = load_config(config_path)
    req = record_ops_pb2.RequestRecordRequest(
        to=to,
        alert_id=alert_id,
        hit_ref=hit_ref,
        purpose=purpose,
        legal_basis=legal_basis,
        urgent=urgent,
    )
    with Operator(cfg) as op:
        c = op.call(op.stub.RequestRecord, req)
    if as_json:
        print_json(case_dict(c))
        return
    _print_case(c)
    echo(f"follow it: exchange records list; exchange audit list --request {c.request_id[:8]}")


def _list(config_path: Path | None, req: record_ops_pb2.ListRecordsRequest, as_json: bool) -> None:
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(op.stub.ListRecords, req)
    if as_json:
        print_json([case_dict(c) for c in resp.cases])
        return
    if not resp.cases:
        echo("no record requests")
        return
    table = Table("request", "dir", "peer", "state", "alert", "urgent", "time left", "officer")
    for c in resp.cases:
        open_ = c.state in ("sent", "received", "queued", "overdue")
        table.add_row(
            c.request_id,
            c.direction,
            c.peer,
            c.state,
            f"{c.alert_origin}:{c.alert_id}",
            "yes" if c.urgent else "",
            _left(c.seconds_left) if open_ else "",
            c.officer,
        )
    console.print(table)


@records.command("list")
@config_option
@click.option("--in", "inbound", is_flag=True, help="Only requests we were sent.")
@click.option("--out", "outbound", is_flag=True, help="Only requests we sent.")
@click.option("--state", default="", help="Only this state (sent, queued, overdue, answered...).")
@json_option
def list_cases(
    config_path: Path | None, inbound: bool, outbound: bool, state: str, as_json: bool
) -> None:
    """Requests both ways, with their state and the time left."""
    direction = "in" if inbound and not outbound else "out" if outbound and not inbound else ""
    _list(config_path, record_ops_pb2.ListRecordsRequest(direction=direction, state=state), as_json)


@records.command("pending")
@config_option
@json_option
def pending(config_path: Path | None, as_json: bool) -> None:
    """Requests from other countries waiting for an approver."""
    _list(config_path, record_ops_pb2.ListRecordsRequest(pending=True), as_json)


def _record_file(path: Path) -> list[record_pb2.RecordField]:
    try:
        if path.stat().st_size > 256 * 1024:
            raise MalformedInput(f"{path} is larger than 256 KiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedInput(
            f"cannot read the record file {path}: {type(exc).__name__}",
            hint='write it as JSON: {"sentence": "...", "risk_assessment": "..."}',
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise MalformedInput(f"{path}: a record file is one JSON object of text fields")
    return [record_pb2.RecordField(name=k, value=v) for k, v in data.items()]


def _attachment(path: Path) -> record_pb2.RecordAttachment:
    try:
        size = path.stat().st_size
        if size > checks.MAX_ATTACHMENT_BYTES:
            raise MalformedInput(
                f"{path.name} is {size} bytes; attachments are at most "
                f"{checks.MAX_ATTACHMENT_BYTES // 1024**2} MiB in all"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedInput(f"cannot read {path}: {exc.strerror}") from None
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return record_pb2.RecordAttachment(name=path.name, media_type=media, data=data)


@records.command("approve")
@config_option
@click.argument("request_id")
@click.option("--fields", default="", help="Comma-separated fields to release.")
@click.option(
    "--record",
    "record_path",
    type=click.Path(path_type=Path),
    help="A JSON file of the record's fields from your national system.",
)
@click.option("--attach", multiple=True, type=click.Path(path_type=Path), help="A file to attach.")
@click.option("--handling", type=click.Choice(list(HANDLING)), default="H2", show_default=True)
@click.option("--restriction", multiple=True, help="A restriction the requester must honour.")
@json_option
def approve(
    config_path: Path | None,
    request_id: str,
    fields: str,
    record_path: Path | None,
    attach: tuple[Path, ...],
    handling: str,
    restriction: tuple[str, ...],
    as_json: bool,
) -> None:
    """Answer a pending request with the named fields (and files), sealed to the requester."""
    cfg = load_config(config_path)
    names = [f.strip() for f in fields.split(",") if f.strip()]
    req = record_ops_pb2.ApproveRecordRequest(
        request_id=request_id,
        fields=names,
        record=_record_file(record_path) if record_path else [],
        attachments=[_attachment(p) for p in attach],
        handling=HANDLING[handling],
        restrictions=list(restriction),
    )
    with Operator(cfg) as op:
        c = op.call(op.stub.ApproveRecord, req)
    if as_json:
        print_json(case_dict(c))
        return
    _print_case(c)
    echo(f"sealed to {c.peer}'s node: {len(c.fields)} field(s), {c.attachments} attachment(s)")


@records.command("deny")
@config_option
@click.argument("request_id")
@click.option("--reason", required=True, help="Why (the officer sees it; names no one).")
@json_option
def deny(config_path: Path | None, request_id: str, reason: str, as_json: bool) -> None:
    """Refuse a pending request, with a reason."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        c = op.call(
            op.stub.DenyRecord,
            record_ops_pb2.DenyRecordRequest(request_id=request_id, reason=reason),
        )
    if as_json:
        print_json(case_dict(c))
        return
    _print_case(c)


@records.command("open")
@config_option
@click.argument("request_id")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Also write the record and its attachments into this new folder (0700).",
)
@json_option
def open_(config_path: Path | None, request_id: str, out_dir: Path | None, as_json: bool) -> None:
    """Show an answered request's record (opened from its seal; nothing is written unless
    --out)."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        got = op.call(op.stub.OpenRecord, record_ops_pb2.OpenRecordRequest(request_id=request_id))
        c = got.case
        if out_dir is not None and c.state == "answered":
            pending = [a.name for a in got.attachments if a.have_bytes < a.size]
            if pending:
                raise MalformedInput(
                    f"{len(pending)} attachment(s) are still being fetched",
                    hint="they arrive in the background; run this again shortly",
                )
            _write_out(op, out_dir, got)
    if as_json:
        print_json(
            case_dict(c)
            | {
                "record": {f.name: f.value for f in got.fields},
                "attachment_files": [
                    {
                        "name": a.name,
                        "media_type": a.media_type,
                        "bytes": a.size,
                        "sha256": a.sha256.hex(),
                        "fetched": a.have_bytes >= a.size,
                    }
                    for a in got.attachments
                ],
            }
        )
        return
    _print_case(c)
    if c.state != "answered":
        echo("no record to show: the request is not answered")
        return
    if c.handling:
        echo(f"*** {HANDLING_TEXT.get(c.handling, '?')} ***")
    for f in got.fields:
        echo(f"  {f.name}: {f.value}")
    for a in got.attachments:
        state = "here" if a.have_bytes >= a.size else "being fetched"
        echo(f"  attachment: {a.name} ({a.media_type}, {a.size} bytes, {state})")
    if got.attachments and out_dir is None:
        echo("  write the attachments with --out DIR")


def _write_out(op: Operator, out_dir: Path, got: record_ops_pb2.OpenRecordResponse) -> None:
    """record.json and every attachment (decrypted by the node as it streams), 0600 in a new
    0700 folder; an attachment that fails its checks is removed, not left half-written."""
    try:
        out_dir.mkdir(mode=0o700)
    except FileExistsError:
        raise MalformedInput(f"{out_dir} already exists", hint="choose a new folder") from None
    fields = {f.name: f.value for f in got.fields}
    with _private(out_dir / "record.json") as fh:
        fh.write(json.dumps(fields, ensure_ascii=False, indent=2).encode())
    rid = got.case.request_id
    for i, a in enumerate(got.attachments):
        name = Path(a.name).name or f"attachment-{i}"  # checked at receipt; never a path
        path = out_dir / name
        try:
            with _private(path) as fh:
                req = record_ops_pb2.ReadAttachmentRequest(request_id=rid, index=i)
                for chunk in op.stream(op.stub.ReadAttachment, req):
                    fh.write(chunk.data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    echo(f"  written to {out_dir}/ (record.json and {len(got.attachments)} attachment(s))")


def _private(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


@records.command("forward")
@config_option
@click.argument("request_id")
@click.option("--to", required=True, help="The country you would forward it to.")
@json_option
def forward(config_path: Path | None, request_id: str, to: str, as_json: bool) -> None:
    """Forward an answered record to another country: always refused (and audited); the
    owner decides who sees its records."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        c = op.call(
            op.stub.ForwardRecord, record_ops_pb2.ForwardRecordRequest(request_id=request_id, to=to)
        )
    if as_json:
        print_json(case_dict(c))
