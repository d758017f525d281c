"""`exchange alarms list|ack`: alarms a person has seen and answered stay shown, marked, and no
longer fail `exchange status --check` (a monitoring probe)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from exchange._proto.v1 import operator_pb2
from exchange.alerts.model import ts_datetime
from exchange.cli.client import Operator
from exchange.cli.common import config_option, console, echo, json_option, load_config, print_json


def alarm_dict(a: operator_pb2.AlarmState) -> dict[str, Any]:
    return {
        "id": a.id,
        "alarm": a.text,
        "acknowledged": a.acknowledged,
        "reason": a.reason,
        "acknowledged_at": ts_datetime(a.acknowledged_at).isoformat()
        if a.HasField("acknowledged_at")
        else None,
    }


@click.group()
def alarms() -> None:
    """The node's alarms and their acknowledgements."""


@alarms.command("list")
@config_option
@json_option
def list_alarms(config_path: Path | None, as_json: bool) -> None:
    """Show every current alarm, acknowledged or not."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(op.stub.Status, operator_pb2.StatusRequest())
    if as_json:
        print_json([alarm_dict(a) for a in resp.alarm_states])
        return
    table = Table("id", "state", "alarm")
    for a in resp.alarm_states:
        table.add_row(a.id, f"acknowledged: {a.reason}" if a.acknowledged else "ALARM", a.text)
    console.print(table)


@alarms.command("ack")
@config_option
@click.argument("alarm_id")
@click.option("--reason", required=True, help="Why it is acknowledged (audited).")
@json_option
def ack(config_path: Path | None, alarm_id: str, reason: str, as_json: bool) -> None:
    """Acknowledge an alarm by the id `exchange status` shows (audited). A changed alarm gets
    a new id and fails `status --check` again."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        st = op.call(op.stub.AckAlarm, operator_pb2.AckAlarmRequest(id=alarm_id, reason=reason))
    if as_json:
        print_json(alarm_dict(st))
    else:
        echo(f"acknowledged alarm {st.id}: {st.text}")
