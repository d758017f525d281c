"""The policy in force, and the watcher that applies changes to its file without a restart.

A file that fails to load (not UTF-8, not TOML, not a policy, a folder, gone) keeps the last
good policy in force, is audited once and stays an alarm in `exchange status` until a good
file loads.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from exchange.alerts import pii
from exchange.clock import Clock
from exchange.errors import ConfigError, Error
from exchange.policy import Policy, load_policy

log = logging.getLogger("exchange.node")
GONE = (0, 0, 0)
Audit = Callable[[str, dict[str, Any]], Awaitable[None]]


def _stamp(path: Path) -> tuple[int, int, int]:
    """What tells a changed file: mtime, size and inode (an editor may replace the file);
    GONE when it cannot be stat'ed (reading it then says why)."""
    try:
        st = path.stat()
    except OSError:
        return GONE
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class PolicyWatch:
    def __init__(self, path: Path | None, country: str, audit: Audit, clock: Clock) -> None:
        if path is None:
            raise ConfigError("the node config names no policy file")
        self.path, self.country = path, country
        self._audit, self._clock = audit, clock
        self.policy: Policy = load_policy(path, country)
        pii.use_country_lists(
            dict(self.policy.guard)
        )  # the guard reads its lists (one node per process)
        self._stamp = _stamp(path)
        self.problem = ""  # why the policy file on disk is not in force, or ""
        self.poll_seconds = 2.0
        self.elsewhere = ""  # the digest another replica of this node last loaded, or ""

    def reload(self) -> tuple[Policy, bool]:
        """Load the policy file again; keep the old one (and raise) if the new one is invalid."""
        stamp = _stamp(self.path)
        try:
            policy = load_policy(self.path, self.country)
        except Error as exc:
            self._stamp, self.problem = stamp, exc.message[:300]
            raise
        changed = policy.digest != self.policy.digest or bool(self.problem)
        self.policy, self._stamp, self.problem = policy, stamp, ""
        pii.use_country_lists(dict(policy.guard))
        return policy, changed

    async def watch(self, stopping: Any) -> None:
        """Check the file every `poll_seconds` until `stopping` (an asyncio.Event) is set."""
        while not stopping.is_set():
            await self._clock.sleep(self.poll_seconds)
            await self.check()

    async def check(self) -> None:
        """One look at the policy file; never raises. A file that cannot even be stat'ed has
        the stamp GONE, so its refusal too is audited once, not every two seconds."""
        try:
            if _stamp(self.path) == self._stamp:
                return
            _, changed = self.reload()
        except Error as exc:
            return await self._refused(exc.message)
        except Exception as exc:  # a bug must not end the watcher: say so, keep the old policy
            kind = type(exc).__name__
            log.error("policy file check failed (%s); the previous policy stays", kind)
            return await self._refused(f"the policy file could not be checked ({kind})")
        if changed:
            await self.audit_loaded("file change")

    async def _refused(self, problem: str) -> None:
        problem = problem[:300]
        log.error("policy file change refused, the previous policy stays: %s", problem)
        self.problem = problem
        await self._audit(
            "policy.refused",
            {"reason": problem, "path": str(self.path), "in_force": self.policy.digest},
        )

    def alarms(self) -> list[str]:
        out = []
        if self.elsewhere and self.elsewhere != self.policy.digest:
            out.append(
                f"another replica of this node loaded policy sha256 {self.elsewhere[:16]}, this "
                f"one runs {self.policy.digest[:16]}: give every replica the same policy file"
            )
        if not self.problem:
            return out
        return [
            *out,
            f"policy file refused ({self.problem}); the previous policy "
            f"(sha256 {self.policy.digest[:16]}) stays in force until a valid file is saved",
        ]

    async def audit_loaded(self, trigger: str) -> None:
        log.info("policy loaded (%s): sha256 %s", trigger, self.policy.digest[:16])
        await self._audit(
            "policy.loaded",
            {"digest": self.policy.digest, "path": str(self.path), "trigger": trigger},
        )
