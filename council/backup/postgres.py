"""The PostgreSQL stage: ``pg_dump`` (a client at least as new as the server) or ``COPY`` of
every table in foreign-key order, in one repeatable-read snapshot; and its restore."""

from __future__ import annotations

import asyncio
import csv
import graphlib
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from council import db
from council.backup.common import (
    MIGRATIONS_TABLE,
    BackupError,
    _pg_dsn,
    _pg_env,
    _qi,
    _run,
    _Snapshot,
    _tool_major,
)
from council.settings import Settings

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
