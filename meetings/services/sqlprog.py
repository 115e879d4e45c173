"""Transactions written once, as a generator of SQL statements, run in as few event-loop turns as
the database allows.

Under a burst of events every ``await`` on the database costs a turn of a flooded event loop
(tens of milliseconds). A program here yields its statements (``query``/``many``, the protocol of
``council.audit.append_steps``) and gets each query's rows back, so the same code runs:

- on SQLite, synchronously in aiosqlite's thread, between ``BEGIN IMMEDIATE`` and ``COMMIT``, while
  holding the ORM connection's lock: the whole transaction is one hop through the event loop;
- elsewhere (PostgreSQL), statement by statement in an ORM transaction.

An exception raised by the program (a DomainError, say) rolls the transaction back and propagates.
Programs write ``?`` placeholders; they are numbered for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from functools import lru_cache
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from council.audit import Step
from meetings.models import Poll

T = TypeVar("T")
Program = Generator[Step, Any, T]


def query(sql: str, *params: Any) -> Step:
    """A statement whose rows (possibly none) are sent back to the program."""
    return (sql, list(params), False)


def many(sql: str, rows: list[list[Any]] | list[tuple[Any, ...]]) -> Step:
    """An executemany; ``None`` is sent back."""
    return (sql, list(rows), True)


@lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]


def _client() -> BaseDBAsyncClient:
    client = Poll._meta.db
    while getattr(client, "_parent", None) is not None:  # a transaction's wrapper
        client = client._parent
    return client


def dialect() -> str:
    return str(_client().capabilities.dialect)


async def run(make: Callable[[str], Program[T]], on_commit: Callable[[T], None] | None = None) -> T:
    """Run the program ``make(dialect)`` in one transaction and return what it returns.

    ``on_commit(result)`` is called on the event loop right after the commit, possibly a turn of
    the loop before this coroutine resumes (answer waiting callers early).
    """
    client = _client()
    name = client.capabilities.dialect
    if name == "sqlite" and hasattr(client, "acquire_connection"):
        async with client.acquire_connection() as conn:
            execute = getattr(conn, "_execute", None)  # aiosqlite: run a callable in its thread
            if execute is not None:
                loop = asyncio.get_running_loop()
                notify = (
                    (lambda value: loop.call_soon_threadsafe(on_commit, value))
                    if on_commit
                    else None
                )
                result: T = await execute(_run_sqlite, conn._conn, make(name), notify)
                return result
    async with in_transaction() as conn:
        result = await _run_async(conn, make(name), pg=name == "postgres")
    if on_commit is not None:
        on_commit(result)
    return result


# SQLite allows 32766 parameters a statement (3.32+); stay well below.
_MAX_PARAMS = 8000


def _insert_rows(db: sqlite3.Connection, sql: str, rows: list[Any]) -> None:
    """An INSERT of many rows as multi-row ``VALUES`` statements rather than executemany: one
    call into SQLite (one release of the GIL, which under load takes a while to get back)
    instead of one per row."""
    head, values = sql.rsplit(" VALUES ", 1) if " VALUES " in sql else (sql, "")
    if not rows or not head.lstrip().upper().startswith("INSERT") or not values.startswith("("):
        db.executemany(sql, rows)
        return
    width = len(rows[0])
    chunk = max(1, _MAX_PARAMS // max(1, width))
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        db.execute(
            f"{head} VALUES {', '.join([values] * len(part))}",
            [value for row in part for value in row],
        )


def _run_sqlite(
    db: sqlite3.Connection, program: Program[T], notify: Callable[[T], object] | None = None
) -> T:
    db.execute("BEGIN IMMEDIATE")  # the write lock first, as every writer of ours takes it
    try:
        reply: Any = None
        while True:
            try:
                sql, params, is_many = program.send(reply)
            except StopIteration as done:
                db.execute("COMMIT")
                if notify is not None:
                    try:
                        notify(done.value)
                    except RuntimeError:  # the loop is closing: the caller answers on return
                        pass
                return done.value  # type: ignore[no-any-return]
            if is_many:
                _insert_rows(db, sql, params)
                reply = None
            else:
                reply = db.execute(sql, params).fetchall()
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


async def _run_async(conn: BaseDBAsyncClient, program: Program[T], *, pg: bool) -> T:
    reply: Any = None
    while True:
        try:
            sql, params, is_many = program.send(reply)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        if pg:
            sql = _numbered(sql)
        if is_many:
            await conn.execute_many(sql, [list(row) for row in params])
            reply = None
        else:
            reply = await conn.execute_query_dict(sql, params)
