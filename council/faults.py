"""Database faults that are nobody's request's fault: a connection dropped, the server restarting
or refusing connections, the SQLite file locked past the busy timeout, a transaction that
PostgreSQL rolled back to break a deadlock or a serialization failure.

They answer ``503 unavailable`` with ``Retry-After`` (never a 500), and an idempotent read
(``GET``, ``HEAD``) that meets one is tried once more first: the pool replaces a dropped
connection, so the second attempt usually succeeds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from prometheus_client import Counter

from council.errors import DomainError
from council.i18n import N_

RETRY_AFTER = 2  # seconds: a restarted server or a replaced connection is back by then
IDEMPOTENT = frozenset({"GET", "HEAD"})

FAULTS = Counter(
    "council_db_faults",
    "Requests that met a database fault: retried (a read tried again) or unavailable (503)",
    ["outcome"],
)

_SQLITE_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database file",
)


class Unavailable(DomainError):
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "unavailable",
            N_("The service is briefly unavailable. Please try again in a moment."),
            retry_after=RETRY_AFTER,
        )
        self.retry_after = RETRY_AFTER


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what led to it: its cause, its context, and the driver error Tortoise wraps
    as its first argument without chaining it."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = current.args[0] if current.args else None
        for nxt in (current.__cause__, current.__context__, wrapped):
            if isinstance(nxt, BaseException):
                stack.append(nxt)


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached right now."""
    for err in _chain(exc):
        if _transient(err):
            return True
    return False


def _transient(err: BaseException) -> bool:
    from tortoise.exceptions import DBConnectionError

    if isinstance(err, DBConnectionError | ConnectionError | TimeoutError):
        return True
    if isinstance(err, sqlite3.OperationalError):
        return str(err).lower().startswith(_SQLITE_TRANSIENT)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is installed with the project
        return False
    if isinstance(
        err,
        asyncpg.PostgresConnectionError  # class 08: the connection failed or was lost
        | asyncpg.exceptions.OperatorInterventionError  # 57: shut down, restarting, cancelled
        | asyncpg.exceptions.InsufficientResourcesError  # 53: too many connections, disk full
        # 40: a deadlock or a serialization failure, the transaction rolled back whole: the same
        # request a moment later meets no other transaction in its way.
        | asyncpg.exceptions.TransactionRollbackError,
    ):
        return True
    if isinstance(err, asyncpg.exceptions.InternalClientError):
        # The driver's connection is left mid-operation by a drop (seen under
        # pg_terminate_backend): the pool replaces it when it comes back.
        return "in progress" in str(err)
    return isinstance(err, asyncpg.InterfaceError) and "closed" in str(err)
