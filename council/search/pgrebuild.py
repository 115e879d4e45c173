"""``council reindex`` on PostgreSQL: build a new table by COPY, index it, swap it in.

1. Mark the index as rebuilding (``fts_rebuilds``), under the index's advisory lock taken
   exclusively: writers hold it shared for their transaction, so every writer that did not see
   the mark has committed before the documents are read.
2. Analyse the documents (in ``procs`` worker processes) and COPY them, in binary, into an
   unindexed ``fts_<name>__next``; then build its GIN and B-tree indexes in one pass each.
3. Under the lock again: replay the changes writers logged meanwhile (they write to the live
   table and, while the mark is there, to the search outbox too), drop the old table, rename
   the new one, remove the mark. Writers wait only for this last step.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import struct
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from tortoise.transactions import in_transaction

from council.search.index import Change
from council.search.pgrows import copy_tuple, to_row
from council.search.schema import IndexSpec, SearchError

if TYPE_CHECKING:
    from council.search.pgindex import PgSearchIndex

__all__ = ["rebuild"]

log = logging.getLogger(__name__)

_CHUNK = 2000
_MAINTENANCE_MEM = "512MB"

# PostgreSQL's binary COPY: signature, flags, header extension length; the end marker.
_HEADER = b"PGCOPY\n\xff\r\n\0" + struct.pack("!ii", 0, 0)
_TRAILER = struct.pack("!h", -1)

Doc = Mapping[str, Any]


def analyse(spec: IndexSpec, docs: list[Doc]) -> bytes:
    """The binary COPY tuples of ``docs`` (run in worker processes)."""
    return b"".join([copy_tuple(spec, doc) for doc in docs])


async def _chunks(docs: AsyncIterable[Doc] | Iterable[Doc]) -> AsyncIterator[list[Doc]]:
    batch: list[Doc] = []
    if isinstance(docs, AsyncIterable):
        async for doc in docs:
            batch.append(doc)
            if len(batch) >= _CHUNK:
                yield batch
                batch = []
    else:
        for doc in docs:
            batch.append(doc)
            if len(batch) >= _CHUNK:
                yield batch
                batch = []
                await asyncio.sleep(0)
    if batch:
        yield batch


async def rebuild(
    index: PgSearchIndex, docs: AsyncIterable[Doc] | Iterable[Doc], procs: int | None = None
) -> int:
    """Replace the whole index by ``docs``; returns how many were indexed."""
    procs = procs or os.cpu_count() or 1
    name, table = index.spec.name, index.table
    new = f"{table}__next"
    await index.ensure()
    async with in_transaction(index._connection) as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock($1)", [index.lock_key])
        await tx.execute_query(
            "INSERT INTO fts_rebuilds (index_name) VALUES ($1) ON CONFLICT DO NOTHING", [name]
        )
        await tx.execute_script(f"DROP TABLE IF EXISTS {new}")
        for sql in index.ddl(new):
            await tx.execute_script(sql)
    try:
        count = await _load(index, new, docs, procs)
        started = time.perf_counter()
        await _swap(index, new)
        log.info("search index %s: swapped in %.1f s", name, time.perf_counter() - started)
    except BaseException:
        await _abandon(index, new)
        raise
    started = time.perf_counter()
    await index.conn().execute_script(f"ANALYZE {table}")
    index.forget_stats()
    log.info(
        "search index %s rebuilt in PostgreSQL: %d documents (ANALYZE %.1f s)",
        name,
        count,
        time.perf_counter() - started,
    )
    return count


async def _load(
    index: PgSearchIndex, table: str, docs: AsyncIterable[Doc] | Iterable[Doc], procs: int
) -> int:
    columns = ["doc_id", "terms", "keywords"]
    columns += [f"d{i}" for i in range(len(index.spec.date_fields))] + ["stored"]
    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(procs, mp_context=get_context("spawn")) if procs > 1 else None
    count = 0
    started = time.perf_counter()

    async def tuples() -> AsyncIterator[bytes]:
        # One COPY for every document: the workers' chunks are sent as they come back.
        nonlocal count
        yield _HEADER
        pending: list[tuple[int, asyncio.Future[bytes]]] = []
        async for chunk in _chunks(docs):
            if pool is None:
                pending.append((len(chunk), loop.create_future()))
                pending[-1][1].set_result(analyse(index.spec, chunk))
            else:
                future = pool.submit(analyse, index.spec, chunk)
                pending.append((len(chunk), asyncio.wrap_future(future, loop=loop)))
            # Keep every worker busy, and at most a few chunks in memory.
            while len(pending) > 2 * procs or (pending and pending[0][1].done()):
                n, next_chunk = pending.pop(0)
                yield await next_chunk
                count += n
        for n, next_chunk in pending:
            yield await next_chunk
            count += n
        yield _TRAILER

    try:
        async with index.conn().acquire_connection() as raw:
            await raw.copy_to_table(table, source=tuples(), columns=columns, format="binary")
            log.info(
                "search index %s: %d documents analysed and copied in %.1f s",
                index.spec.name,
                count,
                time.perf_counter() - started,
            )
            await _build_indexes(index, table, raw, procs)
    except SearchError:
        raise
    except Exception as exc:
        raise SearchError(f"reading documents failed: {exc}") from exc
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return count


async def _build_indexes(index: PgSearchIndex, table: str, raw: Any, procs: int) -> None:
    """Build each partition's indexes, the GIN indexes of the terms (the longest) first, on
    up to ``procs`` connections at once (PostgreSQL 15 builds one index on one core); then
    the partitioned table's indexes, which attach them."""
    partitions = index.partitions(table)
    jobs = [sql for part in partitions for sql in index.index_ddl(part) if f"{part}_terms " in sql]
    jobs += [sql for part in partitions for sql in index.index_ddl(part) if sql not in jobs]

    async def run(conn: Any) -> None:
        # A setting of the pooled connection's session: reset whatever happens, as the pool
        # hands connections back without resetting them (``council.db.PooledConnection``).
        await conn.execute(f"SET maintenance_work_mem = '{_MAINTENANCE_MEM}'")
        try:
            while jobs:
                sql = jobs.pop(0)
                started = time.perf_counter()
                await conn.execute(sql)
                log.info(
                    "search index %s: %.1f s: %s",
                    index.spec.name,
                    time.perf_counter() - started,
                    sql,
                )
        finally:
            await conn.execute("RESET maintenance_work_mem")

    async def another() -> None:
        async with index.conn().acquire_connection() as other:
            await run(other)

    await asyncio.gather(run(raw), *(another() for _ in range(min(procs, len(jobs)) - 1)))
    for sql in index.index_ddl(table):
        await raw.execute(sql)


