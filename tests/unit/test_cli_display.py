"""Outside text on the terminal: shown as text, never acting as markup or control sequences."""

from __future__ import annotations

import io
import json
import re
import sys
import unicodedata

import pytest
from rich.table import Table

from exchange.cli.alerts import _fields
from exchange.cli.common import (
    SafeConsole,
    assemble,
    print_error,
    print_json,
    shown,
    styled,
)
from exchange.cli.main import main
from exchange.errors import MalformedInput

MARKUP = "[bold red]VERIFIED[/] [/] :warning:"
CONTROLS = "\x1b[2J\x1b]0;title\x07\rX\x9b1m\x7f\x00"
BIDI = "\u202eevil\u202c \u2066iso\u2069 \u200f"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour codes rich itself writes


def test_markup_and_emoji_codes_are_text() -> None:
    assert shown(MARKUP) == MARKUP


def test_ansi_escapes_and_carriage_return_made_visible() -> None:
    assert shown(CONTROLS) == "\\x1b[2J\\x1b]0;title\\x07\\rX\\x9b1m\\x7f\\x00"


def test_bidi_controls_made_visible() -> None:
    assert shown(BIDI) == "\\u202eevil\\u202c \\u2066iso\\u2069 \\u200f"


def test_line_breaks_only_where_allowed() -> None:
    text = "a\nb\tc\u2028d"
    assert shown(text) == "a\\nb\\tc\\u2028d"
    assert shown(text, multiline=True) == "a\nb\tc\\u2028d"


def test_lone_surrogate_and_tag_characters_made_visible() -> None:
    assert shown("x\ud800y\U000e0041") == "x\\ud800y\\U000e0041"


def test_every_control_separator_and_bidi_character_made_visible() -> None:
    """All of Unicode: controls, surrogates, line/paragraph separators and every bidi
    embedding, override, isolate and mark are escaped; printable characters are not."""
    bidi = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
    for cp in range(0x110000):
        ch = chr(cp)
        unsafe = (
            unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")
            or unicodedata.bidirectional(ch) in bidi
            or cp in (0x061C, 0x200E, 0x200F)
        )
        if unsafe:
            assert shown(ch) != ch and shown(ch).isprintable(), hex(cp)
        elif ch.isprintable():
            assert shown(ch) == ch, hex(cp)


def test_ordinary_text_unchanged_and_idempotent() -> None:
    text = "Перевод в СИЗО-1, Алматы; Қарағанды — ok ✓ 🙂 [x] \\x1b"
    assert shown(text) == text
    hostile = MARKUP + CONTROLS + BIDI
    assert shown(shown(hostile)) == shown(hostile)


def _console(terminal: bool = False) -> tuple[SafeConsole, io.StringIO]:
    buf = io.StringIO()
    if terminal:
        return SafeConsole(file=buf, width=300, force_terminal=True, color_system="256"), buf
    return SafeConsole(file=buf, width=300), buf


def test_console_prints_markup_literally_everywhere() -> None:
    """Printed strings, table cells, headers and rule titles: never parsed, never an error."""
    console, buf = _console()
    hostile = MARKUP + CONTROLS + BIDI
    console.print(hostile)
    table = Table("peer", hostile)
    table.add_row(hostile, styled(hostile, "red"))
    console.print(table)
    console.rule(hostile)
    console.print(assemble(("ALARM", "bold red"), " ", hostile))
    out = buf.getvalue()
    assert out.count(MARKUP) == 6
    assert out.count(shown(CONTROLS + BIDI)) == 6
    for raw in ("\x1b", "\x07", "\r", "\x9b", "\u202e", "\u2066", "\x00"):
        assert raw not in out


def test_console_on_a_terminal_keeps_our_styles_only() -> None:
    console, buf = _console(terminal=True)
    console.print(assemble(("ALARM", "bold red"), " ", "\x1b[2J" + MARKUP))
    console.print(styled("down", "red"), "\x1b]0;x\x07")
    out = buf.getvalue()
    assert SGR.search(out), "our own styling is gone"
    assert "\x1b" not in SGR.sub("", out) and "\x07" not in out
    assert "\\x1b[2J" + MARKUP in SGR.sub("", out)


def test_json_output_exact_with_controls_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    data = {"summary": MARKUP + CONTROLS + BIDI + "\ud800\U000e0041 Қарағанды 🙂"}
    print_json(data)
    out = capsys.readouterr().out
    assert json.loads(out) == data
    for raw in ("\x1b", "\x9b", "\x7f", "\u202e", "\u200f", "\ud800", "\U000e0041"):
        assert raw not in out
    assert "Қарағанды 🙂" in out  # readable text stays readable


def test_error_lines_show_remote_text_safely(capsys: pytest.CaptureFixture[str]) -> None:
    print_error(MalformedInput("peer said [/] \x1b[2J\nfake line", hint="[bold]x\u202e"))
    err = capsys.readouterr().err
    assert err == "error: peer said [/] \\x1b[2J\\nfake line\n[bold]x\\u202e\n"


def _run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["exchange", *args])
    with pytest.raises(SystemExit) as info:
        main()
    return int(info.value.code or 0)


def test_error_quoting_an_argument_shows_it_safely(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An Error whose message quotes a path given (`cannot read PATH`)."""
    code = _run_main(monkeypatch, "keys", "bundle", "show", "/nonexistent/\x1b[31m[/]\u202e")
    err = capsys.readouterr().err
    assert code == 1
    assert "/nonexistent/\\x1b[31m[/]\\u202e" in err
    assert "\x1b" not in err and "\u202e" not in err


def test_usage_error_quoting_an_option_shows_it_safely(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run_main(monkeypatch, "status", "--bogus\x1b[2J\u202e")
    err = capsys.readouterr().err
    assert code == 2
    assert "No such option" in err and "--bogus\\x1b[2J\\u202e" in err
    assert "\x1b" not in err and "\u202e" not in err


def test_alert_field_with_line_breaks_cannot_pass_for_another_field() -> None:
    """A summary that tries to print a fake `risk: low` line stays in the value column."""
    console, buf = _console()
    subject = {"tokens": [], "birth_year": None, "sex": None, "nationality": None}
    fake = "escape\n              risk: low\n[/]"
    console.print(_fields({"summary": fake, "references": [], "subject": subject}))
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("           summary: escape")
    assert lines[1].startswith(" " * 20) and "risk: low" in lines[1]
    assert lines[2].strip() == "[/]"
