"""Shared CLI pieces: the --config option, JSON output, and the one way text reaches a terminal.

Much of what the CLI prints came from outside: a peer's alert summary, refusal reason or error
text, a revocation reason from a file, an argument. None of it may act on the terminal. So the
consoles read no markup, emoji codes or highlighting in what they print, every string they
render passes through `shown()`, and styled pieces are built with `styled()` / `assemble()`, which
pass their text through it too. `--json` output stays exact: the same strings, with those
characters as JSON escapes.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.text import Text

from exchange import config as config_mod
from exchange.config import NodeConfig
from exchange.errors import ConfigError, Error

F = TypeVar("F", bound=Callable[..., Any])

# What must not reach a terminal as it is: C0 and C1 controls and DEL (escape sequences, carriage
# return, bell), lone surrogates, line and paragraph separators, and the invisible or
# direction-changing format characters that make text read otherwise than it is (bidi marks,
# embeddings, overrides and isolates; zero-width space, word joiner, BOM, interlinear
# annotations, tag characters).
_BEYOND_ASCII = (
    (0x7F, 0x9F),  # DEL, C1 controls (0x9b is CSI)
    (0xD800, 0xDFFF),  # lone surrogates
    (0x061C, 0x061C),
    (0x200B, 0x200B),
    (0x200E, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2060),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0xE0000, 0xE007F),
)
_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def _class(*ranges: tuple[int, int]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges) + "]")


_ONE_LINE = _class((0x00, 0x1F), *_BEYOND_ASCII)
_MULTILINE = _class((0x00, 0x08), (0x0B, 0x1F), *_BEYOND_ASCII)
_JSON_UNSAFE = _class(*_BEYOND_ASCII)  # json.dumps escapes C0 itself


def _visible(m: re.Match[str]) -> str:
    cp = ord(m.group())
    if cp in _NAMED:
        return _NAMED[cp]
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def _json_escape(m: re.Match[str]) -> str:
    cp = ord(m.group())
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    v = cp - 0x10000
    return f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}"


def shown(value: object, *, multiline: bool = False) -> str:
    """Outside text as it may be shown: every unsafe character becomes a visible escape
    (ESC as \\x1b, RLO as \\u202e); newline and tab stay only when `multiline`."""
    return (_MULTILINE if multiline else _ONE_LINE).sub(_visible, str(value))


def styled(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """Outside text in a style, never read as markup."""
    return Text(shown(value, multiline=multiline), style=style)


def assemble(*parts: str | tuple[str, str]) -> Text:
    """One line from plain parts and (text, style) parts, each passed through shown()."""
    return Text.assemble(*(shown(p) if isinstance(p, str) else (shown(p[0]), p[1]) for p in parts))


class SafeConsole(Console):
    """A rich console for outside text: markup, emoji codes and highlighting are never read,
    and every string it renders (printed, a table cell, a title) passes through shown()."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs.update(markup=False, emoji=False)
        return super().render_str(shown(text, multiline=True), **kwargs)


console = SafeConsole()
err_console = SafeConsole(stderr=True)


def echo(text: str, *, err: bool = False) -> None:
    """click.echo for a line that may hold outside text."""
    click.echo(shown(text, multiline=True), err=err)


def json_mode(argv: list[str] | None = None) -> bool:
    """The command was asked for --json: its errors are JSON too, for the script reading it."""
    args = sys.argv[1:] if argv is None else argv
    return "--json" in args[: args.index("--")] if "--" in args else "--json" in args


def print_json_error(message: str, hint: str = "") -> None:
    """{"error": ..., "hint": ...} on stderr, one line, escaped as print_json escapes."""
    text = json.dumps({"error": message, "hint": hint}, ensure_ascii=False)
    click.echo(_JSON_UNSAFE.sub(_json_escape, text), err=True)


def show_click_error(exc: click.ClickException) -> None:
    """click's own error display (a usage error quotes the arguments given), shown safely."""
    if json_mode():
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f"see: {exc.ctx.command_path} --help"
        print_json_error(exc.format_message(), hint)
        return
    buf = io.StringIO()
    exc.show(file=buf)
    sys.stderr.write(shown(buf.getvalue(), multiline=True))


def print_error(exc: Error) -> None:
    """An error in one or two lines (message, then what to do); remote text shown safely."""
    if json_mode():
        print_json_error(exc.message, exc.hint or "")
        return
    hint = f"\n{shown(exc.hint)}" if exc.hint else ""
    click.echo(f"error: {shown(exc.message)}{hint}", err=True)


def config_option(fn: F) -> F:
    return click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(path_type=Path),
        envvar="EXCHANGE_CONFIG",
        help="Node config file (or set EXCHANGE_CONFIG), e.g. nodes/kz.toml.",
    )(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        fn
    )


def load_config(path: Path | None) -> NodeConfig:
    if path is None:
        raise ConfigError(
            "no node config given",
            hint="pass --config nodes/kz.toml (or set EXCHANGE_CONFIG)",
        )
    cfg = config_mod.load(path)
    override = os.environ.get("EXCHANGE_DATABASE_URL")
    if override:
        cfg = cfg.with_overrides(database_url=config_mod.normalize_db_url(override))
    return cfg


def print_json(data: Any) -> None:
    """Exact JSON; the characters shown() escapes are JSON escapes (structure is ASCII, so
    they only occur inside strings, which decode to the same text)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    click.echo(_JSON_UNSAFE.sub(_json_escape, text))
