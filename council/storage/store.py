"""The configured store and the content-addressed layer every file of the app goes through."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from starlette.datastructures import UploadFile

from council.errors import TooLarge
from council.settings import Settings
from council.storage.base import CHUNK, Backend, BlobMissing, content_key
from council.storage.blobcache import BlobCache, content_sha, remove_folder
from council.storage.local import LocalBackend

log = logging.getLogger(__name__)

_backend: Backend | None = None
_cache: BlobCache | None = (
    None  # a node's copies of a bucket's blobs (council/storage/blobcache.py)
)
STALE_SECONDS = 6 * 3600
# (model, field) pairs whose rows name stored keys: a blob is in use while any row names it.
_references: list[tuple[Any, str]] = []


@dataclass(frozen=True)
class StoredFile:
    """A file put in the store. ``path`` is its key (the column rows keep it in is ``path``)."""

    path: str
    mime: str
    size: int
    sha256: str
    original_name: str = ""
    created: bool = False  # this put wrote the blob (False: the same bytes were there already)

    @property
    def key(self) -> str:
        return self.path


# --- configuration ------------------------------------------------------------------------------


def from_settings(settings: Settings) -> Backend:
    """The backend ``STORAGE_URL`` names: unset or ``file://…`` a folder, ``s3://BUCKET/PREFIX``."""
    url = (settings.storage_url or "").strip()
    if not url:
        return LocalBackend(settings.uploads_dir)
    parts = urlsplit(url)
    if parts.scheme == "file":
        folder = unquote(parts.netloc + parts.path)
        return LocalBackend(Path(folder) if folder else settings.uploads_dir)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"STORAGE_URL {url!r} names no bucket: use s3://BUCKET/PREFIX")
        # boto3 is loaded only when the store is a bucket
        from council.storage.s3 import S3Backend

        return S3Backend(
            parts.netloc,
            unquote(parts.path),
            endpoint_url=settings.s3_endpoint_url,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            region=settings.s3_region,
            staging=settings.data_dir / "tmp",
        )
    raise ValueError(f"STORAGE_URL {url!r}: expected file://PATH or s3://BUCKET/PREFIX")


def configure(settings: Settings) -> Backend:
    """Make the store ``settings`` name the current one (app start-up, commands, tests); a bucket
    gets the node's blob cache (``COUNCIL_BLOB_CACHE_MB``, 0: none)."""
    backend = from_settings(settings)
    cache = None
    folder = settings.data_dir / "blobs"
    if settings.blob_cache_mb > 0 and backend.local_path(content_key("0" * 64)) is None:
        cache = BlobCache(folder, settings.blob_cache_mb << 20, backend.staging_dir())
        cache.trim()
    elif folder.exists():  # turned off, or the files moved out of a bucket: no copies stay
        remove_folder(folder)
    return use(backend, cache)


def use(backend: Backend, cache: BlobCache | None = None) -> Backend:
    global _backend, _cache
    _backend = backend
    _cache = cache
    _sweep(backend.staging_dir())
    return backend


