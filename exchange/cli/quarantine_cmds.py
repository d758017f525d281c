"""`exchange quarantine list|show|release|drop`: received items held back for a person.

A received alert whose free text looks like personal data, a withdrawal's reason that does,
or an item written in a newer schema than this node reads is kept unshown and unmatched here
until an operator releases it (it is then applied by the usual rules) or drops it (its
content is deleted; its channel position stays).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from exchange._proto.v1 import operator_pb2
from exchange.alerts import model
from exchange.cli.client import Operator
from exchange.cli.common import (
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
)


def _ref(text: str) -> tuple[str, int]:
    origin, _, seq = text.partition("/")
    if not model.is_country(origin) or not seq.isdigit() or len(seq) > 19:
        raise click.BadParameter(f"{text[:40]!r}: write it as ORIGIN/SEQ, e.g. kg/17")
    return origin, int(seq)


def _item_dict(i: operator_pb2.QuarantinedItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": f"{i.origin}/{i.seq}",
        "origin": i.origin,
        "seq": i.seq,
        "kind": i.kind,
        "alert_id": i.alert_id,
        "version": i.version,
        "reason": i.reason,
        "held_at": model.ts_text(i.held_at),
        "state": i.state,
    }
    if i.HasField("record"):
        if i.record.withdrawn:
            out["content"] = {"withdraw_reason": i.record.withdraw_reason}
        else:
            out["content"] = model.to_dict(i.record.alert)
    return out


@click.group()
def quarantine() -> None:
    """Received items held back: personal data in free text, or a newer schema."""


@quarantine.command("list")
@config_option
@click.option("--origin", default="", help="Only items from this country.")
@json_option
def list_held(config_path: Path | None, origin: str, as_json: bool) -> None:
    """List held items (without their content: see `quarantine show`)."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(op.stub.ListQuarantine, operator_pb2.ListQuarantineRequest(origin=origin))
    items = [_item_dict(i) for i in resp.items]
    if as_json:
        print_json([{k: v for k, v in d.items() if k != "content"} for d in items])
        return
    table = Table("ref", "kind", "alert id", "version", "held since", "why")
    for d in items:
        table.add_row(
            d["ref"],
            d["kind"],
            d["alert_id"],
            str(d["version"]),
            d["held_at"][:19],
            d["reason"],
        )
    console.print(table)
    if not items:
        console.print("nothing is held")


@quarantine.command()
@config_option
@click.argument("ref")
@json_option
def show(config_path: Path | None, ref: str, as_json: bool) -> None:
    """Show one held item with its content, to decide whether to release or drop it."""
    origin, seq = _ref(ref)
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(op.stub.ListQuarantine, operator_pb2.ListQuarantineRequest(origin=origin))
    found = [_item_dict(i) for i in resp.items if i.seq == seq]
    if not found:
        raise click.ClickException(f"nothing from {origin} at seq {seq} is in quarantine")
    d = found[0]
    if as_json:
        print_json(d)
        return
    console.print(f"{d['ref']}: {d['kind']} {d['alert_id']} v{d['version']}")
    console.print(f"held because: {d['reason']}")
    content = d.get("content")
    if content is None:
        console.print("content: not readable by this node (newer schema)")
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, min_width=19)
    grid.add_column()
    for key, value in content.items():
        if value and key != "subject":
            grid.add_row(f"{key}:", str(value))
    console.print(grid)


def _act(config_path: Path | None, ref: str, reason: str, method: str) -> Any:
    origin, seq = _ref(ref)
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        return op.call(
            getattr(op.stub, method),
            operator_pb2.QuarantineActionRequest(origin=origin, seq=seq, reason=reason),
        )


@quarantine.command()
@config_option
@click.argument("ref")
@click.option("--reason", required=True, help="Why it may be shown (audited).")
@json_option
def release(config_path: Path | None, ref: str, reason: str, as_json: bool) -> None:
    """Apply a held item after review: it is shown and matched like any received item."""
    item = _act(config_path, ref, reason, "ReleaseQuarantined")
    if as_json:
        print_json(_item_dict(item))
    elif item.state == "released":
        echo(f"released {ref}: {item.alert_id} v{item.version}")
    else:
        echo(f"{ref} is readable now but still held: {item.reason}")


@quarantine.command()
@config_option
@click.argument("ref")
@click.option("--reason", required=True, help="Why it is dropped (audited).")
@json_option
def drop(config_path: Path | None, ref: str, reason: str, as_json: bool) -> None:
    """Delete a held item's content (its channel position and hash stay)."""
    item = _act(config_path, ref, reason, "DropQuarantined")
    if as_json:
        print_json(_item_dict(item))
        return
    echo(f"dropped {ref}: {item.alert_id} v{item.version}")
