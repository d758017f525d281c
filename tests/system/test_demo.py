"""The whole reference region, as `make demo` runs it."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
DEMO_SOURCES = "".join(
    p.read_text() for p in (Path(__file__).parents[2] / "exchange").glob("demo*.py")
)


@pytest.mark.timeout(420)  # ~85 command lines, each a fresh `exchange` process: ~2 minutes
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
    # the console's address and a generated password, printed once; the console is stopped
    found = re.search(r"console \(stopped with the demo.*\): (http://127\.0\.0\.1:\d+)/", out)
    assert found, out[-2000:]
    pw = re.search(r"sign in as demo-officer \(officer\) with the password (\S{20,})", out)
    assert pw and pw.group(1) not in DEMO_SOURCES
    with pytest.raises(OSError):
        urllib.request.urlopen(found.group(1) + "/signin", timeout=2)
    for claim in (
        "KG and TJ verified and stored it",
        "SE, an observer, received nothing",
        "KG received more of it than TJ",
        "hit: KG's Latin spelling",
        "no hit for a different person",
        "TJ caught up with what its policy allows",
        "every node holds exactly the versions its policy allows",
        "bundle v1 carries its threshold of member signatures",
        "TJ signs with its new key, without a restart",
        "KZ and KG verified TJ's alert under its new key",
        "the revocation reached KZ and TJ over the channels",
        "KZ refused the forgery: signing key",
        "TJ refused the forgery: signing key",
        "KZ stored nothing and raised an alarm",
        "bundle v2 walked from KZ to KG, TJ and SE",
        "UZ verified and stored KZ's alert",
        "KZ's approver sees it pending, with its purpose and legal basis",
        "KG's officer opens it: the two fields and the attachment, under H2",
        "forwarding an H2 record is refused and audited at KG",
        "KZ's policy refuses TJ's request, with a reason TJ's officer sees",
        "the urgent request is due 12 hours after it was made",
        "SE holds the translation and the checklist",
        "TJ died mid-transfer (SIGKILL)",
        "after its restart TJ resumes and holds the whole handbook, verified",
        "every node lists exactly the documents its policy allows",
        "KG's console answers: the sign-in page, 200",
        "demo-officer signs in with the generated password",
        "the inbox lists the",
        "demo passed: 36 checks",
    ):
        assert claim in out
