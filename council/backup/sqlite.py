"""The SQLite stage: an online-backup snapshot of a live WAL database, and its restore."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from council.backup.common import MIGRATIONS_TABLE, BackupError, _qi, _Snapshot

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
