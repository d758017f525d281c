"""Local hit / no-hit between real nodes: KZ publishes a subject by tokens only; KG checks its
own records (another spelling) against what it received. Names never leave the command.
The nodes run in-process (tests/inproc.py), and so does the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.inproc import InprocRegion, run_cli, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def test_hit_across_spellings_no_hit_for_others_and_batch(
    make_inproc_region: Callable[..., InprocRegion], tmp_path: Path
) -> None:
    region = make_inproc_region(("kz", "kg"))
    await region.start()
    kz, kg = region["kz"], region["kg"]
    rec = json.loads(
        await kz.cli(
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

    async def _cond1() -> bool:
        return bool(alert_id in await kg.versions("kz"))

    await wait_until(_cond1, 20, "kg to receive the alert")

    hit = json.loads(
        await kg.cli(
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
        await kg.cli(
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
        await kg.cli(
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
        await kg.cli(
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
    out = json.loads(await kg.cli("match", "batch", str(register), "--json"))
    assert (out["records"], out["checked"]) == (4, 3)
    assert sorted({h["ref"] for h in out["hits"]}) == ["KG-001", "KG-003"]
    # A row without a date of birth is not a "no hit": it is counted apart.
    assert [r["ref"] for r in out["not_checkable"]] == ["KG-004"]
    semicolons = tmp_path / "register-semicolons.csv"
    semicolons.write_text(register.read_text().replace(",", ";"))
    again = json.loads(await kg.cli("match", "batch", str(semicolons), "--json"))
    assert again["hits"] == out["hits"]
    nodob = await kg.cli("match", "--surname", "Akhmedov", "--given", "Khurshed", check=False)
    assert "not enough to match" in nodob and "Traceback" not in nodob
    person = json.dumps({"surname": "Akhmedov", "given": "Khurshed", "dob": "1990-05-01"})
    config = str(kg.config_path)
    proc = await run_cli(["match", "--person", "-", "--json", "-c", config], input=person)
    assert json.loads(proc.stdout)["hit"] is True, proc.stderr

    audit = json.dumps(
        json.loads(
            await kg.cli("audit", "list", "--event", "match.query", "--last", "50", "--json")
        )
    )
    for secret in ("Akhmedov", "Khurshed", "Valiev", "1990-05-01", "01.05.1990"):
        assert secret not in audit
    for t in tokens:  # no trace of the people checked: counts and alerts hit only
        assert t["value"][:16] not in audit
    for path in (kz.log_path, kg.log_path):
        assert "Ахмедов" not in path.read_text() and "Akhmedov" not in path.read_text()

    await kz.cli("alerts", "withdraw", alert_id, "--reason", "released in error")

    async def _cond2() -> bool:
        return bool((await kg.versions("kz")).get(alert_id, (0, False))[1])

    await wait_until(_cond2, 20, "the withdrawal")
    after = json.loads(
        await kg.cli(
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
