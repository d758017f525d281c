"""The whole reference region, as `make demo` runs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_demo_tells_the_story_and_passes() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "exchange", "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for claim in (
        "KG and TJ verified and stored it",
        "SE, an observer, received nothing",
        "KG received more of it than TJ",
        "hit: KG's Latin spelling",
        "no hit for a different person",
        "TJ caught up with what its policy allows",
        "every node holds exactly the versions its policy allows",
        "demo passed: 11 checks",
    ):
        assert claim in out
