"""``council restore``: unpack, check the manifest and every checksum, refuse a non-empty target,
then load the database, the stored files and the indexes."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import uuid
from pathlib import Path
from typing import Any

from council import storage
from council.backup.common import (
    FORMAT,
    BackupError,
    _copy_tree,
    _engine,
    _has_files,
    _sqlite_path,
    sha256_file,
)
from council.backup.postgres import _pg_restore
from council.backup.sqlite import _sqlite_restore
from council.settings import Settings


async def _store_is_empty(store: storage.Backend) -> bool:
    async for _item in store.iterate():
        return False
    return True


async def _restore_store(folder: Path, store: storage.Backend, manifest: dict[str, Any]) -> int:
    """Put every backed-up object into ``store`` and read each back against its checksum."""
    listed = sorted(rel for rel in manifest["files"] if rel.startswith("uploads/"))
    for rel in listed:
        key = storage.check_key(rel.split("/", 1)[1])
        # put_file consumes its file: give it a copy, never the backup's own.
        staged = store.staging_dir() / f"{uuid.uuid4().hex}.partial"
        await asyncio.to_thread(shutil.copyfile, folder / rel, staged)
        await store.put_file(key, staged, mime="application/octet-stream")
    for rel in listed:
        digest = hashlib.sha256()
        async for chunk in store.open(rel.split("/", 1)[1]):
            digest.update(chunk)
        if digest.hexdigest() != manifest["files"][rel]["sha256"]:
            raise BackupError(f"{rel} changed while being restored")
    return len(listed)


# --- restore ------------------------------------------------------------------------------------


def _unpack(source: Path, into: Path) -> Path:
    with tarfile.open(source) as tar:
        tar.extractall(into, filter="data")
    return into


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        raise BackupError(f"{folder} is not a council backup (no manifest.json)")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT or manifest.get("app") != "council-platform":
        raise BackupError("unknown backup format")
    return manifest


def verify_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Raise BackupError naming the first file that is missing, extra or changed."""
    listed: dict[str, dict[str, Any]] = manifest["files"]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    present.discard("manifest.json")
    for rel in sorted(set(listed) - present):
        raise BackupError(f"{rel} is listed in the manifest but missing from the backup")
    for rel in sorted(present - set(listed)):
        raise BackupError(f"{rel} is in the backup but not in its manifest")
    for rel, meta in sorted(listed.items()):
        if sha256_file(folder / rel) != meta["sha256"]:
            raise BackupError(f"{rel} does not match its checksum: the backup is damaged")


def _check_restore_target(settings: Settings, path: str | os.PathLike[str]) -> Path:
    source = Path(path).absolute()
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if _has_files(settings.index_dir):
        raise BackupError(
            f"{settings.index_dir} is not empty; restore needs an empty data directory"
        )
    return source


def _restore_index(folder: Path, settings: Settings, manifest: dict[str, Any]) -> int:
    restored = _copy_tree(folder / "index", settings.index_dir)
    for rel, meta in manifest["files"].items():
        if (
            rel.startswith("index/")
            and sha256_file(settings.index_dir / rel.split("/", 1)[1]) != meta["sha256"]
        ):
            raise BackupError(f"{rel} changed while being restored")
    return restored


async def restore(settings: Settings, path: str | os.PathLike[str]) -> str:
    """Restore a backup into ``settings``' instance, whose database and data folders must be empty.

    Checks every file against the manifest first, and the restored row counts and files after."""
    source = await asyncio.to_thread(_check_restore_target, settings, path)
    store = storage.from_settings(settings)
    try:
        return await _restore(settings, source, store)
    except storage.StorageUnavailable as exc:
        raise BackupError(f"the file store {store.describe()} cannot be used: {exc}") from None
    finally:
        await store.close()


async def _restore(settings: Settings, source: Path, store: storage.Backend) -> str:
    if not await _store_is_empty(store):
        raise BackupError(
            f"the file store {store.describe()} is not empty; restore needs an empty one"
        )
    with tempfile.TemporaryDirectory(prefix=".council-restore-", dir=settings.data_dir) as tmp:
        if await asyncio.to_thread(source.is_file):
            folder = await asyncio.to_thread(_unpack, source, Path(tmp))
        else:
            folder = source
        manifest = await asyncio.to_thread(_read_manifest, folder)
        await asyncio.to_thread(verify_files, folder, manifest)
        engine = _engine(settings)
        if manifest["engine"] != engine:
            raise BackupError(
                f"this is a {manifest['engine']} backup; the target database is {engine}"
            )
        if settings.is_sqlite:
            counts = await asyncio.to_thread(
                _sqlite_restore, folder / "database" / "council.db", _sqlite_path(settings)
            )
        else:
            counts = await _pg_restore(settings, folder / "database", manifest)
        if counts != manifest["tables"]:
            expected = manifest["tables"]
            diff = sorted(
                t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t)
            )
            raise BackupError(f"row counts differ after restore in: {', '.join(diff)}")
        restored = await _restore_store(folder, store, manifest)
        restored += await asyncio.to_thread(_restore_index, folder, settings, manifest)
    rows = sum(counts.values())
    return (
        f"restored {source} (made {manifest['created_at']} by version {manifest['version']})\n"
        f"  engine {engine} ({manifest['database']['method']}): {len(counts)} tables, "
        f"{rows} rows verified\n  {restored} files restored and verified"
    )
