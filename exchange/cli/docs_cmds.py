"""`exchange docs publish|list|show|get|search|withdraw`: the best-practice library."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from exchange._proto.v1 import document_ops_pb2, document_pb2
from exchange.alerts import model
from exchange.cli.client import Operator
from exchange.cli.common import (
    config_option,
    console,
    echo,
    json_option,
    load_config,
    print_json,
    shown,
    styled,
)
from exchange.documents import mediatype
from exchange.documents.manifest import HANDLING_NAMES
from exchange.errors import ConfigError, MalformedInput

PIECE = 1024 * 1024  # bytes per upload message


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )


def record_dict(r: document_ops_pb2.DocumentRecord) -> dict[str, Any]:
    m = r.manifest
    d: dict[str, Any] = {
        "document_id": m.document_id,
        "version": m.version,
        "origin": m.origin,
        "content": r.content,
        "have_bytes": r.have_bytes,
        "withdrawn": r.withdrawn,
    }
    if r.withdrawn:
        d["withdraw_reason"] = r.withdraw_reason
        return d
    d |= {
        "title": m.title,
        "topic": m.topic,
        "language": m.language,
        "summary": m.summary,
        "tags": list(m.tags),
        "organisation": m.organisation,
        "handling": HANDLING_NAMES.get(m.handling, ""),
        "media_type": m.media_type,
        "size": m.size,
        "content_sha256": m.content_sha256.hex(),
        "issued_at": model.ts_datetime(m.issued_at).isoformat(),
        "supersedes": m.supersedes or None,
        "translation_of": (
            f"{m.translation_of.origin}/{m.translation_of.document_id}"
            if m.HasField("translation_of")
            else None
        ),
    }
    if m.HasField("review_date"):
        d["review_date"] = model.ts_datetime(m.review_date).date().isoformat()
    if r.note:
        d["note"] = r.note
    return d


def _written(r: document_ops_pb2.DocumentRecord) -> dict[str, Any]:
    return record_dict(r) | {
        "recipients": r.recipients,
        "no_recipients_reason": r.no_recipients_reason,
    }


def _content(r: document_ops_pb2.DocumentRecord) -> str:
    if r.content == "partial" and r.manifest.size:
        return f"partial {100 * r.have_bytes // r.manifest.size}%"
    return r.content


@click.group()
def docs() -> None:
    """Publish, find and fetch best-practice documents."""


@docs.command()
@config_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", required=True, help="The document's title (no personal data).")
@click.option(
    "--topic", required=True, help="One of the region's topics (policy check lists them)."
)
@click.option("--language", required=True, help="BCP 47 tag: ru, kk, ky, tg, uz, en, sv, bg...")
@click.option("--summary", default="", help="A few lines on what it holds.")
@click.option("--tags", default="", help="Comma-separated keywords.")
@click.option("--organisation", default="", help="The publishing service, as it names itself.")
@click.option("--handling", default="H0", show_default=True, help="H0, H1, H2 or H3.")
@click.option("--review-date", default="", help="When it is reviewed again, YYYY-MM-DD.")
@click.option("--media-type", default="", help="Declared type (default: from the file name).")
@click.option("--supersedes", default="", metavar="ID", help="Publish as the next version of ID.")
@click.option("--translation-of", default="", metavar="[ORIGIN/]ID", help="The original.")
@click.option("--allow-pii", default="", metavar="REASON", help="Publish flagged text (audited).")
@json_option
def publish(config_path: Path | None, file: Path, as_json: bool, **o: Any) -> None:
    """Publish a document to the peers the policy shares its topic with."""
    cfg = load_config(config_path)
    media = o["media_type"] or mediatype.for_name(file.name)
    if not media:
        raise MalformedInput(
            f"{file.name[:80]!r} is not a document type this exchange carries",
            hint="allowed: "
            + ", ".join(sorted({e for x in mediatype.ALLOWED.values() for e in x})),
        )
    try:
        size = file.stat().st_size
        fh = file.open("rb")
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror}") from None
    draft = document_ops_pb2.DocumentDraft(
        title=o["title"],
        topic=o["topic"],
        language=o["language"],
        summary=o["summary"],
        tags=[t.strip() for t in o["tags"].split(",") if t.strip()],
        organisation=o["organisation"],
        handling=model.handling_code(o["handling"]),  # type: ignore[arg-type]
        media_type=media,
        supersedes=o["supersedes"],
        allow_pii_reason=o["allow_pii"],
    )
    if o["review_date"]:
        draft.review_date.CopyFrom(_date(o["review_date"]))
    if o["translation_of"]:
        origin, _, did = o["translation_of"].rpartition("/")
        draft.translation_of.CopyFrom(document_pb2.DocumentRef(origin=origin, document_id=did))
    with fh, Operator(cfg) as op, _progress(as_json) as bar:
        task = bar.add_task("upload", total=size)

        def uploads() -> Iterator[document_ops_pb2.DocumentUpload]:
            yield document_ops_pb2.DocumentUpload(draft=draft)
            while piece := fh.read(PIECE):
                bar.advance(task, len(piece))
                yield document_ops_pb2.DocumentUpload(data=piece)

        rec = op.unary_from_stream(op.stub.PublishDocument, uploads())
    if as_json:
        print_json(_written(rec))
        return
    why = (
        f" ({rec.no_recipients_reason})" if not rec.recipients and rec.no_recipients_reason else ""
    )
    echo(
        f"published {rec.manifest.document_id} v{rec.manifest.version} "
        f"({rec.manifest.size} bytes), queued for {rec.recipients} peer(s){why}"
    )


def _date(text: str) -> Any:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise MalformedInput(
            f"{text[:20]!r} is not a date", hint="write it as YYYY-MM-DD"
        ) from None
    return model.timestamp(day)


def _table(records: list[document_ops_pb2.DocumentRecord]) -> Table:
    table = Table("document id", "origin", "v", "topic", "lang", "title", "size", "content")
    table.columns[0].no_wrap = True
    table.columns[0].min_width = 36
    for r in records:
        m = r.manifest
        table.add_row(
            m.document_id,
            m.origin,
            str(m.version),
            shown(m.topic),
            shown(m.language),
            shown(m.title) if not r.withdrawn else styled("withdrawn", "red"),
            str(m.size) if not r.withdrawn else "",
            shown(_content(r)),
        )
    return table


@docs.command("list")
@config_option
@click.option("--topic", default="")
@click.option("--language", default="")
@click.option("--origin", default="")
@click.option("--limit", type=click.IntRange(1, 1000), default=200, show_default=True)
@json_option
def list_docs(
    config_path: Path | None, topic: str, language: str, origin: str, limit: int, as_json: bool
) -> None:
    """The latest version of every document this node holds."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.ListDocuments,
            document_ops_pb2.ListDocumentsRequest(
                origin=origin, topic=topic, language=language, limit=limit
            ),
        )
    if as_json:
        print_json([record_dict(r) for r in resp.documents])
    else:
        console.print(_table(list(resp.documents)))


