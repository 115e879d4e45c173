"""Shared fixtures: an isolated app per test on SQLite (always) or PostgreSQL (COUNCIL_TEST_DB=postgres).

The schema is built once per run by the real migrations; each test then gets a fresh copy (SQLite) or
emptied tables (PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import Tortoise, connections

from council import db
from council.settings import Settings

ENGINE = os.environ.get("COUNCIL_TEST_DB", "sqlite")
pytest_plugins = ["tests.browser", "tests.storage"]

PG_URL = os.environ.get("DATABASE_URL_TEST", "postgres://postgres@127.0.0.1:5432/postgres")


def pytest_report_header(config: pytest.Config) -> str:
    return f"council test database: {ENGINE}; redis: {os.environ.get('REDIS_URL') or 'off'}"


def _pg_url(name: str) -> str:
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def template_db(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database migrated from empty by the real migrations, once per run."""
    if ENGINE == "postgres":
        name = f"council_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
        settings = Settings.from_env(
            {}, data_dir=str(tmp_path_factory.mktemp("pgtemplate")), database_url=url
        )
        await db.migrate(settings)
        await Tortoise.close_connections()
        yield url
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = tmp_path_factory.mktemp("template")
        path = folder / "template.db"
        settings = Settings.from_env({}, data_dir=str(folder), database_url=f"sqlite://{path}")
        await db.migrate(settings)
        await Tortoise.close_connections()
        yield str(path)


async def _truncate_all() -> None:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'tortoise_migrations'"
    )
    if rows:
        names = ", ".join(f'"{r["tablename"]}"' for r in rows)
        await conn.execute_script(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
async def settings(tmp_path: Path, template_db: str) -> AsyncIterator[Settings]:
    """Settings of an isolated instance whose database is ready and connected."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if ENGINE == "postgres":
        url = template_db
    else:
        shutil.copy(template_db, data_dir / "council.db")
        url = f"sqlite://{data_dir / 'council.db'}"
    env = {"REDIS_URL": os.environ["REDIS_URL"]} if os.environ.get("REDIS_URL") else {}
    s = Settings.from_env(env, data_dir=str(data_dir), database_url=url, redis_url=None)
    await db.init(s)
    if ENGINE == "postgres":
        await _truncate_all()
    yield s
    await db.close()


@pytest.fixture
def app(settings: Settings) -> Any:
    from council.app import create_app

    return create_app(settings, manage_db=False)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def anon(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A second, separate client (e.g. a citizen or another delegate)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """``app`` served by a real uvicorn on a free loopback port, in this event loop."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        ws="websockets-sansio" if _has_sansio() else "auto",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def live_server(app: Any) -> AsyncIterator[str]:
    """The same app served by a real uvicorn on a free loopback port, in this event loop."""
    async with serving(app) as url:
        yield url


def _has_sansio() -> bool:
    try:
        import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401
    except ImportError:
        return False
    return True
