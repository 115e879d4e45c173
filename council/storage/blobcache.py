"""A node's own copies of blobs from a bucket, for code that needs a file on disk.

A document read from a bucket used to be downloaded whole for every page drawn: a delegate paging
through a confidential 40 MB report (never kept as shared page images) fetched 40 MB per page.
Content-addressed blobs (``sha256/ab/cd/<sha256>``) never change, so a node may keep the ones it
read last without asking the bucket whether they changed: a copy is only ever right or absent.

- The copies live in ``COUNCIL_DATA_DIR/blobs`` (mode 0700, files 0600), at most
  ``COUNCIL_BLOB_CACHE_MB`` in all; past it the least recently used are deleted.
- A download is checked against the SHA-256 its key names before it is kept (a damaged object is
  handed to its reader as before, never kept).
- Readers get a hard link of their own (``tmp/…``), so deleting a copy while a worker reads it
  (another process of the node may evict it) takes nothing from that reader.
- Only content keys are kept; anything else (the ``cache/`` renderings) goes the old way.
- A file deleted from the store (``storage.release``) loses this node's copy at once; other
  nodes' copies go when unused for ``MAX_IDLE_SECONDS`` (7 days), or sooner to make room. The
  cache turned off (0) removes the folder at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

from council.storage.base import Backend

log = logging.getLogger(__name__)

# A copy unused this long goes at the next trim, whatever room is left: a file deleted through
# another node (whose copy that node dropped at once) does not stay on this one for ever.
MAX_IDLE_SECONDS = 7 * 24 * 3600
_CONTENT_KEY = re.compile(r"^sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


def content_sha(key: str) -> str | None:
    """The SHA-256 a content key names (``None`` for any other key)."""
    match = _CONTENT_KEY.match(key)
    if match is None or not match.group(3).startswith(match.group(1) + match.group(2)):
        return None
    return match.group(3)


def remove_folder(folder: Path) -> None:
    """Delete every kept copy (the cache was turned off: ``COUNCIL_BLOB_CACHE_MB=0``)."""
    shutil.rmtree(folder, ignore_errors=True)


class BlobCache:
    """Copies of content-addressed blobs in ``folder``, at most ``limit`` bytes in all."""

    def __init__(self, folder: Path, limit: int, staging: Path) -> None:
        self.folder = folder
        self.limit = limit
        self.staging = staging
        self._locks: dict[str, asyncio.Lock] = {}

    def _path(self, sha: str) -> Path:
        return self.folder / sha

    def _private(self) -> Path:
        self.staging.mkdir(parents=True, exist_ok=True)
        return self.staging / f"{secrets.token_hex(16)}.partial"

    def _link_kept(self, sha: str) -> Path | None:
        """A private hard link to the kept copy of ``sha`` (touched: recently used), or None."""
        kept = self._path(sha)
        mine = self._private()
        try:
            os.link(kept, mine)
        except FileNotFoundError:
            return None
        except OSError as exc:  # another file system, permissions: read from the bucket
            log.warning("cannot use the kept copy %s: %s", kept, exc)
            return None
        with contextlib.suppress(OSError):
            os.utime(kept)
        return mine

    def _keep(self, sha: str, mine: Path) -> None:
        """Keep ``mine`` (a verified download) as the copy of ``sha``, then trim the folder. A
        copy that cannot be kept (disk full, another file system) only costs the next download."""
        partial = self.folder / f".{secrets.token_hex(8)}.partial"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.link(mine, partial)
            os.replace(partial, self._path(sha))  # atomic: readers see a whole copy or none
        except OSError as exc:
            log.warning("cannot keep a copy of %s: %s", sha, exc)
            with contextlib.suppress(OSError):
                partial.unlink()
        self.trim()

    def forget(self, sha: str) -> None:
        """Drop the copy of ``sha`` (its file was deleted from the store)."""
        with contextlib.suppress(FileNotFoundError):
            self._path(sha).unlink()

    def trim(self) -> int:
        """Delete the copies unused for ``MAX_IDLE_SECONDS``, then the least recently used until
        the folder holds at most ``limit`` bytes; returns the number of bytes it now holds."""
        entries: list[tuple[float, int, Path]] = []
        idle = time.time() - MAX_IDLE_SECONDS
        with contextlib.suppress(OSError):  # no folder yet, or not one (a copy costs a download)
            for entry in os.scandir(self.folder):
                if entry.name.startswith("."):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    st = entry.stat()
                    if st.st_mtime < idle:
                        Path(entry.path).unlink(missing_ok=True)
                        continue
                    entries.append((st.st_mtime, st.st_size, Path(entry.path)))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.limit:
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            total -= size
        return total

    @contextlib.asynccontextmanager
    async def local_copy(self, store: Backend, key: str, sha: str) -> AsyncIterator[Path]:
        """A private file with the bytes of ``key`` (content key of ``sha``), removed after."""
        mine = await asyncio.to_thread(self._link_kept, sha)
        if mine is None:
            lock = self._locks.setdefault(sha, asyncio.Lock())
            async with lock:  # one download per blob at a time in this process
                mine = await asyncio.to_thread(self._link_kept, sha)
                if mine is None:
                    mine = await self._download(store, key, sha)
            if not lock.locked():  # a waiter finds the kept copy; the dict stays small
                self._locks.pop(sha, None)
        try:
            yield mine
        finally:
            await asyncio.to_thread(mine.unlink, missing_ok=True)

    async def _download(self, store: Backend, key: str, sha: str) -> Path:
        mine = self._private()
        digest = hashlib.sha256()
        try:
            with mine.open("wb") as out:
                os.chmod(mine, 0o600)
                async for chunk in store.open(key):
                    digest.update(chunk)
                    await asyncio.to_thread(out.write, chunk)
        except BaseException:
            await asyncio.to_thread(mine.unlink, missing_ok=True)
            raise
        if digest.hexdigest() != sha:
            log.warning("stored object %s does not match its SHA-256; not kept", key)
        else:
            await asyncio.to_thread(self._keep, sha, mine)
        return mine
