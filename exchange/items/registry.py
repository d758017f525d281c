"""The item kinds this node knows, by kind and by ChannelEntry member."""

from __future__ import annotations

from google.protobuf.message import Message

from exchange._proto.v1 import channel_pb2
from exchange.errors import MalformedInput
from exchange.items.alerts import ALERTS, WITHDRAWALS
from exchange.items.base import ItemHandler
from exchange.items.documents import DOCUMENT_WITHDRAWALS, DOCUMENTS
from exchange.items.records import REQUESTS, RESPONSES

HANDLERS: tuple[ItemHandler, ...] = (
    ALERTS,
    WITHDRAWALS,
    DOCUMENTS,
    DOCUMENT_WITHDRAWALS,
    REQUESTS,
    RESPONSES,
)
_BY_KIND = {h.kind: h for h in HANDLERS}
_BY_MEMBER = {h.member: h for h in HANDLERS}


def _type_name(member: str) -> str:
    t = channel_pb2.ChannelEntry.DESCRIPTOR.fields_by_name[member].message_type
    assert t is not None, f"ChannelEntry.{member} is not a message"
    return t.full_name


_BY_TYPE = {_type_name(h.member): h for h in HANDLERS}


def handler_of(kind: str) -> ItemHandler:
    """The handler of a stored item kind."""
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise MalformedInput(f"unknown item kind {kind[:32]!r}") from None


def handler_of_entry(entry: channel_pb2.ChannelEntry) -> tuple[ItemHandler, Message]:
    """The handler of what an entry carries, and the item."""
    member = entry.WhichOneof("item")
    if member is None or member not in _BY_MEMBER:
        raise MalformedInput("entry carries no item")
    item: Message = getattr(entry, member)
    return _BY_MEMBER[member], item


def handler_for_item(item: Message) -> ItemHandler:
    """The handler of an item about to be put on a channel."""
    h = _BY_TYPE.get(item.DESCRIPTOR.full_name)
    if h is None:
        raise MalformedInput(f"no item kind carries {item.DESCRIPTOR.name}")
    return h
