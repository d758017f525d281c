"""The Operator service's document methods: adapters over exchange.app.documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeAlias

from exchange._proto.v1 import document_ops_pb2, document_pb2
from exchange.alerts.model import timestamp
from exchange.app import documents
from exchange.app.documents import DocumentView
from exchange.errors import Error
from exchange.node.status import abort

if TYPE_CHECKING:
    from exchange.node.runtime import Node

Ctx: TypeAlias = Any  # grpc.aio.ServicerContext; grpc ships no type information


def record(v: DocumentView) -> document_ops_pb2.DocumentRecord:
    r = document_ops_pb2.DocumentRecord(
        manifest=v.manifest,
        content=v.content,
        have_bytes=v.have_bytes,
        withdrawn=v.withdrawn,
        withdraw_reason=v.withdraw_reason,
        recipients=v.recipients,
        no_recipients_reason=v.no_recipients_reason,
        note=v.note,
    )
    if v.stored_at is not None:
        r.stored_at.CopyFrom(timestamp(v.stored_at))
    return r


class DocumentMethods:
    node: Node

    async def PublishDocument(
        self, request_iterator: AsyncIterator[document_ops_pb2.DocumentUpload], context: Ctx
    ) -> document_ops_pb2.DocumentRecord:
        try:
            return record(
                await documents.publish(self.node, request_iterator, self.node.clock.now())
            )
        except Error as err:
            await abort(context, err)

    async def ListDocuments(
        self, request: document_ops_pb2.ListDocumentsRequest, context: Ctx
    ) -> document_ops_pb2.ListDocumentsResponse:
        found = await documents.list_documents(
            self.node, request.origin, request.topic, request.language, request.limit
        )
        return document_ops_pb2.ListDocumentsResponse(documents=[record(v) for v in found])

    async def GetDocument(
        self, request: document_ops_pb2.GetDocumentRequest, context: Ctx
    ) -> document_ops_pb2.GetDocumentResponse:
        try:
            found = await documents.show(self.node, request.document_id, request.origin)
        except Error as err:
            await abort(context, err)
        return document_ops_pb2.GetDocumentResponse(versions=[record(v) for v in found])

    async def SearchDocuments(
        self, request: document_ops_pb2.SearchDocumentsRequest, context: Ctx
    ) -> document_ops_pb2.ListDocumentsResponse:
        try:
            found = await documents.search(self.node, request.words, request.limit)
        except Error as err:
            await abort(context, err)
        return document_ops_pb2.ListDocumentsResponse(documents=[record(v) for v in found])

    async def WithdrawDocument(
        self, request: document_ops_pb2.WithdrawDocumentRequest, context: Ctx
    ) -> document_ops_pb2.DocumentRecord:
        try:
            return record(
                await documents.withdraw(
                    self.node, request.document_id, request.reason, self.node.clock.now()
                )
            )
        except Error as err:
            await abort(context, err)

    async def FetchDocument(
        self, request: document_ops_pb2.FetchDocumentRequest, context: Ctx
    ) -> AsyncIterator[document_ops_pb2.DocumentProgress]:
        try:
            async for p in documents.fetch(
                self.node, request.document_id, request.origin, request.version
            ):
                yield p
        except Error as err:
            await abort(context, err)

    async def ReadDocument(
        self, request: document_ops_pb2.ReadDocumentRequest, context: Ctx
    ) -> AsyncIterator[document_pb2.ContentChunk]:
        try:
            async for c in documents.read(
                self.node, request.document_id, request.origin, request.version, request.offset
            ):
                yield c
        except Error as err:
            await abort(context, err)
