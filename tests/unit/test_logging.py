"""A peer's text in a log message cannot forge or hide log lines."""

from __future__ import annotations

import logging

from exchange.node.serve import SafeFormatter


def test_peer_text_in_a_log_message_cannot_forge_lines() -> None:
    fmt = SafeFormatter("%(levelname)s %(message)s")
    hostile = "bad entry\n2026-12-02 kz INFO exchange.node: all good\x1b[2K\u202eevil"
    record = logging.LogRecord(
        "exchange", logging.ERROR, __file__, 1, "refused: %s", (hostile,), None
    )
    out = fmt.format(record)
    assert "\n" not in out and "\x1b" not in out and "\u202e" not in out
    assert out == (
        "ERROR refused: bad entry\\n2026-12-02 kz INFO exchange.node: all good\\x1b[2K\\u202eevil"
    )
