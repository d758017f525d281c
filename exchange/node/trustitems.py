"""Trust items as the state machine handles them: digests, one-line summaries for the audit
log, the administrator's import order, and the check of a first bundle against the digest a
person confirmed. Pure functions over protobuf values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from google.protobuf.message import DecodeError

from exchange._proto.v1 import envelope_pb2, exchange_pb2, trust_pb2
from exchange.errors import Error
from exchange.node.trustplan import item_kind
from exchange.trust import BUNDLE_PAYLOAD_TYPE, item_digest, node_key_id
from exchange.trust._common import ts_ns, ts_text
from exchange.trust.certificate import purpose_name
from exchange.trust.errors import AnchorNotConfirmed


@dataclass(frozen=True)
class Certified:
    digest: str
    cert: trust_pb2.NodeKeyCertificate

    @property
    def key_id(self) -> str:
        return node_key_id(self.cert.public_key, self.cert.purpose)

    @property
    def window(self) -> tuple[int, int]:
        return ts_ns(self.cert.valid_from), ts_ns(self.cert.valid_until)


def envelope_digest(env: envelope_pb2.Envelope) -> str:
    return item_digest(env).hex()


def summary_cert(c: trust_pb2.NodeKeyCertificate) -> str:
    return (
        f"{c.country} {purpose_name(c.purpose)} key {node_key_id(c.public_key, c.purpose)[:16]}, "
        f"valid {ts_text(c.valid_from)[:19]} .. {ts_text(c.valid_until)[:19]}"
    )


def summary_rev(r: trust_pb2.KeyRevocation) -> str:
    why = f" ({r.reason[:80]})" if r.reason else ""
    return f"{r.country} key {r.key_id[:16]} revoked from {ts_text(r.effective)[:19]}{why}"


def chain_key(msg: exchange_pb2.TrustSync) -> str:
    return "chain " + hashlib.sha256(b"".join(item_digest(e) for e in msg.bundles)).hexdigest()


def kind_of(env: envelope_pb2.Envelope) -> str:
    if env.payload_type == BUNDLE_PAYLOAD_TYPE:
        return "bundle"
    return item_kind(env)


def anchor_refusal(anchor: envelope_pb2.Envelope, confirmed: str) -> Error | None:
    """Why `anchor` may not become this node's trust anchor, or None if `confirmed` is its
    digest (the sha256 of its exact payload, which `keys bundle show` prints)."""
    actual = hashlib.sha256(anchor.payload).hexdigest()
    if confirmed.lower() == actual:
        return None
    if not confirmed:
        return AnchorNotConfirmed(
            f"this node has no trust anchor yet; the first bundle (digest {actual}) is installed "
            "only once its digest is confirmed",
            hint="compare the digest with the other administrators, then run `exchange keys "
            "bundle publish FILE` and answer the prompt, or pass --expect-digest DIGEST",
        )
    return AnchorNotConfirmed(
        f"the first bundle's digest is {actual}, not the expected {confirmed[:64]}; nothing was "
        "installed",
        hint="this is not the bundle the administrators agreed on; get the right file",
    )


def import_order(env: envelope_pb2.Envelope) -> tuple[int, int]:
    if env.payload_type == BUNDLE_PAYLOAD_TYPE:
        try:
            return 0, trust_pb2.TrustBundle.FromString(env.payload).version
        except DecodeError:
            return 0, 0
    return 1, 0
