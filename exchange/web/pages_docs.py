"""Documents: browse by topic and language, search, and download (streamed from the node, with
its size given so the browser shows progress). Content the node does not hold yet is fetched
from its origin first (FetchDocument), then read."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from functools import cache
from importlib import resources

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange._proto.v1 import document_ops_pb2
from exchange.alerts import model
from exchange.documents import mediatype
from exchange.web import i18n, labels
from exchange.web.console import Ctx, page
from exchange.web.nodecall import NodeError
from exchange.web.pages_records import download

LIST_LIMIT = 100
LANGS = ("ru", "en", "kk", "ky", "tg", "uz", "sv", "bg")


@cache
def topic_labels() -> dict[str, dict[str, str]]:
    raw = resources.files("exchange.data.documents").joinpath("topics.json").read_text("utf-8")
    return dict(json.loads(raw)["topics"])


def topic_label(name: str) -> str:
    labels = topic_labels().get(name, {})
    return labels.get(i18n.CURRENT.get()) or labels.get("en") or name


@page("ListDocuments")
async def documents(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    topic = (q.get("topic") or "")[:48]
    lang = (q.get("language") or "")[:8]
    words = (q.get("q") or "").strip()[:200]
    if topic and topic not in topic_labels():
        topic = ""
    if lang and lang not in LANGS:
        lang = ""
    if words:
        resp = await ctx.call(
            "SearchDocuments",
            document_ops_pb2.SearchDocumentsRequest(words=words, limit=LIST_LIMIT),
        )
    else:
        resp = await ctx.call(
            "ListDocuments",
            document_ops_pb2.ListDocumentsRequest(topic=topic, language=lang, limit=LIST_LIMIT),
        )
    return ctx.render(
        "documents.html",
        docs=list(resp.documents),
        topics={k: topic_label(k) for k in sorted(topic_labels())},
        topic_label=topic_label,
        langs=LANGS,
        f={"topic": topic, "language": lang, "q": words},
    )


@page("ReadDocument")
async def download_document(request: Request, ctx: Ctx) -> Response:
    origin = request.path_params["origin"][:2]
    did = request.path_params["document_id"][:40]
    if not model.is_country(origin):
        raise NodeError(404, "no such document")
    got = await ctx.call(
        "GetDocument", document_ops_pb2.GetDocumentRequest(document_id=did, origin=origin)
    )
    if not got.versions:
        raise NodeError(404, "no such document")
    rec = got.versions[-1]
    if rec.content != "complete":
        await ctx.console.node.drain(
            "FetchDocument",
            document_ops_pb2.FetchDocumentRequest(document_id=did, origin=origin),
            ctx.token,
        )
    m = rec.manifest
    first, rest = await ctx.console.node.first_chunk(
        "ReadDocument",
        document_ops_pb2.ReadDocumentRequest(document_id=did, origin=origin, version=m.version),
        ctx.token,
    )
    name = f"{m.title[:80]}" + _extension(m.media_type)
    return ctx.finish(download(first, rest, name, m.media_type, m.size))


def _extension(media: str) -> str:
    return {
        "application/pdf": ".pdf",
        "text/plain": ".txt",
        "text/markdown": ".md",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    }.get(media, "")


MAX_UPLOAD = 64 << 20  # the console's bound; larger documents go through `exchange docs publish`
PIECE = 1 << 20


@page("PublishDocument")
async def publish_document(request: Request, ctx: Ctx) -> Response:
    topics = {k: topic_label(k) for k in sorted(topic_labels())}
    if request.method == "GET":
        return ctx.render("document_publish.html", topics=topics, langs=LANGS, problem="")
    if int(request.headers.get("content-length") or 0) > MAX_UPLOAD + 65536:
        raise NodeError(413, "the file is over 64 MiB; publish it with `exchange docs publish`")
    form = await request.form(max_files=1, max_fields=20, max_part_size=MAX_UPLOAD)
    sent = form.get("csrf")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, ctx.session.csrf):
        return ctx.render("error.html", 403, title="Form refused", err=None, csrf_refused=True)
    up = form.get("file")
    if not isinstance(up, UploadFile) or not up.filename:
        return ctx.render("document_publish.html", 400, topics=topics, langs=LANGS,
                          problem="choose a file")  # fmt: skip
    media = mediatype.for_name(up.filename)
    if not media:
        return ctx.render("document_publish.html", 400, topics=topics, langs=LANGS,
                          problem="this kind of file is not carried by the exchange")  # fmt: skip
    handling = {v: k for k, v in labels.HANDLING_CODES.items()}.get(str(form.get("handling")), 1)
    draft = document_ops_pb2.DocumentDraft(
        title=str(form.get("title", ""))[:200],
        topic=str(form.get("topic", ""))[:48],
        language=str(form.get("language", ""))[:8],
        summary=str(form.get("summary", ""))[:2000],
        handling=handling,  # type: ignore[arg-type]
        media_type=media,
        allow_pii_reason=str(form.get("allow_pii_reason", "")).strip()[:200],
    )
    upfile = up.file

    def uploads() -> Iterator[document_ops_pb2.DocumentUpload]:
        yield document_ops_pb2.DocumentUpload(draft=draft)
        upfile.seek(0)
        while piece := upfile.read(PIECE):
            yield document_ops_pb2.DocumentUpload(data=piece)

    try:
        rec = await ctx.console.node.upload("PublishDocument", uploads(), ctx.token)
    except NodeError as err:
        if err.status in (400, 409, 413):
            return ctx.render("document_publish.html", err.status, topics=topics, langs=LANGS,
                              problem=err.message)  # fmt: skip
        raise
    return ctx.redirect(f"/documents?q=&topic={rec.manifest.topic}")


ROUTES = [
    Route("/documents/publish", publish_document, methods=["GET", "POST"]),
    Route("/documents", documents),
    Route("/documents/{origin}/{document_id}/download", download_document),
]
