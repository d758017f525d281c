"""The demo's record requests: KG's liaison officer follows up a hit on a KZ alert with a
request (purpose, legal basis); KZ's approver releases two fields and a small file under H2;
KG's officer opens the sealed answer, and a forward to TJ is refused and audited; TJ's request
for the same record is refused by KZ's policy; an urgent request is due in 12 hours at KZ."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from exchange.demo_story import DemoFailed, Story, console
from exchange.localregion import LocalNode, LocalRegion

PURPOSE = "Risk assessment before the transfer"
LEGAL_BASIS = "Bilateral agreement of 2019, art. 4"


def _case(node: LocalNode, rid: str, *args: str) -> dict[str, Any]:
    """The request as `records list --json` shows it on node ({} while it is not there)."""
    for c in json.loads(node.cli("records", "list", *args, "--json")):
        if c["request_id"] == rid:
            return dict(c)
    return {}


def _request(story: Story, node: LocalNode, *how: str) -> str:
    out = story.run(node, "records", "request", *how, "--purpose", PURPOSE,
                    "--legal-basis", LEGAL_BASIS, "--json")  # fmt: skip
    return str(json.loads(out)["request_id"])


def record_requests(region: LocalRegion, story: Story, hit: dict[str, Any]) -> None:
    kz, kg, tj = region["kz"], region["kg"], region["tj"]
    root = region.root / "records"
    root.mkdir(exist_ok=True)
    alert = str(hit["alert_id"])

    story.step("KG's liaison officer follows up the hit with a record request to KZ")
    ref = f"{hit['origin']}:{alert}:{hit['matched'][0]}"
    rid = _request(story, kg, "--hit", ref)
    console.print(f"  request {rid}, a signed item on KG's channel to KZ")
    story.check(
        "KZ's approver sees it pending, with its purpose and legal basis",
        lambda: any(
            c["request_id"] == rid and c["purpose"] == PURPOSE and c["legal_basis"] == LEGAL_BASIS
            for c in json.loads(kz.cli("records", "pending", "--json"))
        ),
    )

    story.step("KZ's approver releases two fields and a small file, handling H2")
    record = root / "case-1187.json"
    record.write_text(json.dumps({"sentence": "8 years, art. 255", "risk_assessment": "high"}))
    attachment = root / "assessment.txt"
    attachment.write_text("Structured risk assessment: summary of findings.\n")
    story.run(kz, "records", "approve", rid, "--fields", "sentence,summary",
              "--record", str(record), "--attach", str(attachment), "--handling", "H2",
              "--json")  # fmt: skip
    console.print("  sealed to KG's node (ML-KEM-768 + X25519); risk_assessment stays at KZ")
    story.check("the answer reached KG", lambda: _case(kg, rid, "--out").get("state") == "answered")
    opened = json.loads(story.run(kg, "records", "open", rid, "--json"))
    story.check(
        "KG's officer opens it: the two fields and the attachment, under H2",
        lambda: (
            set(opened["record"]) == {"sentence", "summary"}
            and opened["record"]["sentence"] == "8 years, art. 255"
            and [a["name"] for a in opened["attachment_files"]] == ["assessment.txt"]
            and str(opened["handling"]).startswith("H2")
        ),
    )

    story.step("KG tries to forward the record to TJ")
    refusal = story.refused(kg, "records", "forward", rid, "--to", "tj")
    console.print(f"  {refusal.splitlines()[0] if refusal else ''}")
    trail = json.loads(story.run(kg, "audit", "list", "--request", rid, "--json"))
    story.check(
        "forwarding an H2 record is refused and audited at KG",
        lambda: "H2" in refusal and "record.forward_refused" in {e["event"] for e in trail},
    )

    story.step("TJ requests the same record from KZ")
    tj_rid = _request(story, tj, "--to", "kz", "--alert", alert)
    story.check(
        "KZ's policy refuses TJ's request, with a reason TJ's officer sees",
        lambda: (c := _case(tj, tj_rid)).get("state") == "refused" and bool(c.get("reason")),
    )
    console.print(f"  reason: {_case(tj, tj_rid)['reason']}")

    story.step("KG sends an urgent request: KZ's deadline is 12 hours, not 10 working days")
    urgent = _request(story, kg, "--to", "kz", "--alert", alert, "--urgent")

    def due_in_12_hours() -> bool:
        c = _case(kz, urgent, "--in")
        if c.get("state") != "queued":
            return False
        span = datetime.fromisoformat(c["due_at"]) - datetime.fromisoformat(c["requested_at"])
        return abs(span.total_seconds() - 12 * 3600) < 1 and 0 < c["seconds_left"] <= 43200

    story.check("the urgent request is due 12 hours after it was made", due_in_12_hours)
    c = _case(kz, urgent, "--in")
    if not c:
        raise DemoFailed("the urgent request is not listed at KZ")
    console.print(f"  at KZ: queued, due {c['due_at']} ({c['seconds_left'] // 60} minutes left)")
