"""`exchange pii check`: exit 0 when publish would accept, 1 when it would refuse, 2 on misuse;
findings shown masked, never the text."""

from __future__ import annotations

import json

from click.testing import CliRunner

from exchange.cli.main import cli


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["pii", "check", *args], input=stdin)
    return result.exit_code, result.output


def test_clean_text_exits_0() -> None:
    code, out = run("Release from facility 3; risk high.")
    assert code == 0 and "accept" in out


def test_personal_data_exits_1_and_is_masked() -> None:
    code, out = run("Transfer of Ivanov Ivan to Karaganda.")
    assert code == 1
    assert "name at chars 12-23" in out
    assert "Ivanov" not in out


def test_json_and_stdin() -> None:
    code, out = run("--json", "--field", "action", "-", stdin="Called +7 701 123 45 67 twice.\n")
    assert code == 1
    data = json.loads(out)
    assert data["accept"] is False and data["field"] == "action"
    assert [f["kind"] for f in data["findings"]] == ["phone"]
    assert "701" not in out


def test_oversized_input_is_a_usage_error_without_traceback() -> None:
    code, out = run("-", stdin="x" * 9000)
    assert code == 2 and "over 8000" in out and "Traceback" not in out


def test_bad_field_name_refused() -> None:
    code, out = run("--field", "a b; rm", "text")
    assert code == 2 and "--field" in out
