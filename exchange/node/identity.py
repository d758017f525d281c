"""A node's own key material in its state dir: signing key and TLS key/certificate.

Private key files are created 0600 inside a 0700 folder and never leave the state dir.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509

from exchange.envelope import SigningKey
from exchange.errors import ConfigError, KeyError_
from exchange.node.tls import make_tls_identity, spki_fingerprint

SIGN_KEY = "sign.key"
TLS_KEY = "tls.key"
TLS_CERT = "tls.crt"


@dataclass(frozen=True)
class Identity:
    country: str
    signing: SigningKey
    tls_key_pem: bytes
    tls_cert_pem: bytes
    fingerprint: str


def write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only (created 0600, never widened)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def create(state_dir: Path, country: str, now: datetime) -> Identity:
    """Generate fresh keys for a node; refuse to overwrite existing ones."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(state_dir, 0o700)
    if (state_dir / SIGN_KEY).exists():
        raise ConfigError(
            f"{state_dir} already holds a node's keys",
            hint="use another state_dir, or remove that folder to start a new node",
        )
    signing = SigningKey.generate()
    key_pem, cert_pem = make_tls_identity(country, signing.public_raw, now)
    write_private(state_dir / SIGN_KEY, signing.to_pem())
    write_private(state_dir / TLS_KEY, key_pem)
    (state_dir / TLS_CERT).write_bytes(cert_pem)
    return load(state_dir, country)


def load(state_dir: Path, country: str) -> Identity:
    try:
        signing = SigningKey.from_pem((state_dir / SIGN_KEY).read_bytes())
        key_pem = (state_dir / TLS_KEY).read_bytes()
        cert_pem = (state_dir / TLS_CERT).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"no node keys in {state_dir}",
            hint="run `exchange init --config FILE` first",
        ) from None
    except ValueError as exc:
        raise KeyError_(f"unreadable key file in {state_dir}: {exc}") from None
    fp = spki_fingerprint(x509.load_pem_x509_certificate(cert_pem))
    return Identity(country, signing, key_pem, cert_pem, fp)
