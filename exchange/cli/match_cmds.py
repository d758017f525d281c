"""`exchange match`: local hit / no-hit against received alerts.

Tokens are derived here, in the command, with the region's matching key; only tokens reach the
node, which looks them up and audits the query by its tokens. The identity typed is never
stored or sent anywhere.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import Progress
from rich.table import Table

from exchange._proto.v1 import alert_pb2, operator_pb2
from exchange.alerts import model
from exchange.cli.client import Operator
from exchange.cli.common import (
    assemble,
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
)
from exchange.config import NodeConfig
from exchange.errors import MalformedInput
from exchange.matching import Identity, Token, derive_tokens
from exchange.node import matchkey
from exchange.textfile import read_text

CSV_COLUMNS = ("ref", "surname", "given", "patronymic", "dob", "sex")
CHUNK = 500
MAX_REGISTER = 256 << 20  # a national register of a few million rows


def parse_dob(text: str) -> tuple[date | None, int | None]:
    """YYYY-MM-DD or DD.MM.YYYY -> a date; YYYY alone -> a birth year."""
    text = text.strip()
    if not text:
        return None, None
    if text.isdigit() and len(text) == 4:
        return None, int(text)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    raise MalformedInput(
        "date of birth not understood", hint="write it as YYYY-MM-DD, DD.MM.YYYY, or a year"
    )


def identity_of(surname: str, given: str, patronymic: str, dob: str, sex: str) -> Identity:
    if not surname.strip() or not given.strip():
        raise MalformedInput("a surname and a given name are needed to derive tokens")
    birth_date, birth_year = parse_dob(dob)
    return Identity(surname, given, patronymic, birth_date, birth_year, sex.lower().strip())


def tokens_for(cfg: NodeConfig, identity: Identity) -> list[Token]:
    mk = matchkey.load(cfg.matching_key)
    return derive_tokens(identity, mk.key, mk.epoch)


def to_proto(tokens: list[Token]) -> list[alert_pb2.SubjectToken]:
    return [alert_pb2.SubjectToken(kind=t.kind, epoch=t.epoch, value=t.value) for t in tokens]


def name_options(fn: Any) -> Any:
    """The identity options without --sex (alert commands already have one)."""
    for opt in reversed(
        [
            click.option("--surname", default="", help="Surname, in any script or spelling."),
            click.option("--given", default="", help="Given name(s)."),
            click.option("--patronymic", default="", help="Patronymic, if recorded."),
            click.option("--dob", default="", help="Date of birth (YYYY-MM-DD) or year."),
        ]
    ):
        fn = opt(fn)
    return fn


def identity_options(fn: Any) -> Any:
    return name_options(click.option("--sex", default="", help="m or f.")(fn))


def _hit_dict(h: operator_pb2.MatchHit) -> dict[str, Any]:
    return {
        "ref": h.ref,
        "alert_id": h.alert_id,
        "origin": h.origin,
        "version": h.version,
        "matched": list(h.kinds),
        "category": model.category_name(h.category) if h.category else None,
    }


@click.group(invoke_without_command=True)
@config_option
@identity_options
@json_option
@click.pass_context
def match(
    ctx: click.Context,
    config_path: Path | None,
    surname: str,
    given: str,
    patronymic: str,
    dob: str,
    sex: str,
    as_json: bool,
) -> None:
    """Does a person match a received alert? (hit / no-hit, computed locally)"""
    if ctx.invoked_subcommand is not None:
        return
    cfg = load_config(config_path)
    tokens = tokens_for(cfg, identity_of(surname, given, patronymic, dob, sex))
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.MatchTokens,
            operator_pb2.MatchRequest(
                queries=[operator_pb2.MatchQuery(ref="query", tokens=to_proto(tokens))]
            ),
        )
    hits = [_hit_dict(h) for h in resp.hits]
    if as_json:
        print_json({"hit": bool(hits), "hits": hits})
        return
    if not hits:
        console.print("no hit: no received alert carries this person's tokens")
        return
    console.print(assemble(("hit", "bold red"), f": {len(hits)} received alert(s)"))
    for h in hits:
        console.print(
            f"  {h['alert_id']} from {h['origin']} v{h['version']} ({h['category'] or '?'}), "
            f"matched on {', '.join(h['matched'])}"
        )


@match.command("tokens")
@config_option
@identity_options
@json_option
def tokens_cmd(
    config_path: Path | None,
    surname: str,
    given: str,
    patronymic: str,
    dob: str,
    sex: str,
    as_json: bool,
) -> None:
    """Print the subject tokens of one person (for a national registry's integration)."""
    cfg = load_config(config_path)
    tokens = tokens_for(cfg, identity_of(surname, given, patronymic, dob, sex))
    data = [{"kind": t.kind, "epoch": t.epoch, "value": t.value.hex()} for t in tokens]
    if as_json:
        print_json(data)
        return
    for t in data:
        echo(f"{t['kind']}:{t['value']}  (epoch {t['epoch']})")


@match.command("batch")
@config_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--encoding", default="utf-8", show_default=True, help="The file's text encoding.")
@json_option
def batch(config_path: Path | None, file: Path, encoding: str, as_json: bool) -> None:
    """Check a whole register (CSV: ref,surname,given,patronymic,dob,sex) against alerts."""
    cfg = load_config(config_path)
    mk = matchkey.load(cfg.matching_key)
    text = read_text(file, "register file", limit=MAX_REGISTER, encoding=encoding)
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("ref", "surname", "given") if c not in (reader.fieldnames or [])]
        if missing:
            raise MalformedInput(
                f"{file}: missing column {missing[0]!r}",
                hint=f"the header must name: {', '.join(CSV_COLUMNS)} (patronymic, dob, sex "
                "may be empty)",
            )
        rows = list(reader)
    hits: list[dict[str, Any]] = []
    with Operator(cfg, timeout=120) as op, Progress(console=console, transient=as_json) as bar:
        task = bar.add_task("checking the register", total=len(rows))
        for start in range(0, len(rows), CHUNK):
            queries = []
            for n, row in enumerate(rows[start : start + CHUNK], start=start + 2):
                try:
                    ident = identity_of(
                        row.get("surname") or "",
                        row.get("given") or "",
                        row.get("patronymic") or "",
                        row.get("dob") or "",
                        row.get("sex") or "",
                    )
                except MalformedInput as exc:
                    raise MalformedInput(
                        f"{file}, line {n}: {exc.message}", hint=exc.hint
                    ) from None
                tokens = derive_tokens(ident, mk.key, mk.epoch)
                queries.append(operator_pb2.MatchQuery(ref=row["ref"], tokens=to_proto(tokens)))
            resp = op.call(op.stub.MatchTokens, operator_pb2.MatchRequest(queries=queries))
            hits.extend(_hit_dict(h) for h in resp.hits)
            bar.advance(task, len(queries))
    if as_json:
        print_json({"records": len(rows), "hits": hits})
        return
    console.print(f"{len(rows)} records checked: {len({h['ref'] for h in hits})} with a hit")
    if hits:
        table = Table("ref", "alert", "origin", "category", "matched on")
        for h in hits:
            table.add_row(
                h["ref"], h["alert_id"], h["origin"], h["category"] or "?", ", ".join(h["matched"])
            )
        console.print(table)


@match.command("keygen")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Key file to write.")
@click.option(
    "--epoch",
    type=click.IntRange(1, 2**32 - 1),
    default=1,
    show_default=True,
    help="Key epoch (raise it on rotation).",
)
def keygen(out: Path, epoch: int) -> None:
    """Create a region matching key file (0600); share it with the region's nodes out of band."""
    if out.exists():
        raise MalformedInput(f"{out} already exists", hint="choose another path")
    matchkey.generate(out, epoch)
    echo(f"wrote matching key epoch {epoch} to {out} (0600); keep it secret")
