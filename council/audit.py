"""The hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so an edited, deleted or
reordered entry breaks the chain. ``record`` must be called inside the transaction of the change it
describes; on PostgreSQL an advisory lock serialises appends so the chain never forks.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
from collections.abc import AsyncIterator, Generator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from council.models import AuditEntry, User

GENESIS = "0" * 64
_ADVISORY_KEY = 7_240_125  # any constant shared by every process of this app

client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


_CHAINED = (
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "operation",
    "target_type",
    "target_id",
    "council_id",
    "ip",
    "details",
    "prev_hash",
)


def _canonical_fields(fields: dict[str, Any]) -> bytes:
    payload = {name: fields[name] for name in _CHAINED}
    payload["created_at"] = fields["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _canonical(entry: AuditEntry) -> bytes:
    return _canonical_fields({name: getattr(entry, name) for name in _CHAINED})


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


@dataclass(frozen=True)
class Draft:
    """One entry to append with ``record_many``: the fields ``record`` takes as arguments.

    ``ip`` defaults to the current request's address; give it when the entry was caused by
    another task (e.g. a batch writer appending on behalf of many callers).
    """

    operation: str
    actor: User | None = None
    target_type: str = ""
    target_id: object = ""
    council_id: int | None = None
    details: dict[str, Any] | None = None
    ip: str | None = None


@dataclass
class _Hint:
    head: tuple[int, str] | None = None


# This process's guess of the chain's head: (seq, hash) of the last entry it chained. A guess only:
# another process may have appended since, or the transaction may have rolled back. For a caller
# that folds the append into a single statement which checks the head itself and refuses to write
# when it differs (meetings.services.ballot_sql); everyone else reads the head under the lock.
HINT = _Hint()


@asynccontextmanager
async def _transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """The caller's transaction when there is one, else a new one.

    Joining the caller's transaction directly (rather than nesting a savepoint) saves two round
    trips per entry; an error still rolls back the caller's whole change, which is what we want.
    """
    current = AuditEntry._meta.db
    if isinstance(current, TransactionalDBClient):
        yield current
    else:
        async with in_transaction() as conn:
            yield conn


async def _head(conn: BaseDBAsyncClient) -> tuple[int, str]:
    """(seq, hash) of the last entry, with the append lock held on PostgreSQL."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_ADVISORY_KEY])
    last = await AuditEntry.all().using_db(conn).order_by("-seq").only("seq", "hash").first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def _fields(draft: Draft, seq: int, prev_hash: str, at: datetime) -> dict[str, Any]:
    """The stored fields of one entry, ``hash`` included."""
    actor = draft.actor
    target_id = draft.target_id
    fields: dict[str, Any] = {
        "seq": seq,
        "created_at": at,
        "actor_id": actor.id if actor else None,
        "actor_name": (actor.username if actor else ""),
        "operation": draft.operation,
        "target_type": draft.target_type,
        "target_id": str(target_id) if target_id not in (None, "") else "",
        "council_id": draft.council_id,
        "ip": client_ip.get() if draft.ip is None else draft.ip,
        "details": draft.details or {},
        "prev_hash": prev_hash,
    }
    fields["hash"] = hashlib.sha256(_canonical_fields(fields)).hexdigest()
    return fields


async def record_denied(
    actor: User | None,
    target_type: str,
    target_id: object,
    council_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append ``permission.denied`` for a refused request, in a transaction of its own."""
    async with in_transaction():
        await record(
            "permission.denied",
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            council_id=council_id,
            details=details,
        )


async def record(
    operation: str,
    *,
    actor: User | None = None,
    target_type: str = "",
    target_id: object = "",
    council_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change it records."""
    draft = Draft(operation, actor, target_type, target_id, council_id, details)
    async with _transaction() as conn:
        seq, prev_hash = await _head(conn)
        entry = AuditEntry(**_fields(draft, seq + 1, prev_hash, datetime.now(UTC)))
        await entry.save(using_db=conn)
        HINT.head = (entry.seq, entry.hash)
        return entry


_COLUMNS = (*_CHAINED, "hash")
_HEAD_SQL = f"SELECT seq, hash FROM {AuditEntry._meta.db_table} ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = (
    f"INSERT INTO {AuditEntry._meta.db_table} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_COLUMNS))})"
)

