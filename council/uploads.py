"""Uploaded files: size limits and the type sniffed from content, then kept by ``council.storage``."""

from __future__ import annotations

import asyncio
import os

import filetype
from starlette.datastructures import UploadFile

from council import storage
from council.archives import check_zip
from council.errors import DomainError, TooLarge
from council.i18n import N_
from council.storage import StoredFile

__all__ = [
    "ARCHIVES",
    "DOCX",
    "IMAGES",
    "PDF",
    "XLSX",
    "StoredFile",
    "sniff_mime",
    "store_bytes",
    "store_upload",
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# ZIP-based types: their declared inflated sizes are checked before they are kept
# (``council.archives``), so no reader ever inflates a bomb.
ARCHIVES = frozenset(
    {
        DOCX,
        XLSX,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/epub+zip",
        "application/zip",
    }
)
IMAGES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic"})


def sniff_mime(data: bytes) -> str | None:
    """The file's real type from its first bytes; None when unknown."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    return kind.mime


def _clean_name(name: str | None) -> str:
    base = os.path.basename(name or "").replace("\x00", "")
    return base[:200] or "file"


def _unsupported(mime: str | None) -> DomainError:
    return DomainError(
        "unsupported_type",
        N_("This type of file is not accepted."),
        status=422,
        detected=mime or "unknown",
    )


async def store_upload(
    upload: UploadFile, *, allowed: set[str] | frozenset[str], max_bytes: int
) -> StoredFile:
    """Check ``upload``'s size and sniffed type, then store it (once per content)."""
    head = await upload.read(8192)
    await upload.seek(0)
    if not head:
        raise DomainError("empty_file", N_("The file is empty."), status=422)
    mime = sniff_mime(head)
    if mime is None or mime not in allowed:
        raise _unsupported(mime)
    if mime in ARCHIVES:
        await asyncio.to_thread(check_zip, upload.file)
    return await storage.save_upload(
        upload, mime=mime, max_bytes=max_bytes, original_name=_clean_name(upload.filename)
    )


async def store_bytes(
    data: bytes,
    *,
    original_name: str,
    mime: str | None = None,
    allowed: set[str] | frozenset[str] | None = None,
    max_bytes: int | None = None,
) -> StoredFile:
    """Store generated or received bytes. ``mime`` trusts the caller (rendered reports); without
    it the type is sniffed and checked against ``allowed``, like an upload."""
    received = mime is None
    if mime is None:
        mime = sniff_mime(data[:8192])
        if mime is None or (allowed is not None and mime not in allowed):
            raise _unsupported(mime)
    if not data:
        raise DomainError("empty_file", N_("The file is empty."), status=422)
    if max_bytes is not None and len(data) > max_bytes:
        raise TooLarge(max_mb=max_bytes // (1 << 20))
    if received and mime in ARCHIVES:
        check_zip(data)
    return await storage.save_bytes(data, mime=mime, original_name=_clean_name(original_name))
