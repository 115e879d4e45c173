"""aiosqlite internals: run a function in the connection's own database thread.

A whole transaction run there is one hop through the event loop, instead of one per statement;
a second connection would be a second SQLite writer against Tortoise's ("database is locked"),
so the ORM's own connection is used. Private: ``Connection._execute`` (run a callable in the
connection's thread) and ``Connection._conn`` (the ``sqlite3.Connection`` it wraps).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# The versions whose internals this module was checked against (pyproject.toml pins the same).
SUPPORTED = ("0.20", "0.23")  # >= first, < second


def in_thread(connection: Any) -> bool:
    """Whether ``connection`` (what Tortoise's SQLite client hands out) is an aiosqlite one."""
    return callable(getattr(connection, "_execute", None)) and hasattr(connection, "_conn")


async def run_in_thread(connection: Any, fn: Callable[..., T], *args: Any) -> T:
    """``fn(raw_sqlite3_connection, *args)`` in the connection's thread; its result or error."""
    raw: sqlite3.Connection = connection._conn
    result: T = await connection._execute(fn, raw, *args)
    return result
