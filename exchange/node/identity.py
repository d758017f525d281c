"""A node's own key material in its state dir: signing, sealing (ML-KEM-768 + X25519) and TLS
keys.

Private key files are created 0600 inside a 0700 folder and never leave the state dir. A key
rotation first creates the next key beside the current one (`sign.next.key`, `seal.next.key`,
`tls.next.*`); the node promotes it once its administrator's certificate for it is installed and
in effect. A node made before records existed has an X25519-only sealing key: rotating `seal`
moves it to the hybrid post-quantum key that record responses are sealed to.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from exchange._proto.v1 import trust_pb2
from exchange.envelope import SigningKey
from exchange.errors import ConfigError, KeyError_
from exchange.node.tls import make_tls_identity, spki_fingerprint
from exchange.records import seal
from exchange.trust.certificate import PURPOSES as PURPOSE_OF
from exchange.trust.certificate import node_key_id

SIGN_KEY = "sign.key"
SEAL_KEY = "seal.key"
TLS_KEY = "tls.key"
TLS_CERT = "tls.crt"
NEXT = {
    "sign": ("sign.next.key",),
    "seal": ("seal.next.key",),
    "tls": ("tls.next.key", "tls.next.crt"),
}


@dataclass(frozen=True)
class Identity:
    country: str
    signing: SigningKey
    tls_key_pem: bytes
    tls_cert_pem: bytes
    fingerprint: str
    seal_public: bytes = b""

    @property
    def tls_spki(self) -> bytes:
        """The SPKI sha256 a TLS key certificate names."""
        return bytes.fromhex(self.fingerprint)

    def public_by_purpose(self) -> dict[trust_pb2.KeyPurpose.ValueType, bytes]:
        """What each of this node's key certificates names: the public key (TLS: SPKI sha256)."""
        return {
            trust_pb2.KEY_PURPOSE_SIGN: self.signing.public_raw,
            trust_pb2.KEY_PURPOSE_SEAL: self.seal_public,
            trust_pb2.KEY_PURPOSE_TLS: self.tls_spki,
        }


def write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only (created 0600, never widened)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def ensure_new(state_dir: Path) -> None:
    """Refuse a state dir that already holds a node's keys."""
    if (state_dir / SIGN_KEY).exists():
        raise ConfigError(
            f"{state_dir} already holds a node's keys",
            hint="use another state_dir, or remove that folder to start a new node",
        )


