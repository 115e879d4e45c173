"""``council backup`` / ``council restore``: a consistent copy of database, uploads and indexes.

A backup is a directory (or a ``.tar`` / ``.tar.gz`` / ``.tgz`` of one) holding::

    manifest.json        format, app version, engine, method, migrations, row counts, checksums
    database/            council.db (SQLite) | council.dump (pg_dump) | <table>.csv (COPY)
    uploads/             every object of the file store (STORAGE_URL: the data directory's
                         uploads/ or a bucket), one file per key
    index/               the search indexes

SQLite is copied with the sqlite3 online backup API, which reads one consistent snapshot of a live
WAL database. PostgreSQL is dumped with ``pg_dump`` when a client at least as new as the server is
installed, else by ``COPY`` of every table in foreign-key order; either way inside one
repeatable-read snapshot that the row counts of the manifest are also taken from.

The search indexes are copied while their writers' locks are held, and the database is read under
the same locks: pending index updates wait in the database's outbox, so the copied indexes match
the copied database. Stored files are copied after the database: a file is stored before the row
that names it commits, so every file the snapshot refers to is already in the store (a local
folder or a bucket: both are read through ``council.storage``, and a backup of one restores into
the other).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import fcntl
import graphlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from council import db, storage
from council.settings import Settings

FORMAT = 1
MIGRATIONS_TABLE = "tortoise_migrations"
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_CHUNK = 1 << 20
_TOC = re.compile(r"^_(?P<name>.+)_\d+\.toc$")


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, for the operator."""


# --- helpers ------------------------------------------------------------------------------------


def app_version() -> str:
    try:
        return metadata.version("council-platform")
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_tree(source: Path, target: Path) -> int:
    """Copy regular files (never following links) from ``source`` into ``target``; return the count."""
    count = 0
    if not source.is_dir():
        return 0
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            src = Path(folder) / name
            if src.is_symlink() or not src.is_file():
                continue
            dst = target / src.relative_to(source)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            count += 1
    return count


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def _index_lock_files(index_dir: Path) -> list[Path]:
    """The lock files an index writer holds: the search package's ``writer.lock`` (held for a whole
    batch, rebuild or clear) and Whoosh's own ``<name>_WRITELOCK`` (held for each commit)."""
    found: list[Path] = []
    if not index_dir.is_dir():
        return found
    for folder in sorted({p.parent for p in index_dir.rglob("*") if p.is_file()}):
        if (folder / "writer.lock").is_file():
            found.append(folder / "writer.lock")
        names = {m["name"] for p in folder.glob("_*.toc") if (m := _TOC.match(p.name))}
        found.extend(folder / f"{name}_WRITELOCK" for name in sorted(names))
    return found


def _try_flock(path: Path) -> int | None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextlib.asynccontextmanager
async def index_write_locks(index_dir: Path, wait: float = 120.0) -> AsyncIterator[int]:
    """Hold every index writer's locks (in the order writers take them) for the duration.

    While held, index updates wait in the database's outbox, so a database snapshot taken inside
    matches the copied indexes exactly. Yields the number of locks held."""
    fds: list[int] = []
    try:
        for path in await asyncio.to_thread(_index_lock_files, index_dir):
            deadline = time.monotonic() + wait
            while (fd := await asyncio.to_thread(_try_flock, path)) is None:
                if time.monotonic() > deadline:
                    raise BackupError(f"the search index {path.parent} stayed locked by a writer")
                await asyncio.sleep(0.1)
            fds.append(fd)
        yield len(fds)
    finally:
        for fd in reversed(fds):
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _pg_dsn(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}"


def _pg_env(url: str) -> dict[str, str]:
    """libpq variables for ``url``, so no password appears on a command line."""
    parts = urlsplit(url)
    env = dict(os.environ)
    env.update(
        PGHOST=parts.hostname or "127.0.0.1",
        PGPORT=str(parts.port or 5432),
        PGUSER=unquote(parts.username or "postgres"),
        PGDATABASE=unquote((parts.path or "/").lstrip("/")) or "postgres",
    )
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return env


def _tool_major(tool: str) -> int | None:
    """The major version of a PostgreSQL client tool, or None when it is not installed."""
    path = shutil.which(tool)
    if path is None:
        return None
    import subprocess

    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


