"""Item kinds on the channel: one handler per kind, so delivery never switches on what an
entry carries.

A handler says what its kind is called, how its id and version are read and checked on
receipt, what our policy accepts of it, and what storing it (or its tombstone) does. Delivery
(`exchange.sync`) routes, orders, verifies and acknowledges entries whatever they carry, and
asks the registry for the handler of each. Adding a kind is: a `oneof` member in
`ChannelEntry`, a handler registered here, a migration for its tables, and its use cases.
"""

from exchange.items.base import Acceptance, ItemHandler, Parsed
from exchange.items.registry import HANDLERS, handler_for_item, handler_of, handler_of_entry

__all__ = [
    "HANDLERS",
    "Acceptance",
    "ItemHandler",
    "Parsed",
    "handler_for_item",
    "handler_of",
    "handler_of_entry",
]
