"""Files in a local folder: the data directory's ``uploads/`` by default, or ``file:///PATH``."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from council.storage.base import CHUNK, BlobMissing, StorageUnavailable, check_key

STAGING = ".partial"  # uploads being written; never a key (keys do not start with a dot)


class LocalBackend:
    name = "file"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        (self.root / STAGING).mkdir(parents=True, exist_ok=True)

    def describe(self) -> str:
        return f"file://{self.root}"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def staging_dir(self) -> Path:
        return self.root / STAGING

    def _adopt(self, key: str, path: Path) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.parent == self.staging_dir():
            os.replace(path, target)  # atomic: a reader never sees half a file
        else:
            partial = self._staged()
            shutil.copyfile(path, partial)
            os.replace(partial, target)
            path.unlink(missing_ok=True)

    def _staged(self) -> Path:
        return self.staging_dir() / f"{secrets.token_hex(16)}.partial"

    async def put_file(self, key: str, path: Path, *, mime: str) -> None:
        await asyncio.to_thread(self._adopt, key, path)

    async def put_bytes(self, key: str, data: bytes, *, mime: str) -> None:
        def write() -> None:
            partial = self._staged()
            partial.write_bytes(data)
            self._adopt(key, partial)

        await asyncio.to_thread(write)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def size(self, key: str) -> int:
        try:
            return (await asyncio.to_thread(self._path(key).stat)).st_size
        except FileNotFoundError:
            raise BlobMissing(key) from None

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            fh = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None
        try:
            await asyncio.to_thread(fh.seek, start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                chunk = await asyncio.to_thread(
                    fh.read, CHUNK if left is None else min(CHUNK, left)
                )
                if not chunk:
                    break
                if left is not None:
                    left -= len(chunk)
                yield chunk
        finally:
            fh.close()

    async def delete(self, key: str) -> None:
        path = self._path(key)

        def remove() -> None:
            path.unlink(missing_ok=True)
            # Drop folders left empty (the content-addressed fan-out), never the root.
            folder = path.parent
            while folder != self.root:
                try:
                    folder.rmdir()
                except OSError:  # not empty (or gone): stop there
                    break
                folder = folder.parent

        await asyncio.to_thread(remove)

    def _walk(self, prefix: str) -> list[tuple[str, int]]:
        found: list[tuple[str, int]] = []
        # Walk only the folder the prefix lies in (``cache/pages/abc`` → ``cache/pages``).
        head = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        top = self.root / check_key(head) if head else self.root
        if not top.is_dir():
            return found
        for folder, dirs, files in os.walk(top, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                path = Path(folder) / name
                if name.startswith(".") or path.is_symlink() or not path.is_file():
                    continue
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append((key, path.stat().st_size))
        return sorted(found)

    async def iterate(self, prefix: str = "") -> AsyncIterator[tuple[str, int]]:
        for item in await asyncio.to_thread(self._walk, prefix):
            yield item

    async def check(self) -> None:
        def probe() -> None:
            # A file made and removed: the disk is there, neither full nor read-only.
            with tempfile.NamedTemporaryFile(dir=self.staging_dir(), prefix=".ready-"):
                pass

        try:
            await asyncio.to_thread(probe)
        except OSError as exc:
            raise StorageUnavailable(f"{self.root} cannot be written: {exc}") from None

    async def close(self) -> None:
        return None
