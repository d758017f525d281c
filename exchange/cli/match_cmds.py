"""`exchange match`: local hit / no-hit against received alerts.

Tokens are derived here, in the command, with the region's matching key; only tokens reach the
node, which looks them up and audits the query by its tokens. The identity typed is never
stored or sent anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import sys
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
from exchange.matching import Identity, Token, derive_tokens, strength
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


class NotEnoughToMatch(MalformedInput):
    """No token can be derived: a check would say "no hit" about someone it never looked for."""


def checkable(identity: Identity, tokens: list[Token]) -> list[Token]:
    """The tokens, or a refusal that says what is missing (never an empty, silent query)."""
    if tokens:
        return tokens
    if identity.birth_date is None and identity.year is None:
        raise NotEnoughToMatch(
            "not enough to match: give a date of birth or a birth year",
            hint="every token binds the name to a date of birth, or to a year with the sex or "
            "the patronymic",
        )
    raise NotEnoughToMatch(
        "not enough to match: with a birth year only, give the sex or the patronymic too",
        hint="or give the full date of birth",
    )


def tokens_for(cfg: NodeConfig, identity: Identity) -> list[Token]:
    mk = matchkey.load(cfg.matching_key)
    return checkable(identity, derive_tokens(identity, mk.key, mk.epoch))


PERSON_KEYS = ("surname", "given", "patronymic", "dob", "sex")
MAX_PERSON_FILE = 64 * 1024


def read_person(source: str) -> dict[str, str]:
    """One person from a JSON file, or from standard input with "-": names given this way stay
    out of shell history and of the process list (`ps`)."""
    if source == "-":
        text = sys.stdin.read(MAX_PERSON_FILE + 1)
        if len(text) > MAX_PERSON_FILE:
            raise MalformedInput("the person on standard input is over 64 KiB")
    else:
        text = read_text(Path(source), "person file", limit=MAX_PERSON_FILE)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise MalformedInput(
            "the person is not a JSON object",
            hint='e.g. {"surname": "Ахмедов", "given": "Хуршед", "dob": "1987-03-12", "sex": "m"}',
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise MalformedInput("the person must be a JSON object of text fields")
    unknown = sorted(set(data) - set(PERSON_KEYS))
    if unknown:
        raise MalformedInput(
            f"unknown person field {unknown[0][:30]!r}", hint=f"use: {', '.join(PERSON_KEYS)}"
        )
    return {k: str(data.get(k, "")) for k in PERSON_KEYS}


def person_of(
    source: str | None, surname: str, given: str, patronymic: str, dob: str, sex: str
) -> Identity:
    """The identity from --person FILE|- when given, else from the name options."""
    if source:
        if surname or given or patronymic or dob:
            raise click.UsageError("give the person either with --person or with the options")
        p = read_person(source)
        return identity_of(p["surname"], p["given"], p["patronymic"], p["dob"], p["sex"] or sex)
    return identity_of(surname, given, patronymic, dob, sex)


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
            click.option(
                "--person",
                "person",
                default=None,
                metavar="FILE|-",
                help="The person as JSON (surname, given, patronymic, dob, sex) from a file, "
                "or from standard input with -: keeps names out of shell history.",
            ),
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
        # "hit" on a strong kind; "lead" when only weak kinds matched (common names collide)
        "strength": strength(h.kinds),
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
    person: str | None,
    sex: str,
    as_json: bool,
) -> None:
    """Does a person match a received alert? (hit / no-hit, computed locally)"""
    if ctx.invoked_subcommand is not None:
        return
    cfg = load_config(config_path)
    tokens = tokens_for(cfg, person_of(person, surname, given, patronymic, dob, sex))
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.MatchTokens,
            operator_pb2.MatchRequest(
                queries=[operator_pb2.MatchQuery(ref="query", tokens=to_proto(tokens))]
            ),
        )
    hits = [_hit_dict(h) for h in resp.hits]
    strong = [h for h in hits if h["strength"] == "hit"]
    if as_json:
        # "hit" is true only for a strong kind; leads are in "hits" with strength "lead"
        print_json({"hit": bool(strong), "hits": hits})
        return
    if not hits:
        console.print("no hit: no received alert carries this person's tokens")
        return
    leads = len(hits) - len(strong)
    if strong:
        console.print(assemble(("hit", "bold red"), f": {len(strong)} received alert(s)"))
    if leads:
        console.print(
            assemble(
                ("lead", "bold yellow"),
                f": {leads} received alert(s) matched only on weak "
                "tokens (a common name with a year, a given name with a date, or one letter "
                "apart): "
                "check the record before acting",
            )
        )
    for h in hits:
        console.print(
            f"  {h['strength']}: {h['alert_id']} from {h['origin']} v{h['version']} "
            f"({h['category'] or '?'}), matched on {', '.join(h['matched'])}"
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
    person: str | None,
    sex: str,
    as_json: bool,
) -> None:
    """Print the subject tokens of one person (for a national registry's integration)."""
    cfg = load_config(config_path)
    tokens = tokens_for(cfg, person_of(person, surname, given, patronymic, dob, sex))
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
@click.option(
    "--skip-bad-rows", is_flag=True, help="Report rows that cannot be read and go on without them."
)
@json_option
def batch(
    config_path: Path | None, file: Path, encoding: str, skip_bad_rows: bool, as_json: bool
) -> None:
    """Check a whole register (CSV: ref,surname,given,patronymic,dob,sex) against alerts.

    The delimiter (comma, semicolon, tab or bar) is detected from the header. Rows without
    enough to derive a token (no date of birth, say) are counted apart, never as "no hit".
    """
    cfg = load_config(config_path)
    mk = matchkey.load(cfg.matching_key)
    rows = _register_rows(read_text(file, "register file", limit=MAX_REGISTER, encoding=encoding))
    bad: list[dict[str, Any]] = []
    unchecked: list[dict[str, Any]] = []
    hits: list[dict[str, Any]] = []
    checked = 0
    with Operator(cfg, timeout=120) as op, Progress(console=console, transient=as_json) as bar:
        task = bar.add_task("checking the register", total=len(rows))
        for start in range(0, len(rows), CHUNK):
            queries = []
            for line, row in rows[start : start + CHUNK]:
                ref = str(row.get("ref") or "")[:200]
                try:
                    ident = identity_of(*(str(row.get(k) or "") for k in PERSON_KEYS))
                    tokens = checkable(ident, derive_tokens(ident, mk.key, mk.epoch))
                except NotEnoughToMatch as exc:
                    unchecked.append({"line": line, "ref": ref, "why": exc.message})
                    continue
                except MalformedInput as exc:
                    if not skip_bad_rows:
                        raise MalformedInput(
                            f"{file}, line {line}: {exc.message}",
                            hint="fix the row, or pass --skip-bad-rows to go on without it",
                        ) from None
                    bad.append({"line": line, "ref": ref, "why": exc.message})
                    continue
                queries.append(operator_pb2.MatchQuery(ref=ref, tokens=to_proto(tokens)))
            if queries:
                resp = op.call(op.stub.MatchTokens, operator_pb2.MatchRequest(queries=queries))
                hits.extend(_hit_dict(h) for h in resp.hits)
                checked += len(queries)
            bar.advance(task, min(CHUNK, len(rows) - start))
    if as_json:
        print_json(
            {
                "records": len(rows),
                "checked": checked,
                "hits": hits,
                "not_checkable": unchecked,
                "bad_rows": bad,
            }
        )
        return
    if hits:
        table = Table("ref", "strength", "alert", "origin", "category", "matched on")
        for h in hits:
            table.add_row(
                h["ref"],
                h["strength"],
                h["alert_id"],
                h["origin"],
                h["category"] or "?",
                ", ".join(h["matched"]),
            )
        console.print(table)
    for what, items in (("could not be checked", unchecked), ("could not be read", bad)):
        for item in items[:20]:
            console.print(f"line {item['line']} ({item['ref']}) {what}: {item['why']}")
        if len(items) > 20:
            console.print(f"... and {len(items) - 20} more that {what} (see --json)")
    console.print(
        f"{len(rows)} records: {checked} checked, "
        f"{len({h['ref'] for h in hits if h['strength'] == 'hit'})} with a hit, "
        f"{len({h['ref'] for h in hits if h['strength'] == 'lead'})} with a lead only, "
        f"{len(unchecked)} not enough to check, {len(bad)} unreadable"
    )


def _register_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The register's rows with their line numbers, whatever its delimiter."""
    header = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(header, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    missing = [c for c in ("ref", "surname", "given") if c not in (reader.fieldnames or [])]
    if missing:
        raise MalformedInput(
            f"the register has no column {missing[0]!r}",
            hint=f"the header must name: {', '.join(CSV_COLUMNS)} (patronymic, dob, sex may be "
            "empty)",
        )
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise MalformedInput(
            f"the register is not valid CSV at line {reader.line_num}: {exc}"
        ) from None


@match.command("keygen")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Key file to write.")
@click.option(
    "--epoch",
    type=click.IntRange(1, 2**32 - 1),
    default=1,
    show_default=True,
    help="Key epoch (raise it on rotation).",
)
@json_option
def keygen(out: Path, epoch: int, as_json: bool) -> None:
    """Create a region matching key file (0600); share it with the region's nodes out of band."""
    if out.exists():
        raise MalformedInput(f"{out} already exists", hint="choose another path")
    matchkey.generate(out, epoch)
    if as_json:
        print_json({"path": str(out), "epoch": epoch})
        return
    echo(f"wrote matching key epoch {epoch} to {out} (0600); keep it secret")
