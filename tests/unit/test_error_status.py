"""The gRPC status every error is sent with, now given by the shell: each class in the error
trees drawn in the docstrings of exchange.errors and exchange.trust.errors keeps the status
shown there, and the errors outside those trees keep theirs."""

from __future__ import annotations

import re

import grpc
import pytest

from exchange import errors
from exchange.audit import AuditBroken
from exchange.audit_witness import AuditRewritten, WitnessRefused
from exchange.errors import Error, MalformedInput, Refusals
from exchange.node.status import code_of
from exchange.policy.loader import PolicyError
from exchange.trust import errors as trust_errors
from exchange.trust.errors import KeyLogGap, SplitView, ThresholdNotMet

_LINE = re.compile(r"── (\w+)\s.*\((?:[^)]*\s)?([A-Z_]+)\)\s*$")


def _make(cls: type[Error]) -> Error:
    extra: dict[str, object] = {}
    if cls in (errors.ChannelRefused, KeyLogGap):
        extra = {"head_seq": 1}
    elif cls is ThresholdNotMet:
        extra = {"got": 1, "needed": 2}
    elif cls is SplitView:
        extra = {"country": "kz", "seq": 1, "hashes": (b"a", b"b")}
    elif cls is Refusals:
        extra = {"first": MalformedInput("x")}
    return cls("x", **extra)  # type: ignore[arg-type]


def _drawn() -> list[tuple[type[Error], str]]:
    out = []
    for mod in (errors, trust_errors):
        for line in (mod.__doc__ or "").splitlines():
            if (m := _LINE.search(line)) is not None and m.group(2) != "STATUS":
                out.append((getattr(mod, m.group(1)), m.group(2)))
    return out


@pytest.mark.parametrize(("cls", "status"), _drawn(), ids=lambda v: getattr(v, "__name__", v))
def test_error_keeps_the_status_its_tree_shows(cls: type[Error], status: str) -> None:
    assert code_of(_make(cls)).name == status


def test_trees_are_drawn_whole() -> None:
    drawn = {cls for cls, _ in _drawn()}
    assert len(drawn) >= 45, sorted(c.__name__ for c in drawn)


@pytest.mark.parametrize(
    ("err", "status"),
    [
        (Error("x"), grpc.StatusCode.INTERNAL),
        (AuditBroken("x"), grpc.StatusCode.INTERNAL),
        (AuditRewritten("x"), grpc.StatusCode.INTERNAL),
        (WitnessRefused("x"), grpc.StatusCode.FAILED_PRECONDITION),
        (PolicyError("x"), grpc.StatusCode.FAILED_PRECONDITION),
        (trust_errors.NodeKeyReused("x"), grpc.StatusCode.PERMISSION_DENIED),
        (Refusals("x", first=trust_errors.BundleExpired("y")), grpc.StatusCode.PERMISSION_DENIED),
    ],
    ids=lambda v: type(v).__name__,
)
def test_errors_outside_the_trees_keep_their_status(err: Error, status: grpc.StatusCode) -> None:
    assert code_of(err) == status