async def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        *cmd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {err.decode(errors='replace').strip()}")


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.split("://", 1)[1])


def _engine(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgres"


@dataclass
class _Snapshot:
    method: str
    tables: dict[str, int]
    migrations: list[list[str]]


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        t: conn.execute(f"SELECT count(*) FROM {_qi(t)}").fetchone()[0]
        for t in _sqlite_tables(conn)
    }


def _sqlite_migrations(conn: sqlite3.Connection) -> list[list[str]]:
    if MIGRATIONS_TABLE not in _sqlite_tables(conn):
        return []
    rows = conn.execute(f'SELECT app, name FROM "{MIGRATIONS_TABLE}" ORDER BY app, name').fetchall()
    return [[a, n] for a, n in rows]


def _sqlite_backup(source: Path, target: Path) -> _Snapshot:
    if not source.exists():
        raise BackupError(f"no database at {source}; run `council migrate` first")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one step: a single read transaction, so one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        return _Snapshot("sqlite3-backup-api", _sqlite_counts(dst), _sqlite_migrations(dst))
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, target: Path) -> dict[str, int]:
    if target.exists():
        with contextlib.closing(sqlite3.connect(target)) as probe:
            if _sqlite_tables(probe):
                raise BackupError(f"the database {target} is not empty; restore needs an empty one")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the restored database fails its integrity check: {check}")
        if dst.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError("the restored database has rows whose foreign keys point nowhere")
        return _sqlite_counts(dst)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------------


async def _pg_tables(conn: Any) -> list[str]:
    """The tables a backup holds: all but the search tables (``fts_…``, PostgreSQL's search
    indexes), which are derived from the rest. ``pg_dump`` copies them anyway; after a restore
    of a ``copy`` backup, ``council reindex`` rebuilds them."""
    rows = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename NOT LIKE 'fts\\_%' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows]


async def _pg_order(conn: Any) -> list[str]:
    """Every table, each after the tables its foreign keys point to."""
    tables = await _pg_tables(conn)
    edges = await conn.fetch(
        """SELECT c.relname AS child, p.relname AS parent
           FROM pg_constraint k
           JOIN pg_class c ON c.oid = k.conrelid
           JOIN pg_class p ON p.oid = k.confrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE k.contype = 'f' AND n.nspname = current_schema()"""
    )
    graph: dict[str, set[str]] = {t: set() for t in tables}
    for e in edges:
        if e["child"] != e["parent"] and e["child"] in graph and e["parent"] in graph:
            graph[e["child"]].add(e["parent"])
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise BackupError(f"foreign keys form a cycle between tables: {exc.args[1]}") from None


async def _pg_counts(conn: Any, tables: list[str]) -> dict[str, int]:
    return {t: int(await conn.fetchval(f"SELECT count(*) FROM {_qi(t)}")) for t in sorted(tables)}


async def _pg_migrations(conn: Any, tables: list[str]) -> list[list[str]]:
    if MIGRATIONS_TABLE not in tables:
        return []
    rows = await conn.fetch(f'SELECT app, name FROM "{MIGRATIONS_TABLE}" ORDER BY app, name')
    return [[r["app"], r["name"]] for r in rows]


async def _pg_choose_method(conn: Any, method: str | None) -> str:
    server = int(await conn.fetchval("SHOW server_version_num")) // 10000
    dump = _tool_major("pg_dump")
    usable = dump is not None and dump >= server
    if method == "pg_dump" and not usable:
        raise BackupError(
            f"pg_dump {dump or 'not installed'} cannot dump a PostgreSQL {server} server"
        )
    if method in ("pg_dump", "copy"):
        return method
    return "pg_dump" if usable else "copy"


async def _pg_backup(url: str, folder: Path, method: str | None) -> _Snapshot:
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        chosen = await _pg_choose_method(conn, method)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            order = await _pg_order(conn)
            counts = await _pg_counts(conn, order)
            migrations = await _pg_migrations(conn, order)
            if chosen == "pg_dump":
                # pg_dump reads the very snapshot the counts came from.
                await _run(
                    [
                        shutil.which("pg_dump") or "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={folder / 'council.dump'}",
                    ],
                    _pg_env(url),
                )
            else:
                for table in order:
                    await conn.copy_from_table(
                        table, output=str(folder / f"{table}.csv"), format="csv", header=True
                    )
                (folder / "tables.json").write_text(json.dumps(order))
        return _Snapshot(chosen, counts, migrations)
    finally:
        await conn.close()


