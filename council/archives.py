"""ZIP-based uploads (DOCX, XLSX, ODF) checked from their directory before anything is inflated.

A ZIP archive says in its central directory how big each member is once inflated. Python's
``zipfile`` (which python-docx and openpyxl read through) never inflates a member past that size,
so checking the declared sizes bounds the work: an archive is refused when its members would take
more than :data:`MAX_UNCOMPRESSED` bytes in all, when a large member inflates more than
:data:`MAX_RATIO` times (a "zip bomb": 1.5 MB of DOCX that becomes 1.5 GB), or when it has more
than :data:`MAX_MEMBERS` members. The check reads the end record and the directory only, a few
milliseconds whatever the archive holds.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from council.errors import DomainError
from council.i18n import N_

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_UNCOMPRESSED", "UnsafeArchive", "check_zip"]

MAX_UNCOMPRESSED = 256 << 20
MAX_MEMBERS = 5_000
MAX_RATIO = 100
# Below this a member may inflate as much as it likes: a small file cannot hurt (a styles part
# of repeated XML inflates 50 to 200 times).
RATIO_FLOOR = 8 << 20

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22


class UnsafeArchive(DomainError):
    """The archive would inflate to far more than its size, or holds too many members."""

    status = 422

    def __init__(self, reason: str) -> None:
        super().__init__(
            "unsafe_archive",
            N_(
                "This file was refused: once unpacked it would be far larger than it is "
                "({max_mb} MB at most). Save it again from your word processor or spreadsheet, "
                "then upload it again."
            ).format(max_mb=MAX_UNCOMPRESSED >> 20),
            reason=reason,
        )


def _member_count(head: bytes) -> int | None:
    """The number of members the end-of-central-directory record announces (None: none found)."""
    at = head.rfind(_EOCD)
    if at < 0 or len(head) - at < _EOCD_SIZE:
        return None
    (total,) = struct.unpack("<H", head[at + 10 : at + 12])
    return int(total)


def check_zip(source: bytes | Path | BinaryIO, *, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    """Raise :class:`UnsafeArchive` unless ``source`` (a ZIP archive's bytes, path or seekable
    file) is safe to inflate. A file that is not a ZIP archive at all passes: its reader will
    say so. A file is read from its end and left where it was."""
    if isinstance(source, bytes):
        _check(io.BytesIO(source), max_uncompressed)
    elif isinstance(source, Path):
        with source.open("rb") as fh:
            _check(fh, max_uncompressed)
    else:
        where = source.tell()
        try:
            _check(source, max_uncompressed)
        finally:
            source.seek(where)


def _check(fh: BinaryIO, max_uncompressed: int) -> None:
    size = fh.seek(0, io.SEEK_END)
    fh.seek(max(0, size - (1 << 16) - _EOCD_SIZE))
    count = _member_count(fh.read())
    # 0xFFFF: a ZIP64 archive, whose real count is elsewhere; zipfile reads it below.
    if count is not None and count != 0xFFFF and count > MAX_MEMBERS:
        raise UnsafeArchive("members")
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, struct.error):
        return
    if len(members) > MAX_MEMBERS:
        raise UnsafeArchive("members")
    total = 0
    for member in members:
        total += member.file_size
        if total > max_uncompressed:
            raise UnsafeArchive("size")
        if member.file_size > RATIO_FLOOR and (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
        ):
            raise UnsafeArchive("ratio")
    if total > RATIO_FLOOR and total > MAX_RATIO * max(size, 1):
        raise UnsafeArchive("ratio")
