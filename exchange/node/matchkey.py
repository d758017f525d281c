"""The region's matching key file: the HMAC key subject tokens are derived with, and its epoch.

Until the trust issue distributes it, each node's config names the file (`matching_key`); the
region's administrators share the same file out of band. It is secret: written 0600, never
logged, never sent to a peer. Tokens are comparable only under the same key and epoch.
"""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from exchange.errors import ConfigError
from exchange.node.identity import write_private


@dataclass(frozen=True)
class MatchingKey:
    key: bytes
    epoch: int


def generate(path: Path, epoch: int = 1) -> MatchingKey:
    mk = MatchingKey(secrets.token_bytes(32), epoch)
    text = (
        "# Region matching key: secret. Subject tokens match only under the same key and epoch.\n"
        f'epoch = {epoch}\nkey = "{mk.key.hex()}"\n'
    )
    write_private(path, text.encode())
    return mk


def load(path: Path | None) -> MatchingKey:
    if path is None:
        raise ConfigError(
            "this node has no matching key",
            hint='set matching_key = "FILE" in the node config (see `exchange match keygen`)',
        )
    try:
        data = tomllib.loads(path.read_text())
        key = bytes.fromhex(data["key"])
        epoch = int(data["epoch"])
    except FileNotFoundError:
        raise ConfigError(
            f"matching key file {path} does not exist",
            hint="create one with `exchange match keygen --out FILE` and share it in the region",
        ) from None
    except (tomllib.TOMLDecodeError, KeyError, ValueError, TypeError):
        raise ConfigError(f'{path} is not a matching key file (epoch = N, key = "hex")') from None
    if len(key) < 16 or not 0 <= epoch < 2**32:
        raise ConfigError(f"{path}: the key must be at least 16 bytes and the epoch 0..2^32-1")
    return MatchingKey(key, epoch)
