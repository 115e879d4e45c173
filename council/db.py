"""Tortoise ORM configuration, start-up and migrations for every domain app."""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from tortoise import Tortoise

from council import keys
from council.compat import tortoise as compat_tortoise
from council.settings import Settings

# Order matters: later apps reference models of earlier ones.
APPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("council", ("council.models", "council.search.models", "council.signing.models")),
    ("meetings", ("meetings.models", "meetings.resolutions.models")),
    ("petitions", ("petitions.models",)),
    ("assistant", ("assistant.models",)),
    ("elections", ("elections.models",)),
    ("questioning", ("questioning.models",)),
)


log = logging.getLogger(__name__)

# A PostgreSQL pool keeps this many connections open (and warm) at all times; it opens more, up
# to the maximum, on demand, and closes those after five idle minutes.
POOL_MIN, POOL_MAX = 2, 10


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pool's connection, handed back to the pool without asyncpg's reset query.

    asyncpg sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` each time a
    connection goes back to the pool, and the caller waits for it: every ORM query outside a
    transaction cost two round trips, and a poll's opening, some twenty reads and writes, twice
    as many turns of a busy event loop. None of that state is ever left behind here: locks are
    ``pg_advisory_xact_lock`` (released at commit), settings ``SET LOCAL`` or reset by the one
    statement that sets them, cursors live in transactions, nothing LISTENs. A transaction left
    open is still rolled back on release (asyncpg does that without the query)."""

    def get_reset_query(self) -> str:
        return ""


ConnectHook = Callable[[Any], Awaitable[None]]
_connect_hooks: list[ConnectHook] = []


def on_connect(hook: ConnectHook) -> ConnectHook:
    """Run ``hook(connection)`` (a raw asyncpg connection) on every new PostgreSQL connection of
    the pool, before its first use: a domain's hot statement run once as a no-op, say, so that the
    first use of a fresh connection in the middle of a burst does not also pay for preparing the
    statement and for the server process's cold caches. A hook that fails is logged and skipped
    (before the migrations, its tables do not exist)."""
    _connect_hooks.append(hook)
    return hook


async def _connected(connection: Any) -> None:
    for hook in _connect_hooks:
        try:
            await hook(connection)
        except Exception:  # noqa: BLE001 — a warm-up only: the connection works without it
            log.debug("connection hook %r failed", hook, exc_info=True)


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def connection_config(database_url: str) -> dict[str, Any]:
    """Turn a DATABASE_URL into a Tortoise connection dict (SQLite gets WAL, FKs, a busy timeout)."""
    if database_url.startswith("sqlite"):
        path = database_url.split("://", 1)[1] or ":memory:"
        return {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "foreign_keys": "ON",
                "busy_timeout": 10000,
                "synchronous": "NORMAL",
            },
        }
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "asyncpg"):
        raise ValueError(f"unsupported DATABASE_URL scheme: {parts.scheme}")
    return {
        "engine": "tortoise.backends.asyncpg",
        "credentials": {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password or "",
            "database": (parts.path or "/council").lstrip("/"),
            "minsize": POOL_MIN,
            "maxsize": POOL_MAX,
            "init": _connected,
            "connection_class": PooledConnection,
        },
    }


def tortoise_config(database_url: str, only: tuple[str, ...] | None = None) -> dict[str, Any]:
    apps: dict[str, Any] = {}
    for label, modules in APPS:
        if only and label not in only:
            continue
        present = [m for m in modules if _exists(m)]
        # An app takes part once it has both models and a migrations package.
        if not present or not _exists(f"{label}.migrations"):
            continue
        apps[label] = {
            "models": present,
            "default_connection": "default",
            "migrations": f"{label}.migrations",
        }
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": apps,
        "use_tz": True,
        "timezone": "UTC",
    }


def _env_config() -> dict[str, Any]:
    # COUNCIL_APPS (comma-separated labels) limits the apps, for `makemigrations` of one app
    # before the others exist.
    only = tuple(a for a in os.environ.get("COUNCIL_APPS", "").split(",") if a) or None
    return tortoise_config(Settings.from_env().database_url, only)


class _LazyConfig(dict):  # type: ignore[type-arg]
    """``python -m tortoise -c council.db.TORTOISE_ORM`` reads this, resolved from the environment."""

    def __init__(self) -> None:
        super().__init__(_env_config())


TORTOISE_ORM: dict[str, Any] = _LazyConfig()


async def init(settings: Settings, *, shared: bool = False) -> None:
    """Connect the ORM. ``shared``: every task may use it, not only this one and its children;
    an ASGI server runs the lifespan and the requests in unrelated tasks."""
    keys.configure(settings.secret_key)
    # Tortoise caches each model's INSERT/UPDATE SQL per connection name and table, whatever the
    # engine: after an earlier init of "default" on SQLite in this process (a test, a backup
    # restored elsewhere), PostgreSQL would be sent SQLite's "?" placeholders.
    compat_tortoise.clear_executor_cache()
    await compat_tortoise.init(tortoise_config(settings.database_url), shared=shared)


async def close() -> None:
    await Tortoise.close_connections()


async def migrate(settings: Settings) -> None:
    """Apply every app's migrations (the same path as ``council migrate``)."""
    from tortoise.migrations.api.migrate import migrate as run

    await run(config=tortoise_config(settings.database_url))
