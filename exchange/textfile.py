"""Reading a text file a person gave us (config, policy, alert, register) with one clear error.

Every way a file can be wrong (missing, a folder, unreadable, too large, not UTF-8) becomes one
`Error` that names the file and says what to do, never a traceback.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from exchange.errors import Error, MalformedInput

MAX_TEXT_FILE = 1 << 20  # 1 MiB: far above any config, policy or alert file


def read_text(
    path: Path,
    what: str,
    *,
    limit: int = MAX_TEXT_FILE,
    error: type[Error] = MalformedInput,
    missing_hint: str = "",
    encoding: str = "utf-8",
) -> str:
    """The file's text; `what` names it in messages ("config file", "policy file", ...)."""
    try:
        data = _read_regular(path, what, limit, error)
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist", hint=missing_hint) from None
    except PermissionError:
        raise error(
            f"cannot read {what} {path}: permission denied",
            hint="run the command as the user that owns the file",
        ) from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {path} is not {encoding.upper()} text (byte {exc.start}: "
            f"0x{data[exc.start]:02x})",
            hint=f"save it as UTF-8, e.g. iconv -f cp1251 -t utf-8 {path.name} > fixed.txt",
        ) from None
    except LookupError:
        raise error(f"unknown text encoding {encoding!r}", hint="e.g. utf-8 or cp1251") from None
    return text.removeprefix("\ufeff")


def _read_regular(path: Path, what: str, limit: int, error: type[Error]) -> bytes:
    """At most `limit` bytes of a regular file. Opened without blocking and checked on the open
    descriptor: a FIFO or device put in a file's place (a policy the node watches, say) is
    refused, never waited on, and a file that grows after the check is still cut at the limit."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{path} is a folder, not a {what}", hint=f"give the {what}'s path")
        if not stat.S_ISREG(mode):
            raise error(
                f"{path} is not a regular file (a pipe or a device?): not read as a {what}",
                hint=f"give the path of the {what} itself",
            )
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise error(
            f"{what} {path} is over {limit:,} bytes; at most {limit:,} are read",
            hint=f"is this the right file? a {what} is a few kilobytes",
        )
    return data