# One statement of a transaction written as a generator (see ``append_steps``): SQL with ``?``
# placeholders, its parameters (the list of rows when ``many``), and whether it is an executemany.
Step = tuple[str, list[Any], bool]


_dump = functools.partial(json.dumps, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_quote = json.encoder.encode_basestring  # what json.dumps uses for a str when ensure_ascii=False


def _json_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is str:
        return _quote(value)
    return _dump(value)


def _chain_rows(drafts: Sequence[Draft], seq: int, prev_hash: str) -> list[list[Any]]:
    """The rows (in ``_COLUMNS`` order) of ``drafts`` chained after the entry (seq, prev_hash).

    Writes the canonical text of each entry directly (the same bytes as ``_canonical_fields``,
    keys in sorted order) instead of building and sorting a dict per entry: batches append
    hundreds of entries inside a write transaction. ``details`` is stored as that canonical JSON.
    """
    at = datetime.now(UTC)
    created = _quote(at.isoformat(timespec="microseconds"))
    rows = []
    # Drafts that share one details object (a batch's ballots with the same choice) are encoded
    # once; keyed by identity, which holds while ``drafts`` keeps the objects alive.
    dumped: dict[int, str] = {}
    for draft in drafts:
        seq += 1
        actor = draft.actor
        actor_id = actor.id if actor else None
        actor_name = actor.username if actor else ""
        target_id = str(draft.target_id) if draft.target_id not in (None, "") else ""
        ip = client_ip.get() if draft.ip is None else draft.ip
        details = dumped.get(id(draft.details)) if draft.details else None
        if details is None:
            details = dumped[id(draft.details)] = _dump(draft.details or {})
        text = (
            f'{{"actor_id":{_json_scalar(actor_id)},"actor_name":{_json_scalar(actor_name)},'
            f'"council_id":{_json_scalar(draft.council_id)},"created_at":{created},'
            f'"details":{details},"ip":{_json_scalar(ip)},'
            f'"operation":{_json_scalar(draft.operation)},"prev_hash":{_quote(prev_hash)},'
            f'"seq":{seq},"target_id":{_quote(target_id)},'
            f'"target_type":{_json_scalar(draft.target_type)}}}'
        )
        digest = hashlib.sha256(text.encode()).hexdigest()
        rows.append(
            [
                seq,
                at,
                actor_id,
                actor_name,
                draft.operation,
                draft.target_type,
                target_id,
                draft.council_id,
                ip,
                details,
                prev_hash,
                digest,
            ]
        )
        prev_hash = digest
    HINT.head = (seq, prev_hash)
    return rows


# The chain's head, for ``append_steps(..., head=…)``: read it in the transaction, after taking the
# append lock (``lock_expression``) in an earlier statement.
COLUMNS = _COLUMNS
HEAD_SQL = _HEAD_SQL
INSERT_SQL = _INSERT_SQL
chain_rows = _chain_rows

_PG_TYPES = {
    "seq": "bigint",
    "created_at": "timestamptz",
    "actor_id": "int",
    "council_id": "int",
    "details": "jsonb",
}


def pg_unnest_insert(condition: str = "") -> str:
    """PostgreSQL: an INSERT of ``chain_rows`` given column by column, one array parameter per
    column in ``_COLUMNS`` order (``?`` placeholders), optionally guarded by a WHERE
    ``condition``; for a caller that folds the append into a statement of its own."""
    arrays = ", ".join(f"?::{_PG_TYPES.get(name, 'text')}[]" for name in _COLUMNS)
    where = f" WHERE {condition}" if condition else ""
    return (
        f"INSERT INTO {AuditEntry._meta.db_table} ({', '.join(_COLUMNS)}) "
        f"SELECT * FROM unnest({arrays}){where}"
    )


def lock_expression(dialect: str) -> str | None:
    """An SQL expression that takes the chain's append lock until the end of the transaction, for
    a caller that folds it into a statement of its own (PostgreSQL); None where the database's
    write lock already serialises appends (SQLite)."""
    return f"pg_advisory_xact_lock({_ADVISORY_KEY})" if dialect == "postgres" else None


def append_steps(
    drafts: Sequence[Draft], dialect: str, head: tuple[int, str] | None = None
) -> Generator[Step, Any, None]:
    """The statements that append ``drafts`` to the chain, for a caller that runs a whole
    transaction as a generator of statements (e.g. synchronously in SQLite's thread, in one hop).

    Protocol: each yielded step is ``(sql, params, many)``; ``sql`` uses ``?`` placeholders (the
    driver numbers them for PostgreSQL); the driver sends back a query's rows (mappings by column
    name) and ``None`` after an executemany. Run them in the transaction of the change they record,
    which on SQLite must hold the write lock (``BEGIN IMMEDIATE``); on PostgreSQL the first step
    takes the append lock. No request context in a database thread: give each draft its ``ip``.

    ``head``: the (seq, hash) the caller already read with ``HEAD_SQL`` in this transaction,
    after taking the lock with ``lock_expression`` in an earlier statement: only the insert is left.
    """
    if not drafts:
        return
    if head is None:
        if dialect == "postgres":
            yield ("SELECT pg_advisory_xact_lock(?)", [_ADVISORY_KEY], False)
        rows = yield (_HEAD_SQL, [], False)
        head = (int(rows[0]["seq"]), str(rows[0]["hash"])) if rows else (0, GENESIS)
    yield (_INSERT_SQL, _chain_rows(drafts, *head), True)


@functools.lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """``sql`` with its ``?`` placeholders numbered for PostgreSQL (``$1``, ``$2``…)."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]


async def record_many(drafts: Sequence[Draft]) -> None:
    """Append several entries, chained in the order given, with one read of the chain's head and
    one multi-row insert. Call it inside the transaction of the changes they record."""
    if not drafts:
        return
    async with _transaction() as conn:
        pg = conn.capabilities.dialect == "postgres"
        steps = append_steps(drafts, conn.capabilities.dialect)
        reply: Any = None
        while True:
            try:
                sql, params, many = steps.send(reply)
            except StopIteration:
                return
            sql = numbered(sql) if pg else sql
            if many:
                await conn.execute_many(sql, params)
                reply = None
            else:
                reply = await conn.execute_query_dict(sql, params)


@dataclass
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    head: str = GENESIS  # hash of the last verified entry: record it elsewhere to detect truncation


async def verify(batch: int = 5000, anchors: Sequence[tuple[int, str]] = ()) -> VerifyResult:
    """Walk the chain in order; report the first entry that was edited, removed or moved.

    ``anchors``: ``(seq, hash)`` pairs recorded outside the database (printed by an earlier run,
    or in a session's minutes). The chain is also broken when an anchored entry is gone (the
    newest entries were cut off, which the chain alone cannot show) or has another hash (the chain
    was rewritten from there on)."""
    expected = dict(anchors)
    prev_hash, expected_seq, count, last_id = GENESIS, 1, 0, 0
    while True:
        rows = await AuditEntry.filter(id__gt=last_id).order_by("id").limit(batch)
        if not rows:
            missing = sorted(seq for seq in expected if seq >= expected_seq)
            if missing:
                return VerifyResult(
                    False, count, missing[0], None, "anchored entry missing: the chain was cut"
                )
            return VerifyResult(True, count, head=prev_hash)
        for entry in rows:
            if entry.seq != expected_seq:
                reason = "missing entry before it" if entry.seq > expected_seq else "out of order"
                return VerifyResult(False, count, entry.seq, entry.id, reason)
            if entry.prev_hash != prev_hash:
                return VerifyResult(
                    False, count, entry.seq, entry.id, "does not follow the previous entry"
                )
            if compute_hash(entry) != entry.hash:
                return VerifyResult(False, count, entry.seq, entry.id, "content was changed")
            if expected.get(entry.seq, entry.hash) != entry.hash:
                return VerifyResult(
                    False, count, entry.seq, entry.id, "does not match its recorded anchor"
                )
            prev_hash, expected_seq, count, last_id = (
                entry.hash,
                expected_seq + 1,
                count + 1,
                entry.id,
            )
