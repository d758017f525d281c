"""Local hit / no-hit between real nodes: KZ publishes a subject by tokens only; KG checks its
own records (another spelling) against what it received. Names never leave the command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from exchange.localregion import LocalRegion, wait_for

pytestmark = pytest.mark.integration


def test_hit_across_spellings_no_hit_for_others_and_batch(
    make_region: Callable[..., LocalRegion], tmp_path: Path
) -> None:
    region = make_region(("kz", "kg"))
    region.start()
    kz, kg = region["kz"], region["kg"]
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
            "H1",
            "--surname",
            "Ахмедов",
            "--given",
            "Хуршед",
            "--dob",
            "1990-05-01",
            "--sex",
            "m",
            "--summary",
            "Release after sentence; intends to travel south.",
        )
    )
    alert_id = rec["alert_id"]
    assert rec["subject"]["birth_year"] == 1990 and len(rec["subject"]["tokens"]) >= 3
    wait_for(lambda: alert_id in kg.versions("kz"), 20, "kg to receive the alert")

    hit = json.loads(
        kg.cli(
            "match",
            "--surname",
            "Akhmedov",
            "--given",
            "Khurshed",
            "--dob",
            "01.05.1990",
            "--sex",
            "m",
            "--json",
        )
    )
    assert hit["hit"] is True
    [h] = hit["hits"]
    assert h["alert_id"] == alert_id and "name-dob" in h["matched"]
    miss = json.loads(
        kg.cli(
            "match",
            "--surname",
            "Mukhamedov",
            "--given",
            "Khurshed",
            "--dob",
            "1991-05-01",
            "--sex",
            "m",
            "--json",
        )
    )
    assert miss == {"hit": False, "hits": []}
    # same given name and full date of birth: a "given-dob" lead (surnames change), not more
    lead = json.loads(
        kg.cli(
            "match",
            "--surname",
            "Mukhamedov",
            "--given",
            "Khurshed",
            "--dob",
            "1990-05-01",
            "--sex",
            "m",
            "--json",
        )
    )
    assert [h["matched"] for h in lead["hits"]] == [["given-dob"]]

    tokens = json.loads(
        kg.cli(
            "match",
            "tokens",
            "--surname",
            "Ахмедов",
            "--given",
            "Хуршед",
            "--dob",
            "1990-05-01",
            "--sex",
            "m",
            "--json",
        )
    )
    assert {t["kind"] for t in tokens} >= {"name-dob", "name-year-sex"}

    register = tmp_path / "register.csv"
    register.write_text(
        "ref,surname,given,patronymic,dob,sex\n"
        "KG-001,Ahmedov,Hurshed,,1990,m\n"
        "KG-002,Valiev,Anvar,,1985-02-02,m\n"
        "KG-003,Axmedov,Xurshed,,1990-05-01,m\n"
        "KG-004,Ivanov,Ivan,,,m\n"
    )
    out = json.loads(kg.cli("match", "batch", str(register), "--json"))
    assert (out["records"], out["checked"]) == (4, 3)
    assert sorted({h["ref"] for h in out["hits"]}) == ["KG-001", "KG-003"]
    # A row without a date of birth is not a "no hit": it is counted apart.
    assert [r["ref"] for r in out["not_checkable"]] == ["KG-004"]
    semicolons = tmp_path / "register-semicolons.csv"
    semicolons.write_text(register.read_text().replace(",", ";"))
    again = json.loads(kg.cli("match", "batch", str(semicolons), "--json"))
    assert again["hits"] == out["hits"]
    nodob = kg.cli("match", "--surname", "Akhmedov", "--given", "Khurshed", check=False)
    assert "not enough to match" in nodob and "Traceback" not in nodob
    person = json.dumps({"surname": "Akhmedov", "given": "Khurshed", "dob": "1990-05-01"})
    config = str(kg.config_path)
    proc = subprocess.run(
        [sys.executable, "-m", "exchange", "match", "--person", "-", "--json", "-c", config],
        input=person,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(proc.stdout)["hit"] is True, proc.stderr

    audit = json.dumps(
        json.loads(kg.cli("audit", "list", "--event", "match.query", "--last", "50", "--json"))
    )
    for secret in ("Akhmedov", "Khurshed", "Valiev", "1990-05-01", "01.05.1990"):
        assert secret not in audit
    for t in tokens:  # no trace of the people checked: counts and alerts hit only
        assert t["value"][:16] not in audit
    for path in (kz.log_path, kg.log_path):
        assert "Ахмедов" not in path.read_text() and "Akhmedov" not in path.read_text()

    kz.cli("alerts", "withdraw", alert_id, "--reason", "released in error")
    wait_for(lambda: kg.versions("kz").get(alert_id, (0, False))[1], 20, "the withdrawal")
    after = json.loads(
        kg.cli(
            "match",
            "--surname",
            "Akhmedov",
            "--given",
            "Khurshed",
            "--dob",
            "1990-05-01",
            "--sex",
            "m",
            "--json",
        )
    )
    assert after["hit"] is False  # a withdrawn alert no longer hits