async def _swap(index: PgSearchIndex, new: str) -> None:

    name, table = index.spec.name, index.table
    async with in_transaction(index._connection) as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock($1)", [index.lock_key])
        logged = await tx.execute_query_dict(
            "SELECT id, doc_id, op, payload FROM search_outbox WHERE index_name = $1 ORDER BY id",
            [name],
        )
        latest: dict[str, Change] = {}
        for row in logged:
            latest.pop(row["doc_id"], None)
            payload = row["payload"]
            if isinstance(payload, str):
                payload = json.loads(payload)
            latest[row["doc_id"]] = Change(row["doc_id"], row["op"], payload)
        rows = [
            to_row(index.spec, {**c.doc, "id": c.doc_id})
            for c in latest.values()
            if c.op == "upsert" and c.doc is not None
        ]
        gone = [c.doc_id for c in latest.values() if c.op == "delete"]
        await index.write_rows(tx, new, rows, gone)
        await tx.execute_query("DELETE FROM search_outbox WHERE index_name = $1", [name])
        await tx.execute_script(f"DROP TABLE {table}")
        await tx.execute_script(f"ALTER TABLE {new} RENAME TO {table}")
        for suffix in index.index_suffixes():
            await tx.execute_script(f"ALTER INDEX {new}_{suffix} RENAME TO {table}_{suffix}")
        for old, part in zip(index.partitions(new), index.partitions(table), strict=True):
            await tx.execute_script(f"ALTER TABLE {old} RENAME TO {part}")
            for suffix in index.index_suffixes():
                await tx.execute_script(f"ALTER INDEX {old}_{suffix} RENAME TO {part}_{suffix}")
        await tx.execute_query("DELETE FROM fts_rebuilds WHERE index_name = $1", [name])


async def _abandon(index: PgSearchIndex, new: str) -> None:
    """Undo a failed rebuild: the live table already holds every change."""
    async with in_transaction(index._connection) as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock($1)", [index.lock_key])
        await tx.execute_script(f"DROP TABLE IF EXISTS {new}")
        await tx.execute_query("DELETE FROM search_outbox WHERE index_name = $1", [index.spec.name])
        await tx.execute_query("DELETE FROM fts_rebuilds WHERE index_name = $1", [index.spec.name])
