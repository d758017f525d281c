"""What a person sees when a command fails: one or two clear lines, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from exchange.localregion import LocalRegion

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def region() -> Iterator[LocalRegion]:
    root = Path(tempfile.mkdtemp(prefix="ex-"))
    r = LocalRegion(root, ("kz", "kg"))
    try:
        r.start(pair=False)
        yield r
    finally:
        r.stop()
        shutil.rmtree(root, ignore_errors=True)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exchange", *args], capture_output=True, text=True, timeout=60
    )


def assert_clean_failure(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def test_unknown_country(region: LocalRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    proc = run(
        "peers",
        "add",
        "xx1",
        "--address",
        kg.address,
        "--fingerprint",
        kg.fingerprint,
        "-c",
        str(kz.config_path),
    )
    assert_clean_failure(proc, "unknown country")


def test_fingerprint_mismatch(region: LocalRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    wrong = "ab" * 32
    proc = run(
        "peers",
        "add",
        "kg",
        "--address",
        kg.address,
        "--fingerprint",
        wrong,
        "-c",
        str(kz.config_path),
    )
    assert_clean_failure(proc, "fingerprint mismatch")
    assert "kg" not in kz.cli("peers", "list", "--json")


def test_wrong_country_for_address(region: LocalRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    proc = run(
        "peers",
        "add",
        "tj",
        "--address",
        kg.address,
        "--fingerprint",
        kg.fingerprint,
        "-c",
        str(kz.config_path),
    )
    assert_clean_failure(proc, "not a node of 'tj'")


def test_peer_unreachable(region: LocalRegion) -> None:
    kz, kg = region["kz"], region["kg"]
    proc = run(
        "peers",
        "add",
        "kg",
        "--address",
        "127.0.0.1:1",
        "--fingerprint",
        kg.fingerprint,
        "-c",
        str(kz.config_path),
    )
    assert_clean_failure(proc, "peer unreachable")


def test_malformed_alert_file(region: LocalRegion, tmp_path: Path) -> None:
    bad = tmp_path / "alert.toml"
    bad.write_text('category = "escape"\nrisk = \n')
    proc = run("alerts", "publish", "--file", str(bad), "-c", str(region["kz"].config_path))
    assert_clean_failure(proc, "not valid TOML")
    named = tmp_path / "named.toml"
    named.write_text(
        'category = "escape"\nrisk = "high"\nhandling = "H0"\n[subject]\nname = "Someone"\n'
    )
    proc = run("alerts", "publish", "--file", str(named), "-c", str(region["kz"].config_path))
    assert_clean_failure(proc, "unknown subject field 'name'", "no names")
    assert region["kz"].versions() == {}


def test_unknown_category(region: LocalRegion) -> None:
    proc = run(
        "alerts",
        "publish",
        "--category",
        "riot",
        "--risk",
        "high",
        "--handling",
        "H0",
        "-c",
        str(region["kz"].config_path),
    )
    assert_clean_failure(proc, "unknown category 'riot'", "release-notice")


def test_missing_fields_refused_by_node(region: LocalRegion) -> None:
    proc = run("alerts", "publish", "--summary", "no category", "-c", str(region["kz"].config_path))
    assert_clean_failure(proc, "category is missing")
    assert region["kz"].versions() == {}


def test_node_not_running(tmp_path: Path) -> None:
    cfg = tmp_path / "uz.toml"
    cfg.write_text(f'country = "uz"\nstate_dir = "{tmp_path / "uz"}"\n')
    proc = run("status", "-c", str(cfg))
    assert_clean_failure(proc, "not running", "exchange serve")


def test_stale_socket_after_a_crash_says_not_running(tmp_path: Path) -> None:
    """A node killed hard leaves operator.sock behind: the CLI says the node is not running,
    not the raw gRPC connection error."""
    import socket

    state = tmp_path / "uz"
    state.mkdir()
    cfg = tmp_path / "uz.toml"
    cfg.write_text(f'country = "uz"\nstate_dir = "{state}"\n')
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(state / "operator.sock"))
    stale.close()  # the file stays, nothing listens
    proc = run("status", "-c", str(cfg))
    assert_clean_failure(proc, "not running", "exchange serve")
    assert "failed to connect" not in proc.stderr


def test_missing_config() -> None:
    proc = run("status", "-c", "/nonexistent/kz.toml")
    assert_clean_failure(proc, "does not exist")


def test_serve_without_init(tmp_path: Path) -> None:
    cfg = tmp_path / "uz.toml"
    cfg.write_text(f'country = "uz"\nstate_dir = "{tmp_path / "uz"}"\n')
    proc = run("serve", "-c", str(cfg))
    assert_clean_failure(proc, "exchange init")


def test_unknown_alert(region: LocalRegion) -> None:
    proc = run(
        "alerts",
        "show",
        "0190a0a0-0000-7000-8000-000000000000",
        "-c",
        str(region["kz"].config_path),
    )
    assert_clean_failure(proc, "no alert")


def test_publish_from_toml_and_json_files(region: LocalRegion, tmp_path: Path) -> None:
    """The documented example file publishes as written; a JSON file does too."""
    import json

    kz = region["kz"]
    example = Path(__file__).resolve().parents[2] / "examples" / "alert.toml"
    rec = json.loads(kz.cli("alerts", "publish", "--json", "--file", str(example)))
    assert rec["category"] == "release-notice" and rec["subject"]["birth_year"] == 1987
    assert rec["accuracy"] == "2" and rec["valid_until"].startswith("2027-06-30")
    as_json = tmp_path / "alert.json"
    as_json.write_text(json.dumps({"category": "escape", "risk": "critical", "handling": "H0"}))
    rec2 = json.loads(kz.cli("alerts", "publish", "--json", "--file", str(as_json)))
    assert rec2["category"] == "escape"
    shown = json.loads(kz.cli("alerts", "show", rec["alert_id"], "--json"))
    assert [v["version"] for v in shown] == [1]


def test_summary_with_personal_data_refused_unless_overridden(region: LocalRegion) -> None:
    """A name or an IIN in the summary is refused with the span shown; --allow-pii publishes
    it and audits the kinds found and the reason, never the text."""
    import json

    kz = region["kz"]
    before = kz.versions()
    for summary, needle in (
        ("Released: Akhmedov Sherzod Rustamovich, travelling south.", "personal name"),
        ("Prisoner IIN 870412350123 transferred.", "870412350123"),
    ):
        proc = run(
            "alerts",
            "publish",
            "--category",
            "release-notice",
            "--risk",
            "high",
            "--handling",
            "H0",
            "--summary",
            summary,
            "-c",
            str(kz.config_path),
        )
        assert_clean_failure(proc, needle, "--allow-pii")
    assert kz.versions() == before
    rec = json.loads(
        kz.cli(
            "alerts",
            "publish",
            "--json",
            "--category",
            "release-notice",
            "--risk",
            "high",
            "--handling",
            "H0",
            "--summary",
            "Prisoner IIN 870412350123 transferred.",
            "--allow-pii",
            "court order 12/2026",
        )
    )
    events = json.loads(kz.cli("audit", "list", "--event", "alert.pii_override", "--json"))
    [detail] = [e["detail"] for e in events if e["detail"]["alert_id"] == rec["alert_id"]]
    assert detail["reason"] == "court order 12/2026" and detail["kinds"] == {"summary": ["iin"]}
    assert "870412350123" not in json.dumps(events)


def test_policy_refusals_as_a_user_sees_them(region: LocalRegion, tmp_path: Path) -> None:
    """An invalid policy file names the line and the key; a peer no rule names gets nothing."""
    import json

    bad = tmp_path / "kz.policy.toml"
    bad.write_text(
        'country = "kz"\n[[share]]\nto = "kg"\ncategories = ["*"]\n'
        'max_handling = "H5"\nfields = []\n'
    )
    proc = run("policy", "check", str(bad))
    assert_clean_failure(proc, "line 5", "max_handling must be H0, H1, H2 or H3")
    kz = region["kz"]
    rec = json.loads(
        kz.cli(
            "alerts",
            "publish",
            "--json",
            "--category",
            "escape",
            "--risk",
            "high",
            "--handling",
            "H0",
        )
    )
    out = json.loads(
        kz.cli("policy", "explain", "--peer", "uz", "--alert", rec["alert_id"], "--json")
    )
    assert out["send"] is False and "default deny" in out["lines"][0]
