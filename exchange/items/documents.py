"""Best-practice documents: the third item kind, registered so the channel carries it.

Only the manifest's identity and routing fields are checked yet; our accept rule takes a
document only for a topic it lists (`document_topics`), so by default every document is
refused and its channel position kept. The document library (content by hash, chunks, versions,
translations, storage) builds on this handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from exchange import bounds
from exchange._proto.v1 import document_pb2
from exchange.errors import MalformedInput, NotPermitted
from exchange.items.base import Incoming, Parsed, Placing, Plan, refuse

MAX_TITLE = 300
TOPIC_RE = re.compile(r"[a-z][a-z0-9-]{0,47}")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}")  # BCP 47, as the region writes it
MAX_SIZE = 2**40


@dataclass(frozen=True)
class _Documents:
    kind: str = "document"
    member: str = "document"
    id_key: str = "document_id"
    schema: int = 2
    held_whole: bool = True

    def read(self, item: Message, caller: str, now: datetime) -> Parsed:
        if not isinstance(item, document_pb2.DocumentManifest):
            raise MalformedInput("not a document manifest")
        if not bounds.is_uuid7(item.document_id):
            raise MalformedInput("document_id is not a canonical UUIDv7")
        if p := bounds.version_problem(item.version):
            raise MalformedInput(f"document {p}")
        if item.origin != caller:
            raise NotPermitted("the document's origin differs from the entry's origin")
        if not item.HasField("issued_at"):
            raise MalformedInput("document has no issued_at time")
        if p := bounds.time_problem(item.issued_at, "issued_at", now=now, ahead_seconds=86400):
            raise MalformedInput(f"document {p}")
        if p := bounds.text_problem(item.title, "title", MAX_TITLE):
            raise MalformedInput(f"document {p}")
        if not TOPIC_RE.fullmatch(item.topic):
            raise MalformedInput("document topic is not a topic name")
        if not LANGUAGE_RE.fullmatch(item.language):
            raise MalformedInput("document language is not a BCP 47 tag")
        if len(item.content_sha256) != 32 or item.size > MAX_SIZE:
            raise MalformedInput("document content hash or size out of bounds")
        return Parsed(item.document_id, item.version, [("title", item.title)] if item.title else [])

    def place(self, plan: Plan, row: dict[str, Any], it: Incoming, ctx: Placing) -> None:
        topic = it.entry.document.topic
        if topic not in ctx.acceptance.document_topics:
            why = "document topic not accepted from this peer by our policy"
            refuse(plan, row, it, why, "document.refused_by_policy")
            return
        # Accepted by policy, but this node keeps no documents yet: the position stays.
        refuse(plan, row, it, "this node does not store documents yet", "document.refused")


DOCUMENTS = _Documents()