@docs.command()
@config_option
@click.argument("words")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@json_option
def search(config_path: Path | None, words: str, limit: int, as_json: bool) -> None:
    """Documents whose title, summary or tags hold every word (any of the region's scripts)."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.SearchDocuments,
            document_ops_pb2.SearchDocumentsRequest(words=words, limit=limit),
        )
    if as_json:
        print_json([record_dict(r) for r in resp.documents])
    else:
        console.print(_table(list(resp.documents)))


@docs.command()
@config_option
@click.argument("document_id")
@click.option("--origin", default="", help="The publishing country (when the id is ambiguous).")
@json_option
def show(config_path: Path | None, document_id: str, origin: str, as_json: bool) -> None:
    """Every version of one document, and the state of its content here."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        resp = op.call(
            op.stub.GetDocument,
            document_ops_pb2.GetDocumentRequest(document_id=document_id, origin=origin),
        )
    versions = [record_dict(r) for r in resp.versions]
    if as_json:
        print_json(versions)
        return
    for v in versions:
        console.rule(shown(f"{v['document_id']} v{v['version']} from {v['origin']}"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True, min_width=14)
        grid.add_column()
        for key, value in v.items():
            if key in ("document_id", "version", "origin") or value in (None, "", []):
                continue
            text = ", ".join(value) if isinstance(value, list) else str(value)
            grid.add_row(styled(key, "bold"), shown(text, multiline=key == "summary"))
        console.print(grid)


@docs.command()
@config_option
@click.argument("document_id")
@click.option("--reason", default="", help="Why it is withdrawn (no personal data).")
@json_option
def withdraw(config_path: Path | None, document_id: str, reason: str, as_json: bool) -> None:
    """Withdraw one of this node's documents: peers drop its content and text."""
    cfg = load_config(config_path)
    with Operator(cfg) as op:
        rec = op.call(
            op.stub.WithdrawDocument,
            document_ops_pb2.WithdrawDocumentRequest(document_id=document_id, reason=reason),
        )
    if as_json:
        print_json(_written(rec))
    else:
        echo(f"withdrew {rec.manifest.document_id} (tombstone version {rec.manifest.version})")


@docs.command()
@config_option
@click.argument("document_id")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--origin", default="")
@click.option("--version", type=click.IntRange(0, 2**31 - 1), default=0, help="0: the latest.")
@json_option
def get(
    config_path: Path | None, document_id: str, out: Path, origin: str, version: int, as_json: bool
) -> None:
    """Fetch a document's content to the node (resuming where it stopped), then write it to
    --out, checked against its signed sha256. An interrupted run resumes from OUT.part."""
    cfg = load_config(config_path)
    with Operator(cfg) as op, _progress(as_json) as bar:
        last = None
        task = bar.add_task("fetch", total=None)
        for p in op.stream(
            op.stub.FetchDocument,
            document_ops_pb2.FetchDocumentRequest(
                document_id=document_id, origin=origin, version=version
            ),
        ):
            last = p
            bar.update(
                task,
                total=p.size,
                completed=p.have_bytes,
                description=shown(f"fetch {p.note[:40]}" if p.note else "fetch"),
            )
        assert last is not None
        rec = op.call(
            op.stub.GetDocument,
            document_ops_pb2.GetDocumentRequest(document_id=last.document_id, origin=last.origin),
        )
        m = next(r.manifest for r in rec.versions if r.manifest.version == last.version)
        part = out.with_name(out.name + ".part")
        have = part.stat().st_size if part.exists() else 0
        start = min(have - have % m.chunk_size, m.size) if m.chunk_size else 0
        task = bar.add_task("write", total=m.size, completed=start)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b") as f:
            f.truncate(start)
            f.seek(start)
            for c in op.stream(
                op.stub.ReadDocument,
                document_ops_pb2.ReadDocumentRequest(
                    document_id=m.document_id, origin=m.origin, version=m.version, offset=start
                ),
            ):
                f.write(c.data)
                bar.advance(task, len(c.data))
    digest = _sha256(part)
    if digest != m.content_sha256:
        part.unlink()
        raise MalformedInput(
            "the written file does not match the document's signed sha256; it was removed",
            hint="run the command again",
        )
    part.replace(out)
    if as_json:
        print_json(
            {
                "document_id": m.document_id,
                "origin": m.origin,
                "version": m.version,
                "size": m.size,
                "content_sha256": digest.hex(),
                "out": str(out),
            }
        )
    else:
        echo(f"wrote {out} ({m.size} bytes, sha256 verified)")


def _sha256(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1024 * 1024):
            h.update(block)
    return h.digest()
