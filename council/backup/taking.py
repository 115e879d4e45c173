"""``council backup``: the database's snapshot under the indexes' write locks, then the indexes, then
the stored files; checksums and the manifest; published in one rename (or as a tar)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from council import storage
from council.backup.common import (
    FORMAT,
    TAR_SUFFIXES,
    BackupError,
    _copy_tree,
    _engine,
    _sqlite_path,
    app_version,
    index_write_locks,
    sha256_file,
)
from council.backup.postgres import _pg_backup
from council.backup.sqlite import _sqlite_backup
from council.settings import Settings

# --- stored files -------------------------------------------------------------------------------


async def _copy_store(store: storage.Backend, target: Path) -> tuple[int, int]:
    """Copy every object of ``store`` into ``target``/KEY; return (objects, bytes). Renderings
    kept under ``cache/`` (page images, derived from the documents and drawn again when missing)
    are left out: they would make a backup of a year of sittings several times its size."""
    count = total = 0
    async for key, _size in store.iterate():
        if key.startswith(storage.CACHE_PREFIX):
            continue
        dst = target / storage.check_key(key)
        await asyncio.to_thread(dst.parent.mkdir, parents=True, exist_ok=True)
        with dst.open("wb") as out:
            async for chunk in store.open(key):
                await asyncio.to_thread(out.write, chunk)
                total += len(chunk)
        count += 1
    return count, total


# --- backup -------------------------------------------------------------------------------------


def _checksums(root: Path) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "manifest.json"):
        rel = path.relative_to(root).as_posix()
        files[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    return files


def _is_tar(path: Path) -> bool:
    return path.name.endswith(TAR_SUFFIXES)


def _check_new_path(path: str | os.PathLike[str]) -> Path:
    target = Path(path).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists; give a new path")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _publish(work: Path, target: Path) -> None:
    """Move the finished backup into place: as a directory, or packed into a tar file."""
    if not _is_tar(target):
        if target.exists():
            target.rmdir()
        work.replace(target)
        return
    partial = target.with_name(target.name + ".partial")
    compress = target.name.endswith(("gz", "tgz"))
    with tarfile.open(partial, "w:gz") if compress else tarfile.open(partial, "w") as tar:
        for item in sorted(work.iterdir()):
            tar.add(item, arcname=item.name)
    partial.replace(target)


async def backup(
    settings: Settings, path: str | os.PathLike[str], *, method: str | None = None
) -> str:
    """Write a backup of ``settings``' instance to ``path`` (a new directory, or a .tar/.tar.gz/.tgz).

    ``method`` forces the PostgreSQL method (``pg_dump`` or ``copy``); by default ``pg_dump`` is used
    when a client at least as new as the server is installed. Returns a short summary."""
    target = await asyncio.to_thread(_check_new_path, path)
    work = Path(tempfile.mkdtemp(prefix=".council-backup-", dir=target.parent))
    try:
        database = work / "database"
        database.mkdir()
        async with index_write_locks(settings.index_dir):
            if settings.is_sqlite:
                snap = await asyncio.to_thread(
                    _sqlite_backup, _sqlite_path(settings), database / "council.db"
                )
            else:
                snap = await _pg_backup(settings.database_url, database, method)
            indexed = await asyncio.to_thread(_copy_tree, settings.index_dir, work / "index")
        # Stored files after the database: see the module docstring.
        store = storage.from_settings(settings)
        try:
            uploads, stored_bytes = await _copy_store(store, work / "uploads")
        except storage.StorageUnavailable as exc:
            raise BackupError(f"the file store {store.describe()} cannot be read: {exc}") from None
        finally:
            await store.close()
        files = await asyncio.to_thread(_checksums, work)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "app": "council-platform",
            "version": app_version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": _engine(settings),
            "database": {"method": snap.method},
            "migrations": snap.migrations,
            "tables": snap.tables,
            "storage": {"backend": store.name, "objects": uploads, "bytes": stored_bytes},
            "files": files,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        await asyncio.to_thread((work / "manifest.json").write_text, text)
        await asyncio.to_thread(_publish, work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = sum(snap.tables.values())
    return (
        f"backup written to {target}\n"
        f"  engine {manifest['engine']} ({snap.method}): {len(snap.tables)} tables, {rows} rows\n"
        f"  {uploads} stored files ({store.describe()}), {indexed} index files; "
        f"{len(files)} files checksummed"
    )
