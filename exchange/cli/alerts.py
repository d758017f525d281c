"""`exchange alerts publish|list|show|amend|withdraw`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from exchange._proto.v1 import operator_pb2
from exchange.alerts import model
from exchange.alerts.input import alert_from_mapping, load_file
from exchange.cli.client import Operator
from exchange.cli.common import (
    assemble,
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
    shown,
    styled,
)
from exchange.cli.match_cmds import name_options, person_of, to_proto, tokens_for


def alert_options(fn: Any) -> Any:
    opts = [
        click.option("--file", "file", type=click.Path(path_type=Path), help="TOML or JSON file."),
        click.option("--category", help=f"One of: {', '.join(model.CATEGORIES)}."),
        click.option("--risk", help="low, medium, high or critical."),
        click.option("--handling", help="H0 purpose-bound, H1, H2 or H3."),
        click.option("--reliability", help="Source reliability A, B, C or X."),
        click.option("--accuracy", help="Information accuracy 1-4."),
        click.option("--action", "action_requested", help="Action requested of recipients."),
        click.option("--valid-until", help="Retention review date, YYYY-MM-DD."),
        click.option("--region", "facility_region", help="Facility region."),
        click.option("--summary", help="Short summary: no names or document numbers."),
        click.option("--reference", "references", multiple=True, help="Reference (repeatable)."),
        click.option("--token", "tokens", multiple=True, help="Subject token, hex (repeatable)."),
        click.option("--birth-year", type=click.IntRange(1900, 2100), help="Subject's birth year."),
        click.option("--sex", help="Subject's sex: m or f."),
        click.option("--nationality", help="Subject's nationality, ISO code."),
        click.option(
            "--allow-pii",
            "allow_pii",
            default="",
            metavar="REASON",
            help="Publish although the summary looks like it holds personal data (audited).",
        ),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _mapping(params: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = load_file(params["file"]) if params.get("file") else {}
    for key in (
        "category",
        "risk",
        "handling",
        "reliability",
        "accuracy",
        "action_requested",
        "valid_until",
        "facility_region",
        "summary",
    ):
        if params.get(key) is not None:
            data[key] = params[key]
    if params.get("references"):
        data["references"] = list(params["references"])
    subject = dict(data.get("subject", {}))
    if params.get("tokens"):
        subject["tokens"] = list(params["tokens"])
    for key in ("birth_year", "sex", "nationality"):
        if params.get(key) is not None:
            subject[key] = params[key]
    if subject:
        data["subject"] = subject
    return data


def _show_record(rec: operator_pb2.AlertRecord) -> dict[str, Any]:
    d = model.to_dict(rec.alert)
    d["withdrawn"] = rec.withdrawn
    d["purged"] = rec.purged
    if rec.withdrawn:
        d["withdraw_reason"] = rec.withdraw_reason
    d["stored_at"] = model.ts_datetime(rec.stored_at).isoformat()
    return d


def _written(rec: operator_pb2.AlertRecord) -> dict[str, Any]:
    """What a write answers in --json: the version, where it was queued, and why nowhere."""
    d = _show_record(rec)
    d["recipients"] = rec.recipients
    d["no_recipients_reason"] = rec.no_recipients_reason
    d["replayed"] = rec.replayed
    return d


def _queued(rec: operator_pb2.AlertRecord) -> str:
    why = (
        f" ({rec.no_recipients_reason})" if not rec.recipients and rec.no_recipients_reason else ""
    )
    return f"queued for {rec.recipients} peer(s){why}"


def new_key() -> str:
    """One idempotency key per invocation: its retries reuse it, a new run makes a new one."""
    return str(uuid.uuid4())


@click.group()
def alerts() -> None:
    """Publish and read alerts."""


@alerts.command()
@config_option
@alert_options
@name_options
@json_option
def publish(
    config_path: Path | None,
    as_json: bool,
    surname: str,
    given: str,
    patronymic: str,
    dob: str,
    person: str | None,
    **params: Any,
) -> None:
    """Publish a new alert (version 1) to the peers the policy allows.

    With --surname/--given/--dob (or --person FILE|-) the subject's tokens are derived here
    with the region's matching key; the name and full date of birth never leave this command.
    """
    cfg = load_config(config_path)
    alert = alert_from_mapping(_mapping(params))
    if surname or given or person:
        ident = person_of(person, surname, given, patronymic, dob, params.get("sex") or "")
        alert.subject.tokens.extend(to_proto(tokens_for(cfg, ident)))
        if ident.year and not alert.subject.birth_year:
            alert.subject.birth_year = ident.year
        if ident.sex and not alert.subject.sex:
            alert.subject.sex = model.sex_code(ident.sex)  # type: ignore[assignment]
    with Operator(cfg) as op:
        rec = op.call_keyed(
            op.stub.PublishAlert,
            operator_pb2.PublishAlertRequest(
                alert=alert, allow_pii_reason=params["allow_pii"], idempotency_key=new_key()
            ),
        )
    if as_json:
        print_json(_written(rec))
    else:
        echo(f"published {rec.alert.alert_id} v{rec.alert.version}, {_queued(rec)}")


@alerts.command()
@config_option
@click.argument("alert_id")
@click.option("--valid-until", required=True, help="The new review date, YYYY-MM-DD.")
@json_option
def extend(config_path: Path | None, alert_id: str, valid_until: str, as_json: bool) -> None:
    """Move one of this node's alerts' review date: a new version that changes only that date
    (receivers drop an alert's content and tokens when its review date passes)."""
    cfg = load_config(config_path)
    changes = alert_from_mapping({"valid_until": valid_until})
    with Operator(cfg) as op:
        rec = op.call_keyed(
            op.stub.AmendAlert,
            operator_pb2.AmendAlertRequest(
                alert_id=alert_id,
                changes=changes,
                fields=["valid_until"],
                idempotency_key=new_key(),
            ),
        )
    if as_json:
        print_json(_written(rec))
    else:
        echo(
            f"extended {rec.alert.alert_id} to {valid_until}: now version "
            f"{rec.alert.version}, {_queued(rec)}"
        )


@alerts.command()
@config_option
@click.argument("alert_id")
@alert_options
@json_option
def amend(config_path: Path | None, alert_id: str, as_json: bool, **params: Any) -> None:
    """Publish the next version of one of this node's alerts; fields not given are kept.

    Only the fields given here are sent: the node takes everything else from its own
    current version of the alert.
    """
    cfg = load_config(config_path)
    data = _mapping(params)
    changes = alert_from_mapping(data)
    fields = [k for k in data if k != "subject"]
    fields += [f"subject.{k}" for k in data.get("subject", {})]
    if not fields:
        raise click.UsageError("give at least one field to change, e.g. --risk critical")
    with Operator(cfg) as op:
        rec = op.call_keyed(
            op.stub.AmendAlert,
            operator_pb2.AmendAlertRequest(
                alert_id=alert_id,
                changes=changes,
                fields=fields,
                allow_pii_reason=params["allow_pii"],
                idempotency_key=new_key(),
            ),
        )
    if as_json:
        print_json(_written(rec))
    else:
        echo(f"amended {rec.alert.alert_id}: now version {rec.alert.version}, {_queued(rec)}")


@alerts.command()
@config_option
@click.argument("alert_id")
@click.option("--reason", default="", help="Why it is withdrawn (no subject data).")
@json_option
def withdraw(config_path: Path | None, alert_id: str, reason: str, as_json: bool) -> None:
    """Withdraw an alert: peers receive a tombstone and drop its content."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        rec = op.call_keyed(
            op.stub.WithdrawAlert,
            operator_pb2.WithdrawAlertRequest(
                alert_id=alert_id, reason=reason, idempotency_key=new_key()
            ),
        )
    if as_json:
        print_json(_written(rec))
    else:
        echo(f"withdrew {rec.alert.alert_id} (tombstone version {rec.alert.version})")


@alerts.command("list")
@config_option
@click.option("--origin", default="", help="Only alerts from this country.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@json_option
def list_alerts(config_path: Path | None, origin: str, limit: int, as_json: bool) -> None:
    """List the latest version of each alert this node holds."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.ListAlerts, operator_pb2.ListAlertsRequest(origin=origin, limit=limit)
        )
    if as_json:
        print_json([_show_record(r) for r in resp.alerts])
        return
    table = Table("alert id", "origin", "version", "category", "risk", "state")
    table.columns[0].no_wrap = True  # ids whole: a cut id names no alert
    table.columns[0].min_width = 36
    for r in resp.alerts:
        a = r.alert
        table.add_row(
            a.alert_id,
            a.origin,
            str(a.version),
            "" if r.withdrawn else model.category_label(a.category),
            "" if r.withdrawn else model.to_dict(a)["risk"],
            styled("withdrawn", "red") if r.withdrawn else "active",
        )
    console.print(table)