async def _pg_connect_empty(url: str) -> Any:
    """Connect to the target database, creating it when missing; refuse one that has tables."""
    import asyncpg

    try:
        conn = await asyncpg.connect(_pg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        parts = urlsplit(_pg_dsn(url))
        name = unquote(parts.path.lstrip("/"))
        admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
        try:
            await admin.execute(f"CREATE DATABASE {_qi(name)}")
        finally:
            await admin.close()
        conn = await asyncpg.connect(_pg_dsn(url))
    tables = await _pg_tables(conn)
    if tables:
        await conn.close()
        raise BackupError(
            f"the target database already has {len(tables)} tables; restore needs an empty one"
        )
    return conn


async def _migrate_isolated(settings: Settings) -> None:
    """Apply the migrations to ``settings``' database without touching the caller's ORM state."""
    from tortoise.context import TortoiseContext

    async def run() -> None:
        async with TortoiseContext():
            await db.migrate(settings)

    await asyncio.create_task(run())


async def _pg_restore(settings: Settings, folder: Path, manifest: dict[str, Any]) -> dict[str, int]:
    import asyncpg

    url = settings.database_url
    conn = await _pg_connect_empty(url)
    try:
        method = manifest["database"]["method"]
        if method == "pg_dump":
            restore = _tool_major("pg_restore")
            if restore is None:
                raise BackupError("this backup was made with pg_dump; pg_restore is not installed")
            await _run(
                [
                    shutil.which("pg_restore") or "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={_pg_env(url)['PGDATABASE']}",
                    str(folder / "council.dump"),
                ],
                _pg_env(url),
            )
        else:
            await conn.close()
            await _migrate_isolated(settings)  # the schema comes from the same migrations
            conn = await asyncpg.connect(_pg_dsn(url))
            got = await _pg_migrations(conn, await _pg_tables(conn))
            if got != manifest["migrations"]:
                raise BackupError(
                    "this backup was made at another schema version; restore it with "
                    "the release that made it"
                )
            order: list[str] = json.loads((folder / "tables.json").read_text())
            async with conn.transaction():
                # The migrations table as it was, not as the migration run just wrote it.
                await conn.execute(f'TRUNCATE "{MIGRATIONS_TABLE}"')
                for table in order:
                    path = folder / f"{table}.csv"
                    with path.open(newline="", encoding="utf-8") as fh:
                        columns = next(csv.reader(fh))
                    await conn.copy_to_table(
                        table, source=str(path), columns=columns, format="csv", header=True
                    )
                await _pg_reset_sequences(conn)
        return await _pg_counts(conn, await _pg_tables(conn))
    finally:
        await conn.close()


async def _pg_reset_sequences(conn: Any) -> None:
    """Move every serial/identity sequence past the highest key restored."""
    rows = await conn.fetch(
        """SELECT c.relname AS tbl, a.attname AS col,
                  pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
             AND n.nspname = current_schema()"""
    )
    for r in rows:
        if r["seq"]:
            await conn.execute(
                f"SELECT setval($1, COALESCE((SELECT max({_qi(r['col'])}) FROM {_qi(r['tbl'])}), 0) + 1, false)",
                r["seq"],
            )


# --- stored files -------------------------------------------------------------------------------


async def _copy_store(store: storage.Backend, target: Path) -> tuple[int, int]:
    """Copy every object of ``store`` into ``target``/KEY; return (objects, bytes)."""
    count = total = 0
    async for key, _size in store.iterate():
        dst = target / storage.check_key(key)
        await asyncio.to_thread(dst.parent.mkdir, parents=True, exist_ok=True)
        with dst.open("wb") as out:
            async for chunk in store.open(key):
                await asyncio.to_thread(out.write, chunk)
                total += len(chunk)
        count += 1
    return count, total


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
