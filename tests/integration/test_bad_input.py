"""Every command given bad input: one or two lines that say what to do, never a traceback.

No node runs here: each of these inputs must be refused before anything is sent or written.
The CLI runs in-process (tests/inproc.py: run_cli_sync).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from exchange.node import matchkey
from tests.inproc import run_cli_sync

pytestmark = pytest.mark.integration

CP1251 = "Карагандинская область".encode("cp1251")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`exchange ARGS` from cwd, in-process (the same main() and its error handling, under
    click's CliRunner): no node is needed, so no process either."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return run_cli_sync(args)  # type: ignore[no-any-return]
    finally:
        os.chdir(old)


def _config(tmp: Path, extra: str = "") -> Path:
    matchkey.generate(tmp / "region.key")
    path = tmp / "kz.toml"
    path.write_text(
        f'country = "kz"\nstate_dir = "state"\nmatching_key = "region.key"\n{extra}',
        encoding="utf-8",
    )
    return path


def _fifo(tmp: Path) -> Path:
    """A named pipe where a file is expected: reading it would wait for a writer forever."""
    path = tmp / "kz.toml"
    os.mkfifo(path)
    return path


def _write(tmp: Path, name: str, data: bytes | str) -> Path:
    path = tmp / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# (what, how to make the command line from a temp dir, text the error must contain)
CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    ("config is a folder", lambda t: ["status", "--config", str(t)], "is a folder"),
    ("config is a pipe", lambda t: ["status", "--config", str(_fifo(t))], "not a regular file"),
    (
        "config in cp1251",
        lambda t: ["status", "-c", str(_write(t, "c.toml", b'country = "kz"\nname = "' + CP1251))],
        "not UTF-8",
    ),
    (
        "config that is not TOML",
        lambda t: ["status", "-c", str(_write(t, "c.toml", "country = kz"))],
        "not valid TOML",
    ),
    (
        "misspelt database_url",
        lambda t: ["init", "-c", str(_config(t, 'database_url = "postgersql://u@h/db"\n'))],
        "database_url",
    ),
    (
        "listen without a port",
        lambda t: ["status", "-c", str(_config(t, 'listen = "127.0.0.1"\n'))],
        "host:port",
    ),
    (
        "listen with a port out of range",
        lambda t: ["status", "-c", str(_config(t, 'listen = "127.0.0.1:70000"\n'))],
        "host:port",
    ),
    (
        "negative limit in the config",
        lambda t: ["status", "-c", str(_config(t, "[limits]\nmax_batch_entries = -1\n"))],
        "positive",
    ),
    (
        "alerts list --limit -1",
        lambda t: ["alerts", "list", "--limit", "-1", "-c", str(_config(t))],
        "--limit",
    ),
    (
        "audit list --last -1",
        lambda t: ["audit", "list", "--last", "-1", "-c", str(_config(t))],
        "--last",
    ),
    (
        "peers add --address HOST",
        lambda t: ["peers", "add", "kg", "--address", "kg-node", "-c", str(_config(t))],
        "host:port",
    ),
    (
        "alert file in cp1251",
        lambda t: [
            "alerts",
            "publish",
            "--file",
            str(_write(t, "a.toml", b'summary = "' + CP1251 + b'"\n')),
            "-c",
            str(_config(t)),
        ],
        "not UTF-8",
    ),
    (
        "alert JSON in cp1251",
        lambda t: [
            "alerts",
            "publish",
            "--file",
            str(_write(t, "a.json", b'{"summary": "' + CP1251 + b'"}')),
            "-c",
            str(_config(t)),
        ],
        "not UTF-8",
    ),
    (
        "a 10 MB alert file",
        lambda t: [
            "alerts",
            "publish",
            "--file",
            str(_write(t, "a.toml", 'summary = "' + "x" * 10_000_000 + '"\n')),
            "-c",
            str(_config(t)),
        ],
        "at most",
    ),
    (
        "alert file that is a folder",
        lambda t: ["alerts", "publish", "--file", str(t), "-c", str(_config(t))],
        "is a folder",
    ),
    (
        "negative birth year in an alert file",
        lambda t: [
            "alerts",
            "publish",
            "--file",
            str(_write(t, "a.toml", "[subject]\nbirth_year = -5\n")),
            "-c",
            str(_config(t)),
        ],
        "birth_year",
    ),
    (
        "--birth-year -5",
        lambda t: ["alerts", "publish", "--birth-year", "-5", "-c", str(_config(t))],
        "--birth-year",
    ),
    (
        "policy in cp1251",
        lambda t: ["policy", "check", str(_write(t, "p.toml", b'country = "' + CP1251 + b'"'))],
        "not UTF-8",
    ),
    (
        "register CSV in cp1251",
        lambda t: [
            "match",
            "batch",
            str(_write(t, "r.csv", b"ref,surname,given\n1," + CP1251 + b",x\n")),
            "-c",
            str(_config(t)),
        ],
        "not UTF-8",
    ),
    (
        "register that does not exist",
        lambda t: ["match", "batch", str(t / "missing.csv"), "-c", str(_config(t))],
        "does not exist",
    ),
    (
        "an unknown register encoding",
        lambda t: [
            "match",
            "batch",
            str(_write(t, "r.csv", "ref,surname,given\n")),
            "--encoding",
            "klingon",
            "-c",
            str(_config(t)),
        ],
        "encoding",
    ),
]


@pytest.mark.parametrize(("what", "argv", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_error(
    tmp_path: Path, what: str, argv: Callable[[Path], list[str]], needle: str
) -> None:
    proc = run(tmp_path, *argv(tmp_path))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"{what}: accepted\n{out}"
    assert "Traceback" not in out, f"{what}:\n{out}"
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, f"{what}:\n{proc.stderr}"
    assert needle in proc.stderr, f"{what}:\n{proc.stderr}"
    assert not (tmp_path / "state").exists(), f"{what}: wrote a state dir"


def test_init_with_an_unreachable_database_leaves_nothing_and_a_rerun_works(
    tmp_path: Path,
) -> None:
    """init checks the database before it writes a key: a failed init is simply rerun."""
    cfg = _config(tmp_path, 'database_url = "postgresql://postgres@127.0.0.1:1/nope"\n')
    failed = run(tmp_path, "init", "-c", str(cfg))
    assert failed.returncode != 0
    assert "cannot open the database" in failed.stderr, failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (tmp_path / "state").exists()  # no keys, no folder

    cfg.write_text(
        cfg.read_text().replace('database_url = "postgresql://postgres@127.0.0.1:1/nope"\n', "")
    )
    again = run(tmp_path, "init", "-c", str(cfg))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "state" / "node.db").exists()
    assert "initialised the kz node" in again.stdout


def test_init_keeps_an_existing_state_dir_it_did_not_make(tmp_path: Path) -> None:
    """A state dir the operator made beforehand (with other files) is not removed on failure."""
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "README").write_text("mine")
    cfg = _config(tmp_path, 'database_url = "postgresql://postgres@127.0.0.1:1/nope"\n')
    assert run(tmp_path, "init", "-c", str(cfg)).returncode != 0
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["README"]
