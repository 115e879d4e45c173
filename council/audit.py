"""The hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so an edited, deleted or
reordered entry breaks the chain. ``record`` must be called inside the transaction of the change it
describes; on PostgreSQL an advisory lock serialises appends so the chain never forks.

One chain per council (``chain`` = the entry's council id), and one for the deployment (chain 0:
entries of no council, and every entry written before chains were split by council). Councils
that sit at the same moment append in parallel: a ballot batch of one sitting never waits for the
append lock of another. ``seq`` numbers an entry within its chain; ``council.audit_verify`` walks
every chain.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
from collections.abc import AsyncIterator, Generator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
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


def chain_of(council_id: int | None) -> int:
    """The chain an entry of ``council_id`` is appended to: the council's own, or the
    deployment's (0) for an entry of no council."""
    return council_id or 0


def _chain(draft: Draft) -> int:
    return chain_of(draft.council_id)


@dataclass
class _Hint:
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)

    def get(self, chain: int) -> tuple[int, str] | None:
        return self.heads.get(chain)

    def put(self, chain: int, head: tuple[int, str]) -> None:
        self.heads[chain] = head


# This process's guess of each chain's head: (seq, hash) of the last entry it chained. A guess
# only: another process may have appended since, or the transaction may have rolled back. For a
# caller that folds the append into a single statement which checks the head itself and refuses to
# write when it differs (meetings.services.ballot_sql); everyone else reads the head under the lock.
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


async def _head(conn: BaseDBAsyncClient, chain: int) -> tuple[int, str]:
    """(seq, hash) of the last entry of ``chain``, with its append lock held on PostgreSQL."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1, $2)", [_ADVISORY_KEY, chain])
    last = (
        await AuditEntry.filter(chain=chain)
        .using_db(conn)
        .order_by("-seq")
        .only("seq", "hash")
        .first()
    )
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
    fields["chain"] = _chain(draft)
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
        seq, prev_hash = await _head(conn, _chain(draft))
        entry = AuditEntry(**_fields(draft, seq + 1, prev_hash, datetime.now(UTC)))
        await entry.save(using_db=conn)
        HINT.put(entry.chain, (entry.seq, entry.hash))
        return entry


# ``chain`` is not hashed: it is the entry's council (hashed), or 0, and an entry moved to another
# chain breaks the links of both.
_COLUMNS = (*_CHAINED, "hash", "chain")
# One parameter: the chain.
_HEAD_SQL = (
    f"SELECT seq, hash FROM {AuditEntry._meta.db_table} WHERE chain = ? ORDER BY seq DESC LIMIT 1"
)
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


def _parts(drafts: Sequence[Draft]) -> tuple[int, datetime, list[tuple[str, str, list[Any]]]]:
    """The chain of ``drafts`` (all of one), their time, and for each: its canonical text
    around the two fields that depend on its place in the chain, ``prev_hash`` and ``seq``
    (``pre + PREV_HASH + '","seq":' + SEQ + post``), and its stored columns but those.

    Writes the canonical text of each entry directly (the same bytes as ``_canonical_fields``,
    keys in sorted order) instead of building and sorting a dict per entry: batches append
    hundreds of entries inside a write transaction. ``details`` is stored as that canonical JSON.
    """
    at = datetime.now(UTC)
    created = _quote(at.isoformat(timespec="microseconds"))
    parts = []
    # Drafts that share one details object (a batch's ballots with the same choice) are encoded
    # once; keyed by identity, which holds while ``drafts`` keeps the objects alive.
    dumped: dict[int, str] = {}
    chain = _chain(drafts[0]) if drafts else 0
    for draft in drafts:
        if _chain(draft) != chain:
            raise ValueError("entries of several chains chained as one")
        actor = draft.actor
        actor_id = actor.id if actor else None
        actor_name = actor.username if actor else ""
        target_id = str(draft.target_id) if draft.target_id not in (None, "") else ""
        ip = client_ip.get() if draft.ip is None else draft.ip
        details = dumped.get(id(draft.details)) if draft.details else None
        if details is None:
            details = dumped[id(draft.details)] = _dump(draft.details or {})
        pre = (
            f'{{"actor_id":{_json_scalar(actor_id)},"actor_name":{_json_scalar(actor_name)},'
            f'"council_id":{_json_scalar(draft.council_id)},"created_at":{created},'
            f'"details":{details},"ip":{_json_scalar(ip)},'
            f'"operation":{_json_scalar(draft.operation)},"prev_hash":"'
        )
        post = f',"target_id":{_quote(target_id)},"target_type":{_json_scalar(draft.target_type)}}}'
        columns = [
            actor_id,
            actor_name,
            draft.operation,
            draft.target_type,
            target_id,
            draft.council_id,
            ip,
            details,
        ]
        parts.append((pre, post, columns))
    return chain, at, parts


def _chain_rows(drafts: Sequence[Draft], seq: int, prev_hash: str) -> list[list[Any]]:
    """The rows (in ``_COLUMNS`` order) of ``drafts``, all of one chain, chained after its entry
    (seq, prev_hash)."""
    chain, at, parts = _parts(drafts)
    rows = []
    for pre, post, columns in parts:
        seq += 1
        digest = hashlib.sha256(f'{pre}{prev_hash}","seq":{seq}{post}'.encode()).hexdigest()
        actor_id, actor_name, operation, target_type, target_id, council_id, ip, details = columns
        rows.append(
            [
                seq,
                at,
                actor_id,
                actor_name,
                operation,
                target_type,
                target_id,
                council_id,
                ip,
                details,
                prev_hash,
                digest,
                chain,
            ]
        )
        prev_hash = digest
    HINT.put(chain, (seq, prev_hash))
    return rows


# PostgreSQL: the append as a function of the database (``council_audit_append``, created by the
# migration ``council/0008_audit_append_function`` from this text), for a caller that folds the
# append into a statement of its own (``pg_append_call``). Being VOLATILE, each query inside it reads a
# snapshot of its own: it takes the chain's lock, then reads the chain's true head (committed by
# whichever process, up to that moment), and hashes and inserts the entries after it. Nothing is
# guessed, so another process's append just before costs nothing; the hash is the same SHA-256 of
# the same canonical text (``_parts``) that ``verify`` recomputes. Returns the new head as
# ``SEQ:HASH``. A function of the database, not of a connection's session, so that it works
# through PgBouncer's transaction pooling too.
PG_APPEND_FUNCTION = f"""CREATE OR REPLACE FUNCTION council_audit_append(
    p_chain int, p_at timestamptz, p_pre text[], p_post text[], p_actor_id int[],
    p_actor_name text[], p_operation text[], p_target_type text[], p_target_id text[],
    p_council_id int[], p_ip text[], p_details jsonb[]
) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    s bigint;
    h text;
    prev text;
