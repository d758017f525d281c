"""Trust item files as the key tools write them: one signed item (a bundle version, as
administrators pass it around to sign), or a set of items (certificates, revocations)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from google.protobuf.message import DecodeError

from exchange._proto.v1 import envelope_pb2, operator_pb2
from exchange.errors import MalformedInput
from exchange.trust._common import (
    BUNDLE_PAYLOAD_TYPE,
    CERTIFICATE_PAYLOAD_TYPE,
    REVOCATION_PAYLOAD_TYPE,
)

MAX_FILE_BYTES = 4 * 1024 * 1024
KINDS = {BUNDLE_PAYLOAD_TYPE, CERTIFICATE_PAYLOAD_TYPE, REVOCATION_PAYLOAD_TYPE}


def parse_items(data: bytes, name: str = "the file") -> list[envelope_pb2.Envelope]:
    """One Envelope of a known kind, or a set of them (ImportTrustRequest)."""
    try:
        env = envelope_pb2.Envelope.FromString(data)
        if env.payload_type in KINDS:
            return [env]
    except DecodeError:
        pass
    try:
        items = list(operator_pb2.ImportTrustRequest.FromString(data).items)
    except DecodeError:
        items = []
    if not items or any(e.payload_type not in KINDS for e in items):
        raise MalformedInput(
            f"{name} is not a trust file",
            hint="use bundle, certificate or revocation files written by `exchange keys`",
        )
    return items


def read_items(path: Path) -> list[envelope_pb2.Envelope]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise MalformedInput(f"{path} is over {MAX_FILE_BYTES} bytes; not a trust file")
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedInput(f"cannot read {path}: {exc.strerror}") from None
    return parse_items(data, str(path))


def write_items(path: Path, envs: Sequence[envelope_pb2.Envelope]) -> None:
    """Write a set of items (public material: certificates, revocations)."""
    path.write_bytes(
        operator_pb2.ImportTrustRequest(items=list(envs)).SerializeToString(deterministic=True)
    )
