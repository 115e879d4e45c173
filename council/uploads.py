"""Uploaded files: size limits, type sniffed from content, stored outside the web root under random names."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from starlette.datastructures import UploadFile

from council.errors import DomainError, TooLarge
from council.i18n import N_

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic"})
EXTENSIONS = {
    PDF: ".pdf",
    DOCX: ".docx",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/heic": ".heic",
}
CHUNK = 1 << 20

_root: Path | None = None


def configure(uploads_dir: Path) -> None:
    global _root
    uploads_dir.mkdir(parents=True, exist_ok=True)
    _root = uploads_dir


def root() -> Path:
    if _root is None:
        raise RuntimeError("uploads directory is not configured")
    return _root


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the uploads directory
    mime: str
    size: int
    sha256: str
    original_name: str


def sniff_mime(data: bytes) -> str | None:
    """The file's real type from its first bytes; None when unknown."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    return kind.mime


def _clean_name(name: str | None) -> str:
    base = os.path.basename(name or "").replace("\x00", "")
    return base[:200] or "file"


async def store_upload(
    upload: UploadFile, *, allowed: set[str] | frozenset[str], max_bytes: int, subdir: str
) -> StoredFile:
    """Copy ``upload`` into the store after checking its size and sniffed type."""
    head = await upload.read(8192)
    await upload.seek(0)
    if not head:
        raise DomainError("empty_file", N_("The file is empty."), status=422)
    mime = sniff_mime(head)
    if mime is None or mime not in allowed:
        raise DomainError(
            "unsupported_type",
            N_("This type of file is not accepted."),
            status=422,
            detected=mime or "unknown",
        )
    folder = root() / subdir
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{subdir}/{secrets.token_hex(16)}{EXTENSIONS.get(mime, '')}"
    target = root() / relative
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_mb=max_bytes // (1 << 20))
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(relative, mime, size, digest.hexdigest(), _clean_name(upload.filename))


def store_bytes(data: bytes, *, mime: str, subdir: str, original_name: str) -> StoredFile:
    """Store generated content (demo documents, rendered reports)."""
    folder = root() / subdir
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{subdir}/{secrets.token_hex(16)}{EXTENSIONS.get(mime, '')}"
    (root() / relative).write_bytes(data)
    return StoredFile(
        relative, mime, len(data), hashlib.sha256(data).hexdigest(), _clean_name(original_name)
    )


def open_stored(path: str) -> Path:
    """The absolute path of a stored file, refusing anything outside the store."""
    target = (root() / path).resolve()
    if root().resolve() not in target.parents:
        raise DomainError("not_found", N_("Not found."), status=404)
    return target
