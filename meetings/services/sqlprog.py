"""Transactions written once, as a generator of SQL statements, run in as few event-loop turns as
the database allows.

Under a burst of events every ``await`` on the database costs a turn of a flooded event loop
(tens of milliseconds). A program here yields its statements (``query``/``many``, the protocol of
``council.audit.append_steps``) and gets each query's rows back, so the same code runs:

- on SQLite, synchronously in aiosqlite's thread, between ``BEGIN IMMEDIATE`` and ``COMMIT``, while
  holding the ORM connection's lock: the whole transaction is one hop through the event loop
  (``run_each``: a whole series of transactions, back to back);
- on PostgreSQL, statement by statement in a transaction on a pooled asyncpg connection.

An exception raised by the program (a DomainError, say) rolls the transaction back and propagates.
Programs write ``?`` placeholders; they are numbered for PostgreSQL.

A program's steps may start with ``alone`` ones: statements that are each a whole transaction by
themselves. On PostgreSQL ``run`` and ``run_each`` send them with no BEGIN or COMMIT around them
(one round trip instead of three); should one fail on a constraint, the ``IntegrityError`` is
thrown into the program, which may then go on: the first ordinary step begins a transaction for
the rest. Everywhere else an ``alone`` step is an ordinary statement of the program's transaction
(and its errors propagate).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council.audit import Step, numbered
from council.compat import aiosqlite as compat_aiosqlite
from council.compat import tortoise as compat_tortoise
from meetings.models import Poll

T = TypeVar("T")
C = TypeVar("C")
Program = Generator[Step, Any, T]


def query(sql: str, *params: Any) -> Step:
    """A statement whose rows (possibly none) are sent back to the program."""
    return (sql, list(params), False)


def many(sql: str, rows: list[list[Any]] | list[tuple[Any, ...]]) -> Step:
    """An executemany; ``None`` is sent back."""
    return (sql, list(rows), True)


class _Alone(tuple):  # type: ignore[type-arg]
    """A step marked as a transaction by itself (see the module's docstring)."""


def alone(sql: str, *params: Any) -> Step:
    """A query that is a whole transaction by itself when no ordinary step has come before it."""
    return _Alone((sql, list(params), False))  # type: ignore[return-value]


def _client() -> BaseDBAsyncClient:
    return compat_tortoise.root_client(Poll._meta.db)


def dialect() -> str:
    return str(_client().capabilities.dialect)


async def run(make: Callable[[str], Program[T]]) -> T:
    """Run the program ``make(dialect)`` in one transaction and return what it returns."""
    client = _client()
    name = client.capabilities.dialect
    if name == "sqlite" and hasattr(client, "acquire_connection"):
        async with client.acquire_connection() as conn:
            if compat_aiosqlite.in_thread(conn):
                return await compat_aiosqlite.run_in_thread(conn, _run_sqlite, make(name))
    if name == "postgres":
        # Straight on a pooled asyncpg connection, as ``run_each``: the ORM's transaction
        # wrapper costs a few milliseconds of the event loop around the program's round trips.
        async with client.acquire_connection() as con:
            return await _run_asyncpg_series(con, make(name))
    async with in_transaction() as conn:
        return await _run_async(conn, make(name))


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


async def run_each(
    take: Callable[[str], tuple[C, Program[T]] | None],
    committed: Callable[[C, T], None],
    failed: Callable[[C, Exception], None],
) -> None:
    """Run programs one after another, each in its own transaction, for as long as
    ``take(dialect)`` gives one (with a context handed back to the callbacks).

    On SQLite they all run back to back in the database thread, in one hop: no turn of the event
    loop between one commit and the next transaction. ``take`` is then called in that thread and
    must be thread-safe; ``committed(context, result)`` and ``failed(context, error)`` are always
    called on the event loop, in order.
    """
    client = _client()
    name = client.capabilities.dialect
    if name == "sqlite" and hasattr(client, "acquire_connection"):
        async with client.acquire_connection() as conn:
            if compat_aiosqlite.in_thread(conn):
                loop = asyncio.get_running_loop()
                # The callbacks run in this task's context (the ORM's, the language…), as
                # they would had they been called here.
                callers = contextvars.copy_context()

                def later(callback: Callable[..., None], *args: Any) -> None:
                    try:
                        loop.call_soon_threadsafe(callback, *args, context=callers)
                    except RuntimeError:  # the loop is closing: nobody is waiting any more
                        pass

                await compat_aiosqlite.run_in_thread(
                    conn, _each_sqlite, name, take, committed, failed, later
                )
                return
    if name == "postgres":
        # One pooled connection for the whole series, each program in its own transaction on
        # it: no pool acquire and release (a reset round trip) between one batch and the next.
        async with client.acquire_connection() as con:
            while (item := take(name)) is not None:
                context, program = item
                try:
                    result = await _run_asyncpg_series(con, program)
                except Exception as exc:  # the callback decides; the next program still runs
                    failed(context, exc)
                else:
                    committed(context, result)
        return
    while (item := take(name)) is not None:
        context, program = item
        try:
            async with in_transaction() as tx:
                result = await _run_async(tx, program)
        except Exception as exc:  # the callback decides; the next program still runs
            failed(context, exc)
        else:
            committed(context, result)


def _each_sqlite(
    db: sqlite3.Connection,
    name: str,
    take: Callable[[str], tuple[C, Program[T]] | None],
    committed: Callable[[C, T], None],
    failed: Callable[[C, Exception], None],
    later: Callable[..., None],
) -> None:
    while (item := take(name)) is not None:
        context, program = item
        try:
            result = _run_sqlite(db, program)
        except Exception as exc:
            later(failed, context, exc)
        else:
            later(committed, context, result)


def _run_sqlite(db: sqlite3.Connection, program: Program[T]) -> T:
    db.execute("BEGIN IMMEDIATE")  # the write lock first, as every writer of ours takes it
    try:
        reply: Any = None
        while True:
            try:
                sql, params, is_many = program.send(reply)
            except StopIteration as done:
                db.execute("COMMIT")
                return done.value  # type: ignore[no-any-return]
            if is_many:
                _insert_rows(db, sql, params)
                reply = None
            else:
                reply = db.execute(sql, params).fetchall()
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.IntegrityError):  # as the ORM reports it
            raise IntegrityError(exc) from exc
        raise


