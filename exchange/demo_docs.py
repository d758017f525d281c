"""The demo's best-practice library: SE (an observer) publishes a guide in English, KZ its
Russian translation, KZ a security audit checklist that reaches SE by topic, and KG a larger
handbook whose transfer to TJ is cut by killing TJ and resumes after its restart. Every node
lists exactly the documents its policy allows."""

from __future__ import annotations

import json
import random
from pathlib import Path

from exchange.demo_story import Story
from exchange.localregion import LocalNode, LocalRegion

MiB = 1024 * 1024


def _file(root: Path, name: str, size: int) -> Path:
    path = root / name
    path.write_bytes(b"%PDF-1.7\n" + random.randbytes(size - 9))
    return path


def _listed(node: LocalNode) -> dict[str, str]:
    """Document id -> content state, as `docs list` shows them."""
    return {d["document_id"]: d["content"] for d in json.loads(node.cli("docs", "list", "--json"))}


def _publish(story: Story, node: LocalNode, path: Path, *args: str) -> str:
    out = story.run(node, "docs", "publish", str(path), "--json", *args)
    return str(json.loads(out)["document_id"])


def library(region: LocalRegion, story: Story) -> None:
    kz, kg, tj, se = region["kz"], region["kg"], region["tj"], region["se"]
    root = region.root / "library"
    root.mkdir(exist_ok=True)
    story.step("SE, an observer, publishes a practitioner's guide; KZ publishes its translation")
    guide = _publish(
        story, se, _file(root, "guide-en.pdf", 300_000),
        "--title", "Practitioner's guide to prisoner categorisation",
        "--topic", "assessment-categorisation", "--language", "en",
        "--summary", "Structured professional judgement at intake and review.",
        "--organisation", "Swedish Prison and Probation Service",
    )  # fmt: skip
    story.check("the guide reaches KZ", lambda: _listed(kz).get(guide) == "complete")
    ru = _publish(
        story, kz, _file(root, "guide-ru.pdf", 320_000),
        "--title", "Руководство по категоризации осуждённых",
        "--topic", "assessment-categorisation", "--language", "ru",
        "--translation-of", f"se/{guide}",
    )  # fmt: skip
    story.step("KZ publishes a security audit checklist; SE receives it by topic")
    checklist = _publish(
        story, kz, _file(root, "checklist.pdf", 120_000),
        "--title", "Контрольный лист аудита безопасности учреждения",
        "--topic", "security-audits", "--language", "ru", "--tags", "аудит,безопасность",
    )  # fmt: skip

    def at_se() -> bool:
        return {ru, checklist} <= {k for k, v in _listed(se).items() if v == "complete"}

    story.check("SE holds the translation and the checklist", at_se)
    story.step("KG publishes a 24 MiB handbook; TJ is killed during the transfer and restarts")
    tj.stop()
    tj.start(env={"EXCHANGE_FAULT": "crash-after-chunks:4"})
    handbook = _publish(
        story, kg, _file(root, "handbook.pdf", 24 * MiB),
        "--title", "Handbook: communication and surveillance technology",
        "--topic", "communication-surveillance", "--language", "en",
    )  # fmt: skip
    story.check("TJ died mid-transfer (SIGKILL)", lambda: tj.wait_exit(60) == -9, timeout=60)
    tj.start()
    story.check("after its restart TJ resumes and holds the whole handbook, verified",
                lambda: _listed(tj).get(handbook) == "complete", timeout=60)  # fmt: skip
    members = {guide, ru, checklist, handbook}
    story.check(
        "every node lists exactly the documents its policy allows (SE: no handbook on "
        "surveillance technology, a topic members keep to themselves)",
        lambda: (
            set(_listed(kz)) == set(_listed(kg)) == set(_listed(tj)) == members
            and set(_listed(se)) == {guide, ru, checklist}
        ),
    )
    found = json.loads(story.run(tj, "docs", "search", "категоризации", "--json"))
    story.check(
        "TJ finds the translation by a Russian word",
        lambda: [d["document_id"] for d in found] == [ru],
    )