def create(state_dir: Path, country: str, now: datetime) -> Identity:
    """Generate fresh keys for a node; refuse to overwrite existing ones."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(state_dir, 0o700)
    ensure_new(state_dir)
    signing = SigningKey.generate()
    key_pem, cert_pem = make_tls_identity(country, signing.public_raw, now)
    write_private(state_dir / SIGN_KEY, signing.to_pem())
    write_private(state_dir / TLS_KEY, key_pem)
    (state_dir / TLS_CERT).write_bytes(cert_pem)
    _write_seal(state_dir)
    return load(state_dir, country)


def _write_seal(state_dir: Path, name: str = SEAL_KEY) -> None:
    write_private(state_dir / name, seal.generate())


def write_legacy_seal(state_dir: Path) -> None:
    """An X25519-only sealing key, as nodes had before records (tests of the rotation path)."""
    (state_dir / SEAL_KEY).unlink(missing_ok=True)
    key = X25519PrivateKey.generate()
    write_private(
        state_dir / SEAL_KEY, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )


def _seal_public_of(path: Path) -> bytes:
    data = path.read_bytes()
    if seal.is_key_file(data):
        return seal.public_of(data)
    key = load_pem_private_key(data, None)
    if not isinstance(key, X25519PrivateKey):
        raise KeyError_(f"{path} is not a sealing key")
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _seal_public(state_dir: Path) -> bytes:
    if not (state_dir / SEAL_KEY).exists():  # state dirs made before sealing keys existed
        _write_seal(state_dir)
    return _seal_public_of(state_dir / SEAL_KEY)


def seal_keys(state_dir: Path) -> dict[str, bytes]:
    """Every hybrid sealing key file this node holds (current and retired), by key id: a
    response opens with the key it was sealed to, even after a rotation."""
    out: dict[str, bytes] = {}
    for path in [state_dir / SEAL_KEY, *sorted(state_dir.glob("seal.retired.*.key"))]:
        data = path.read_bytes() if path.exists() else b""
        if seal.is_key_file(data):
            out[node_key_id(seal.public_of(data), trust_pb2.KEY_PURPOSE_SEAL)] = data
    return out


def seal_private(state_dir: Path) -> bytes:
    """The current sealing key file (hybrid), or b"" for an X25519-only key that opens no
    record."""
    data = (state_dir / SEAL_KEY).read_bytes()
    return data if seal.is_key_file(data) else b""


def load(state_dir: Path, country: str) -> Identity:
    try:
        signing = SigningKey.from_pem((state_dir / SIGN_KEY).read_bytes())
        key_pem = (state_dir / TLS_KEY).read_bytes()
        cert_pem = (state_dir / TLS_CERT).read_bytes()
        seal = _seal_public(state_dir)
    except FileNotFoundError:
        raise ConfigError(
            f"no node keys in {state_dir}",
            hint="run `exchange init --config FILE` first",
        ) from None
    except ValueError as exc:
        raise KeyError_(f"unreadable key file in {state_dir}: {exc}") from None
    fp = spki_fingerprint(x509.load_pem_x509_certificate(cert_pem))
    return Identity(country, signing, key_pem, cert_pem, fp, seal)


def pending(state_dir: Path) -> dict[str, bytes]:
    """The public key of each next key waiting for its certificate: purpose -> key bytes
    (for TLS: the SPKI sha256)."""
    out: dict[str, bytes] = {}
    if (state_dir / NEXT["sign"][0]).exists():
        out["sign"] = SigningKey.from_pem((state_dir / NEXT["sign"][0]).read_bytes()).public_raw
    if (state_dir / NEXT["seal"][0]).exists():
        out["seal"] = _seal_public_of(state_dir / NEXT["seal"][0])
    if (state_dir / NEXT["tls"][1]).exists():
        cert = x509.load_pem_x509_certificate((state_dir / NEXT["tls"][1]).read_bytes())
        out["tls"] = bytes.fromhex(spki_fingerprint(cert))
    return out


def next_tls_pem(state_dir: Path) -> bytes | None:
    path = state_dir / NEXT["tls"][1]
    return path.read_bytes() if path.exists() else None


def rotate(state_dir: Path, country: str, purpose: str, now: datetime) -> bytes:
    """Create the next key for `purpose` (sign, seal or tls) beside the current one; its public
    key (TLS: SPKI sha256) goes to the administrator to certify."""
    if purpose not in NEXT:
        raise ConfigError(f"cannot rotate {purpose!r} keys", hint="rotate sign, seal or tls")
    if (state_dir / NEXT[purpose][0]).exists():
        raise ConfigError(
            f"a next {purpose} key is already waiting for its certificate in {state_dir}",
            hint="install its certificate (exchange keys import), or remove the .next files",
        )
    ident = load(state_dir, country)
    if purpose == "sign":
        key = SigningKey.generate()
        write_private(state_dir / NEXT["sign"][0], key.to_pem())
        return key.public_raw
    if purpose == "seal":
        _write_seal(state_dir, NEXT["seal"][0])
        return _seal_public_of(state_dir / NEXT["seal"][0])
    key_pem, cert_pem = make_tls_identity(country, ident.signing.public_raw, now)
    write_private(state_dir / NEXT["tls"][0], key_pem)
    (state_dir / NEXT["tls"][1]).write_bytes(cert_pem)
    return bytes.fromhex(spki_fingerprint(x509.load_pem_x509_certificate(cert_pem)))


def promote(state_dir: Path, country: str, purpose: str) -> Identity:
    """Make the next key current; the old private key is kept as *.retired.* (0600)."""
    stamp = str(int(time.time()))
    if purpose == "sign":
        os.replace(state_dir / SIGN_KEY, state_dir / f"sign.retired.{stamp}.key")
        os.replace(state_dir / NEXT["sign"][0], state_dir / SIGN_KEY)
    elif purpose == "seal":
        # the retired key still opens responses sealed to it before the switch
        os.replace(state_dir / SEAL_KEY, state_dir / f"seal.retired.{stamp}.key")
        os.replace(state_dir / NEXT["seal"][0], state_dir / SEAL_KEY)
    else:
        os.replace(state_dir / TLS_KEY, state_dir / f"tls.retired.{stamp}.key")
        os.replace(state_dir / TLS_CERT, state_dir / f"tls.retired.{stamp}.crt")
        os.replace(state_dir / NEXT["tls"][1], state_dir / TLS_CERT)
        os.replace(state_dir / NEXT["tls"][0], state_dir / TLS_KEY)
    return load(state_dir, country)


def key_ids(ident: Identity) -> dict[str, str]:
    """Each current key's one id (as certificates, revocations and `keys status` name it)."""
    names = {trust_pb2.KEY_PURPOSE_SIGN: "sign", trust_pb2.KEY_PURPOSE_SEAL: "seal"}
    return {
        names.get(p, "tls"): node_key_id(raw, p) for p, raw in ident.public_by_purpose().items()
    }


def public_keys(state_dir: Path, country: str) -> dict[str, object]:
    """What the administrator certifies: the node's public keys, current and next, and each
    key's id (the public keys are what a certificate holds; the ids are how people name them)."""
    ident = load(state_dir, country)
    nxt = pending(state_dir)
    return {
        "country": country,
        "sign": ident.signing.public_raw.hex(),
        "seal": ident.seal_public.hex(),
        "tls_spki": ident.fingerprint,
        "next": {k: v.hex() for k, v in nxt.items()},
        "key_ids": key_ids(ident),
        "next_key_ids": {k: node_key_id(v, PURPOSE_OF[k]) for k, v in nxt.items()},
    }
