"""`exchange pii check`: run the personal-data guard on one text, as publish would, offline.

Why: national systems and reviewers can check a summary before it reaches a node. Exit 0 when
publish would accept the text, 1 when it would refuse it, 2 on a usage error. Findings are
shown by kind and position with a masked preview (first and last letter), never the text.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from exchange.alerts.pii import find_pii
from exchange.bounds import text_problem
from exchange.cli.common import echo, json_option, print_json

MAX_TEXT = 8000  # characters: a summary is at most 1000; a reviewer may paste several fields


def _mask(excerpt: str) -> str:
    """First and last character only: enough to find the span, not to read it back."""
    if len(excerpt) <= 2:
        return "*" * len(excerpt)
    return excerpt[0] + "*" * min(len(excerpt) - 2, 20) + excerpt[-1]


@click.group()
def pii() -> None:
    """The personal-data guard, without a node."""


@pii.command("check")
@click.argument("text", metavar="TEXT|-")
@click.option("--field", default="summary", show_default=True, help="Field name for the report.")
@json_option
def check(text: str, field: str, as_json: bool) -> None:
    """Exit 0 if publish would accept TEXT, 1 if it would refuse it (- reads standard input)."""
    if text == "-":
        text = sys.stdin.read(MAX_TEXT + 1)
    if len(text) > MAX_TEXT:
        raise click.UsageError(f"the text is over {MAX_TEXT} characters")
    if len(field) > 40 or not field.replace("_", "").replace("-", "").isalnum():
        raise click.UsageError("--field must be a short name such as summary")
    if problem := text_problem(text, field, MAX_TEXT, multiline=True):
        raise click.UsageError(problem)
    found = find_pii(text, datetime.now(UTC).date())
    if as_json:
        print_json(
            {
                "field": field,
                "accept": not found,
                "findings": [{"kind": f.kind, "start": f.start, "end": f.end} for f in found],
            }
        )
    elif not found:
        echo(f"{field}: no personal data found; publish would accept it")
    else:
        echo(f"{field}: publish would refuse it ({len(found)} finding(s))")
        for f in found:
            echo(f"  {f.kind} at chars {f.start}-{f.end}: {_mask(f.excerpt)}")
    sys.exit(1 if found else 0)