BEGIN
    PERFORM pg_advisory_xact_lock({_ADVISORY_KEY}, p_chain);
    SELECT e.seq, e.hash INTO s, h FROM {AuditEntry._meta.db_table} e
        WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        s := 0;
        h := '{GENESIS}';
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_pre, 1), 0) LOOP
        s := s + 1;
        prev := h;
        h := encode(sha256(convert_to(p_pre[i] || prev || '","seq":' || s::text || p_post[i],
            'UTF8')), 'hex');
        INSERT INTO {AuditEntry._meta.db_table} ({", ".join(_COLUMNS)})
        VALUES (s, p_at, p_actor_id[i], p_actor_name[i], p_operation[i], p_target_type[i],
            p_target_id[i], p_council_id[i], p_ip[i], p_details[i], prev, h, p_chain);
    END LOOP;
    RETURN s::text || ':' || h;
END
$fn$"""


def pg_append_call() -> str:
    """The call of the append function, with 12 ``?`` parameters (``pg_append_args``)."""
    return (
        "council_audit_append(?::int, ?::timestamptz, ?::text[], ?::text[], ?::int[], "
        "?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::jsonb[])"
    )


def pg_append_args(drafts: Sequence[Draft], chain: int) -> list[Any]:
    """The parameters of ``pg_append_call`` for ``drafts`` (of ``chain``, or none)."""
    found, at, parts = _parts(drafts)
    if drafts and found != chain:
        raise ValueError("entries of another chain")
    columns = [list(c) for c in zip(*(p[2] for p in parts), strict=True)] or [[]] * 8
    return [chain, at, [p[0] for p in parts], [p[1] for p in parts], *columns]


def parse_head(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as ``council_audit_append`` returns it."""
    seq, digest = text.split(":")
    return int(seq), digest


# A chain's head, for ``append_steps(..., head=…)``: read it in the transaction, after taking the
# chain's append lock (``lock_expression``) in an earlier statement. One parameter: the chain.
COLUMNS = _COLUMNS
HEAD_SQL = _HEAD_SQL
INSERT_SQL = _INSERT_SQL
chain_rows = _chain_rows

_PG_TYPES = {
    "seq": "bigint",
    "created_at": "timestamptz",
    "actor_id": "int",
    "council_id": "int",
    "chain": "int",
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
    """An SQL expression that takes a chain's append lock until the end of the transaction, for
    a caller that folds it into a statement of its own (PostgreSQL; one parameter: the chain);
    None where the database's write lock already serialises appends (SQLite)."""
    return f"pg_advisory_xact_lock({_ADVISORY_KEY}, ?::int)" if dialect == "postgres" else None


def append_steps(
    drafts: Sequence[Draft], dialect: str, head: tuple[int, str] | None = None
) -> Generator[Step, Any, None]:
    """The statements that append ``drafts`` to the chain, for a caller that runs a whole
    transaction as a generator of statements (e.g. synchronously in SQLite's thread, in one hop).

    Protocol: each yielded step is ``(sql, params, many)``; ``sql`` uses ``?`` placeholders (the
    driver numbers them for PostgreSQL); the driver sends back a query's rows (mappings by column
    name) and ``None`` after an executemany. Run them in the transaction of the change they record,
    which on SQLite must hold the write lock (``BEGIN IMMEDIATE``); on PostgreSQL each chain's
    entries are one call of ``council_audit_append``, which takes the chain's lock. No request
    context in a database thread: give each draft its ``ip``.
    Drafts of several chains (councils) are appended chain by chain, each after its lock (taken
    in the order of the chains' numbers, so that two such transactions never wait for each other).

    ``head``: the (seq, hash) the caller already read with ``HEAD_SQL`` in this transaction,
    after taking the lock with ``lock_expression`` in an earlier statement: only the insert is left
    (drafts of that one chain).
    """
    if not drafts:
        return
    if head is not None:
        yield (_INSERT_SQL, _chain_rows(drafts, *head), True)
        return
    chains: dict[int, list[Draft]] = {}
    for draft in drafts:
        chains.setdefault(_chain(draft), []).append(draft)
    for chain in sorted(chains):
        if dialect == "postgres":
            # One round trip instead of three (lock, head, insert): the session's function.
            rows = yield (
                f"SELECT {pg_append_call()} AS head",
                pg_append_args(chains[chain], chain),
                False,
            )
            HINT.put(chain, parse_head(str(rows[0]["head"])))
            continue
        rows = yield (_HEAD_SQL, [chain], False)
        last = (int(rows[0]["seq"]), str(rows[0]["hash"])) if rows else (0, GENESIS)
        yield (_INSERT_SQL, _chain_rows(chains[chain], *last), True)


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
