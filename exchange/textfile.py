"""Reading a text file a person gave us (config, policy, alert, register) with one clear error.

Every way a file can be wrong (missing, a folder, unreadable, too large, not UTF-8) becomes one
`Error` that names the file and says what to do, never a traceback.
"""

from __future__ import annotations

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
        if path.is_dir():
            raise error(f"{path} is a folder, not a {what}", hint=f"give the {what}'s path")
        size = path.stat().st_size
        if size > limit:
            raise error(
                f"{what} {path} is {size:,} bytes; at most {limit:,} are read",
                hint=f"is this the right file? a {what} is a few kilobytes",
            )
        data = path.read_bytes()
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