def _sweep(folder: Path, older_than: float = STALE_SECONDS) -> None:
    """Remove uploads left half-spooled by a process that died (another worker's are younger)."""
    cutoff = time.time() - older_than
    for path in folder.glob("*.partial"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def backend() -> Backend:
    if _backend is None:
        raise RuntimeError("storage is not configured (council.storage.configure)")
    return _backend


async def check() -> None:
    """Raise StorageUnavailable unless the configured store answers (for /readyz)."""
    await backend().check()


# --- writing ------------------------------------------------------------------------------------


async def _commit(partial: Path, sha256: str, size: int, mime: str, name: str) -> StoredFile:
    key = content_key(sha256)
    store = backend()
    try:
        if await store.exists(key):
            created = False
        else:
            await store.put_file(key, partial, mime=mime)
            created = True
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
    return StoredFile(key, mime, size, sha256, name, created)


def _staged() -> Path:
    folder = backend().staging_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{secrets.token_hex(16)}.partial"


async def save_upload(
    upload: UploadFile, *, mime: str, max_bytes: int, original_name: str = ""
) -> StoredFile:
    """Spool ``upload`` (hashing it, refusing more than ``max_bytes``) and store it once by its
    SHA-256: the same bytes sent twice are kept once."""
    partial = _staged()
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_mb=max_bytes // (1 << 20))
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return await _commit(partial, digest.hexdigest(), size, mime, original_name)


async def save_bytes(data: bytes, *, mime: str, original_name: str = "") -> StoredFile:
    """Store generated content (rendered reports, reply letters, demo files) by its SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    key = content_key(sha256)
    store = backend()
    created = not await store.exists(key)
    if created:
        await store.put_bytes(key, data, mime=mime)
    return StoredFile(key, mime, len(data), sha256, original_name, created)


async def save_file(fh: BinaryIO, *, mime: str, original_name: str = "") -> StoredFile:
    """Store the contents of an open binary file (read from its current position)."""
    partial = _staged()
    digest = hashlib.sha256()
    size = 0

    def copy() -> None:
        nonlocal size
        with partial.open("wb") as out:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                digest.update(chunk)
                out.write(chunk)

    try:
        await asyncio.to_thread(copy)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return await _commit(partial, digest.hexdigest(), size, mime, original_name)


# --- reading ------------------------------------------------------------------------------------


def stream(key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
    """The bytes of ``key`` in chunks (``start``..``end`` inclusive); BlobMissing when absent."""
    return backend().open(key, start, end)


async def read_bytes(key: str) -> bytes:
    return b"".join([chunk async for chunk in backend().open(key)])


async def size(key: str) -> int:
    return await backend().size(key)


async def exists(key: str) -> bool:
    return await backend().exists(key)


@contextlib.asynccontextmanager
async def local_copy(key: str) -> AsyncIterator[Path]:
    """A local file with the bytes of ``key``, for code that needs a path (read it, never change
    it): the stored file itself on the local backend; from a bucket, a private link to the node's
    kept copy of a content key (downloaded once), else a temporary copy; removed after."""
    store = backend()
    path = store.local_path(key)
    if path is not None:
        if not await asyncio.to_thread(path.is_file):
            raise BlobMissing(key)
        yield path
        return
    sha = content_sha(key)
    if _cache is not None and sha is not None:
        async with _cache.local_copy(store, key, sha) as kept:
            yield kept
        return
    partial = _staged()
    try:
        with partial.open("wb") as out:
            async for chunk in store.open(key):
                await asyncio.to_thread(out.write, chunk)
        yield partial
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)


# --- who uses a blob ----------------------------------------------------------------------------


def register_reference(model: Any, field: str) -> None:
    """Declare that ``model.field`` holds storage keys (call at import of the models module).

    Blobs are shared between rows (same bytes, one blob), so a blob is removed only once no
    registered column names it any more; ``council import-files`` rewrites these columns."""
    if (model, field) not in _references:
        _references.append((model, field))


def references() -> list[tuple[Any, str]]:
    return list(_references)


async def in_use(key: str) -> bool:
    """Whether any row of a registered column names ``key``."""
    for model, field in _references:
        if await model.filter(**{field: key}).exists():
            return True
    return False


async def release(key: str) -> bool:
    """Call after the row naming ``key`` is deleted (and committed): the blob goes when no other
    row names it. Returns whether it was removed."""
    if await in_use(key):
        return False
    await backend().delete(key)
    sha = content_sha(key)
    if _cache is not None and sha is not None:
        await asyncio.to_thread(_cache.forget, sha)  # other nodes: blobcache.MAX_IDLE_SECONDS
    return True


async def discard(files: list[StoredFile] | StoredFile) -> None:
    """Undo the puts of an operation that failed before its rows committed: a blob goes only when
    this operation wrote it and no row names it (an earlier upload of the same bytes keeps it)."""
    for f in [files] if isinstance(files, StoredFile) else files:
        if f.created:
            try:
                await release(f.path)
            except Exception:  # the operation's own error matters more than the cleanup's
                log.warning("could not remove the unused blob %s", f.path, exc_info=True)
