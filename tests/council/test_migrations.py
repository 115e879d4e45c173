"""Migrations: from an empty database to the latest on both engines, and in step with the models."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import pkgutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from council import db
from tests.conftest import PG_URL, _pg_url

HAS_PG = bool(os.environ.get("DATABASE_URL_TEST"))


def _migrate(data_dir: Path, database_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SECRET_KEY")}
    env.update(COUNCIL_DATA_DIR=str(data_dir), DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "-m", "council.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _expected_migrations() -> set[tuple[str, str]]:
    """Every migration module of every app that takes part."""
    found = set()
    for label, app in db.tortoise_config("sqlite://:memory:")["apps"].items():
        package = importlib.import_module(app["migrations"])
        for module in pkgutil.iter_modules(package.__path__):
            if module.name[:4].isdigit():
                found.add((label, module.name))
    return found


def _expected_tables() -> dict[str, set[str]]:
    """table -> columns, from the models as Tortoise sees them."""

    async def read() -> dict[str, set[str]]:
        async with TortoiseContext() as ctx:
            await ctx.init(config=db.tortoise_config("sqlite://:memory:"))
            assert ctx.apps is not None
            tables: dict[str, set[str]] = {}
            for models in ctx.apps.values():
                for model in models.values():
                    meta = model._meta
                    tables[meta.db_table] = set(meta.fields_db_projection.values())
                    for field in meta.m2m_fields:
                        through = meta.fields_map[field].through  # type: ignore[attr-defined]
                        tables.setdefault(through, set())
            return tables

    return asyncio.run(read())


def _sqlite_schema(path: Path) -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        tables = {n: {r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')} for n in names}
        applied = set(conn.execute("SELECT app, name FROM tortoise_migrations").fetchall())
        assert conn.execute("PRAGMA foreign_key_check").fetchone() is None
        return tables, applied
    finally:
        conn.close()


def _pg_schema(url: str) -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    import asyncpg

    async def read() -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            rows = await conn.fetch(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema()"
            )
            tables: dict[str, set[str]] = {}
            for r in rows:
                tables.setdefault(r["table_name"], set()).add(r["column_name"])
            applied: set[tuple[str, str]] = set()
            if "tortoise_migrations" in tables:
                rows = await conn.fetch("SELECT app, name FROM tortoise_migrations")
                applied = {(r["app"], r["name"]) for r in rows}
            return tables, applied
        finally:
            await conn.close()

    return asyncio.run(read())


def _pg_admin_sync(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    if not HAS_PG:
        pytest.skip("needs PostgreSQL (DATABASE_URL_TEST)")
    name = f"council_mig_{uuid.uuid4().hex[:10]}"
    _pg_admin_sync(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _pg_admin_sync(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check(tables: dict[str, set[str]], applied: set[tuple[str, str]]) -> None:
    assert applied == _expected_migrations()
    expected = _expected_tables()
    missing = sorted(set(expected) - set(tables))
    assert not missing, f"tables the models need but the migrations did not create: {missing}"
    wrong = {
        t: sorted(expected[t] ^ tables[t])
        for t in expected
        if expected[t] and expected[t] != tables[t]
    }
    assert not wrong, f"columns that differ between models and migrated tables: {wrong}"
    extra = sorted(set(tables) - set(expected) - {"tortoise_migrations"})
    assert not extra, f"tables no model describes: {extra}"


def test_sqlite_from_empty_to_latest(tmp_path: Path) -> None:
    path = tmp_path / "council.db"
    assert not path.exists()
    assert "migrations applied" in _migrate(tmp_path, f"sqlite://{path}")
    _check(*_sqlite_schema(path))
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert "migrations applied" in _migrate(tmp_path, f"sqlite://{path}")  # again: nothing to do
    _check(*_sqlite_schema(path))


def test_postgres_from_empty_to_latest(tmp_path: Path, fresh_pg: str) -> None:
    tables, applied = _pg_schema(fresh_pg)
    assert not applied and "council" not in tables
    _migrate(tmp_path, fresh_pg)
    _check(*_pg_schema(fresh_pg))
    _migrate(tmp_path, fresh_pg)
    _check(*_pg_schema(fresh_pg))


def test_the_migrations_match_the_models() -> None:
    """What `python -m tortoise makemigrations` would write: nothing."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = db.tortoise_config("sqlite://:memory:")

    async def detect() -> list[Any]:
        async with TortoiseContext() as ctx:
            await ctx.init(config=config)
            assert ctx.apps is not None
            writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
            return [(w.app_label, [type(op).__name__ for op in w.operations]) for w in writers]

    pending = asyncio.run(detect())
    assert pending == [], (
        f"models changed without a migration: {pending}; run `python -m tortoise -c "
        "council.db.TORTOISE_ORM makemigrations <app>`"
    )


def test_every_package_with_models_takes_part() -> None:
    """A package whose models exist but whose migrations package is missing would be silently
    left out of the database."""
    apps = db.tortoise_config("sqlite://:memory:")["apps"]
    for label, modules in db.APPS:
        for module in modules:
            if importlib.util.find_spec(module) is not None:
                assert label in apps, f"{module} exists but {label}.migrations does not"


def test_a_column_added_to_a_table_with_rows_has_a_database_default() -> None:
    """Adding a NOT NULL column to a table that already has rows needs a default in the database
    (``db_default``): ``default=`` alone is Python's, and SQLite then refuses the upgrade of a
    running council ("Cannot add a NOT NULL column with default value NULL")."""
    from tortoise.fields.base import DB_DEFAULT_NOT_SET
    from tortoise.migrations import operations as migration_ops

    offenders = []
    for label, _modules in db.APPS:
        package = f"{label}.migrations"
        if importlib.util.find_spec(package) is None:
            continue
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
            migration = importlib.import_module(f"{package}.{info.name}").Migration
            for op in migration.operations:
                if not isinstance(op, migration_ops.AddField):
                    continue
                field = op.field
                has_db_default = getattr(field, "db_default", None) not in (
                    None,
                    DB_DEFAULT_NOT_SET,
                )
                if not field.null and not has_db_default:
                    offenders.append(f"{label}.{info.name}: {op.model_name}.{op.name}")
    assert not offenders, f"NOT NULL columns added without db_default: {offenders}"