@dataclass
class SeriesStats:
    """What PostgreSQL's ``run_each`` sent: statements on their own, and transactions begun."""

    alone: int = 0
    transactions: int = 0


SERIES = SeriesStats()


async def _run_asyncpg_series(con: Any, program: Program[T]) -> T:
    """A program on a raw asyncpg connection in its own transaction, opened lazily: ``alone``
    steps before any other are sent outside any transaction (autocommit), and a transaction is
    begun at the first ordinary step, for it and the steps that follow."""
    transaction = None
    reply: Any = None
    error: Exception | None = None
    try:
        while True:
            try:
                step = program.send(reply) if error is None else program.throw(error)
            except StopIteration as done:
                if transaction is not None:
                    # A failed COMMIT ends the transaction too: nothing to roll back after it.
                    ending, transaction = transaction, None
                    await ending.commit()
                return done.value  # type: ignore[no-any-return]
            sql, params, is_many = step
            reply, error = None, None
            if transaction is None and isinstance(step, _Alone):
                SERIES.alone += 1
                try:
                    reply = await con.fetch(numbered(sql), *params)
                except asyncpg.IntegrityConstraintViolationError as exc:
                    error = IntegrityError(exc)
                continue
            if transaction is None:
                SERIES.transactions += 1
                transaction = con.transaction()
                await transaction.start()
            try:
                if is_many:
                    await con.executemany(numbered(sql), [list(row) for row in params])
                else:
                    reply = await con.fetch(numbered(sql), *params)
            except asyncpg.IntegrityConstraintViolationError as exc:
                raise IntegrityError(exc) from exc
    finally:
        if transaction is not None:
            with contextlib.suppress(Exception):  # a broken connection: the pool drops it
                await transaction.rollback()


async def _run_async(conn: BaseDBAsyncClient, program: Program[T]) -> T:
    """A program in an ORM transaction, statement by statement (neither SQLite through
    aiosqlite's thread nor PostgreSQL: a fallback)."""
    reply: Any = None
    while True:
        try:
            sql, params, is_many = program.send(reply)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        if is_many:
            await conn.execute_many(sql, [list(row) for row in params])
            reply = None
        else:
            reply = await conn.execute_query_dict(sql, params)
