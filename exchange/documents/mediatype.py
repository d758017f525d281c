"""Which media types a document may have, and whether the content is what it says it is.

A short allowlist of document and image types. The first bytes must carry the type's magic;
office and OpenDocument files are ZIP containers whose directory must name the type's parts
and no macros. Executables, scripts, legacy OLE2 office files (which carry macros unseen)
and macro-enabled formats are refused whatever they are declared as.
"""

from __future__ import annotations

import zipfile
from typing import IO

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# media type -> file name extensions it is written with
ALLOWED: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "text/plain": (".txt",),
    "text/markdown": (".md", ".markdown"),
    "text/csv": (".csv",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    ODT: (".odt",),
    ODS: (".ods",),
}
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
_ZIP = {DOCX: "word/", XLSX: "xl/", PPTX: "ppt/", ODT: "", ODS: ""}
_TEXT = ("text/plain", "text/markdown", "text/csv")
_REFUSED = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java executable"),
    (b"#!", "a script"),
    (b"\xd0\xcf\x11\xe0", "a legacy office file (OLE2), which can hold macros unseen"),
)
_MACRO_DIRS = ("basic/", "scripts/")  # OpenDocument's macro folders
HEAD = 4096  # the bytes `head_problem` needs


def for_name(name: str) -> str | None:
    """The media type a file name's extension says, if it is allowed."""
    lower = name.lower()
    for media, exts in ALLOWED.items():
        if lower.endswith(exts):
            return media
    return None


def head_problem(media_type: str, head: bytes, size: int) -> str | None:
    """Why content starting with `head` (its first HEAD bytes or all of it) cannot be
    `media_type` (None if it can)."""
    if media_type not in ALLOWED:
        return f"media type {media_type[:80]!r} is not allowed; allowed: " + ", ".join(
            sorted(ALLOWED)
        )
    for magic, what in _REFUSED:
        if head.startswith(magic):
            return f"the content is {what}, not {media_type}"
    if media_type in _MAGIC:
        if not head.startswith(_MAGIC[media_type]):
            return f"the content does not start as {media_type} does"
    elif media_type in _ZIP:
        if not head.startswith(b"PK\x03\x04"):
            return f"the content is not a ZIP container, as {media_type} is"
    elif media_type in _TEXT:
        cut = head if len(head) >= size else head[: max(0, len(head) - 3)]
        if b"\x00" in head:
            return "the content holds NUL bytes: it is not text"
        try:
            cut.decode("utf-8")
        except UnicodeDecodeError:
            return "the content is not UTF-8 text"
    return None


def container_problem(media_type: str, f: IO[bytes]) -> str | None:
    """For ZIP-based types, why the container is not `media_type` or holds macros."""
    if media_type not in _ZIP:
        return None
    try:
        with zipfile.ZipFile(f) as z:
            names = z.namelist()
            if len(names) > 10_000:
                return "the container lists more than 10,000 parts"
            lowered = [n.lower() for n in names]
            if any(n.endswith("vbaproject.bin") or n.startswith(_MACRO_DIRS) for n in lowered):
                return "the document holds macros"
            if media_type in (ODT, ODS):
                if not names or names[0] != "mimetype":
                    return f"the container is not {media_type}: no mimetype first"
                if _part(z, "mimetype", 200).decode("ascii", "replace") != media_type:
                    return f"the container's mimetype is not {media_type}"
                return None
            if "[Content_Types].xml" not in names:
                return f"the container is not {media_type}: no [Content_Types].xml"
            types = _part(z, "[Content_Types].xml", 1_000_000)
            if b"macroEnabled" in types:
                return "the document is macro-enabled"
            if not any(n.startswith(_ZIP[media_type]) for n in names):
                return f"the container is not {media_type}: it has no {_ZIP[media_type]} part"
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError, NotImplementedError):
        return f"the content is not a readable {media_type} container"
    return None


def _part(z: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of one part, never more (a part may inflate to gigabytes)."""
    with z.open(name) as fh:
        return fh.read(limit)