@alerts.command()
@config_option
@click.argument("alert_id")
@click.option("--origin", default="", help="The publishing country (when the id is ambiguous).")
@json_option
def show(config_path: Path | None, alert_id: str, origin: str, as_json: bool) -> None:
    """Show every version of one alert."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.GetAlert, operator_pb2.GetAlertRequest(alert_id=alert_id, origin=origin)
        )
    versions = [_show_record(r) for r in resp.versions]
    if as_json:
        print_json(versions)
        return
    for v in versions:
        console.rule(shown(f"{v['alert_id']} v{v['version']} from {v['origin']}"))
        if v["withdrawn"]:
            reason = v.get("withdraw_reason") or "(no reason given)"
            console.print(assemble(("withdrawn", "red"), ": ", reason))
            continue
        if v["purged"]:
            console.print(styled("content removed: the alert was withdrawn", "dim"))
            continue
        console.print(_fields(v))


_SHOWN_FIELDS = (
    "category",
    "risk",
    "handling",
    "handling_note",
    "reliability",
    "accuracy",
    "action_requested",
    "valid_until",
    "facility_region",
    "summary",
)


def _fields(v: dict[str, Any]) -> Table:
    """Field names in their own column: a value (free text from the origin) that holds line
    breaks stays in its column and cannot pass for another field."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, min_width=19)
    grid.add_column()
    for key in _SHOWN_FIELDS:
        if v.get(key):
            grid.add_row(f"{key}:", v[key])
    for ref in v["references"]:
        grid.add_row("reference:", ref)
    subj = v["subject"]
    grid.add_row(
        "subject:",
        f"{len(subj['tokens'])} token(s), born {subj['birth_year'] or '?'}, "
        f"sex {subj['sex'] or '?'}, nationality {subj['nationality'] or '?'}",
    )
    return grid
