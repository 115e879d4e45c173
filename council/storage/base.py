"""What every storage backend offers, the errors it raises and the shape of its keys."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from council.errors import DomainError
from council.i18n import N_

CHUNK = 1 << 20
# Keys are relative, slash-separated and plain: no "..", no empty segment, no leading dot.
_KEY = re.compile(r"^(?!.*//)[A-Za-z0-9_][A-Za-z0-9._/-]{0,298}[A-Za-z0-9_]$")


class StorageUnavailable(DomainError):
    """The store cannot be reached or refused the request: 503, the node is not ready."""

    status = 503

    def __init__(self, reason: str) -> None:
        super().__init__(
            "storage_unavailable",
            N_("Stored files cannot be reached right now. Please try again in a moment."),
        )
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class BlobMissing(DomainError):
    """A row names an object the store does not hold."""

    status = 404

    def __init__(self, key: str) -> None:
        super().__init__("file_missing", N_("The stored file is missing."))
        self.key = key

    def __str__(self) -> str:
        return f"no stored object {self.key}"


def check_key(key: str) -> str:
    """``key`` when it is a plain relative key; ValueError otherwise (never a path escape)."""
    if not isinstance(key, str) or not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"not a storage key: {key!r}")
    if any(part.startswith(".") for part in key.split("/")):
        raise ValueError(f"not a storage key: {key!r}")
    return key


# Renderings derived from stored files (page images): shared by the nodes, drawn again when
# missing, never in a backup; an operator may delete the prefix at any time.
CACHE_PREFIX = "cache/"


def content_key(sha256: str) -> str:
    """The content address of a blob: ``sha256/ab/cd/abcd…`` (two levels keep folders small)."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Backend(Protocol):
    """One place where files live. Every method is safe to call from the event loop."""

    name: str  # "file" or "s3"

    def describe(self) -> str:
        """Where the files are, for operators (never a secret)."""
        ...

    def staging_dir(self) -> Path:
        """A local folder where an upload is spooled before ``put_file`` (same filesystem as
        the store for the local backend, so that ``put_file`` is a rename)."""
        ...

    async def put_file(self, key: str, path: Path, *, mime: str) -> None:
        """Store the local file ``path`` under ``key``, consuming it (it is moved or deleted)."""
        ...

    async def put_bytes(self, key: str, data: bytes, *, mime: str) -> None: ...

    async def exists(self, key: str) -> bool: ...

    async def size(self, key: str) -> int:
        """Size in bytes; BlobMissing when absent."""
        ...

    def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``start``..``end`` (inclusive; None: to the end) in chunks; BlobMissing
        when absent (raised on the first chunk)."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is absent."""
        ...

    def iterate(self, prefix: str = "") -> AsyncIterator[tuple[str, int]]:
        """Every object (whose key starts with ``prefix``) as (key, size), in key order."""
        ...

    async def check(self) -> None:
        """Cheap reachability probe for /readyz; StorageUnavailable when not usable."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The file itself when the store is a local folder (served with sendfile), else None."""
        ...

    async def close(self) -> None: ...
