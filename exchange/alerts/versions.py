"""Version rules for alerts: amendments must be newer, withdrawals are final."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from exchange.bounds import MAX_VERSION
from exchange.errors import VersionRefused


@dataclass(frozen=True)
class Current:
    """What a node holds for one alert: its latest version and whether it is withdrawn."""

    version: int
    withdrawn: bool


def check_newer(current: Current | None, version: int, *, withdrawal: bool = False) -> None:
    """Refuse a version that is not newer than what is held, or anything after a withdrawal."""
    if version < 1:
        raise VersionRefused(f"alert versions start at 1, got {version}")
    if version > MAX_VERSION:
        raise VersionRefused(f"alert versions end at {MAX_VERSION}, got {version}")
    if current is None:
        if withdrawal:
            raise VersionRefused("cannot withdraw an alert that was never received")
        return
    if current.withdrawn:
        raise VersionRefused(f"the alert was withdrawn at version {current.version}")
    if version <= current.version:
        raise VersionRefused(
            f"version {version} is not newer than the held version {current.version}"
        )


@dataclass
class HeadChange:
    """A new latest version of one alert (written to the alert_heads table)."""

    origin: str
    alert_id: str
    version: int
    withdrawn: bool
    category: int
    risk: int
    updated_at: datetime
