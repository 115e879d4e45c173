"""Getting domain changes into the indexes: a transactional outbox drained by a single writer.

A service changing a petition calls :func:`enqueue` inside its own transaction, right after
its domain write, so the index change commits or rolls back with it. Every web process runs
an :class:`IndexWorker`; per index, only the holder of that index's write lock (an OS file
lock, see ``council.search.lock``) reads, applies and deletes the pending rows, in ``id``
order, so one process writes at a time and a dead writer is replaced by the next poll of any
other. Rows are read only after the lock is taken, so a slow process never applies a stale
batch over a newer one. A worker polls every ``poll_interval`` (0.5 s) and is woken at once
by an ``enqueue`` in its own process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any, Literal

from tortoise.backends.base.client import BaseDBAsyncClient

from council.search.engine import SearchEngine, get_engine, registered_specs
from council.search.index import Change, SearchIndex
from council.search.models import SearchOutbox
from council.search.schema import ID_FIELD, SearchError, jsonable

__all__ = ["IndexWorker", "enqueue", "jsonable"]

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.5
BATCH_SIZE = 500
# After a wake-up from enqueue(), the enqueuing transaction may not have committed yet.
_COMMIT_GRACE = (0.02, 0.1, 0.3)

_wakers: set[asyncio.Event] = set()


async def enqueue(
    index_name: str,
    doc_id: str,
    op: Literal["upsert", "delete"],
    payload: Mapping[str, Any] | None = None,
    *,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    """Record an index change; call it inside the transaction of the domain change.

    ``payload`` is the whole document for "upsert" (fields of the index's spec; dates may be
    ``date``/``datetime``); None for "delete". The document is checked against the spec now,
    so a bad one fails the caller's transaction instead of the background worker.
    """
    if op not in ("upsert", "delete"):
        raise SearchError(f"unknown operation {op!r}")
    spec = registered_specs().get(index_name)
    if spec is None:
        raise SearchError(f"unknown index {index_name!r}")
    doc_id = str(doc_id)
    data = None
    if op == "upsert":
        if payload is None:
            raise SearchError("an upsert needs a payload")
        data = jsonable({k: v for k, v in payload.items() if k != ID_FIELD})
        spec.to_document({**data, ID_FIELD: doc_id})
    engine = _configured_engine()
    if engine is not None and engine.backend == "postgres":
        # Indexed in the caller's transaction: searchable the moment it commits.
        await engine.index(index_name).awrite([Change(doc_id, op, data)], using_db=using_db)
        return
    await SearchOutbox.create(
        index_name=index_name, doc_id=doc_id, op=op, payload=data, using_db=using_db
    )
    for event in _wakers:
        event.set()


def _configured_engine() -> SearchEngine | None:
    try:
        return get_engine()
    except SearchError:
        return None


class IndexWorker:
    """Drains the outbox into the indexes; run one per process with :meth:`start`."""

    def __init__(
        self,
        engine: SearchEngine | None = None,
        *,
        poll_interval: float = POLL_INTERVAL,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._engine = engine
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.applied = 0

    @property
    def engine(self) -> SearchEngine:
        return self._engine or get_engine()

    def start(self) -> asyncio.Task[None]:
        """Start the background task (in the running event loop)."""
        if self._task is None or self._task.done():
            _wakers.add(self._wake)
            self._task = asyncio.create_task(self._run(), name="search-index-worker")
        return self._task

    async def stop(self) -> None:
        """Stop the background task (a batch being applied finishes first)."""
        _wakers.discard(self._wake)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                applied = await self.drain_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                log.exception("search index worker: batch failed (%d in a row)", failures)
                # Back off while the database or the disk is in trouble (at most 30 s).
                await asyncio.sleep(min(30.0, self.poll_interval * 2**failures))
                continue
            if applied:
                continue
            woken = False
            # asyncio.timeout, not wait_for: on Python 3.11 a cancellation that lands as the
            # event fires is swallowed by wait_for, and stop() then waited for ever for a worker
            # still polling (seen once in CI on test_two_running_workers_apply_every_change_once).
            try:
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()
                woken = True
            except TimeoutError:
                pass
            self._wake.clear()
            if woken:
                for grace in _COMMIT_GRACE:
                    await asyncio.sleep(grace)
                    if await self.drain_once():
                        break

    async def drain_once(self) -> int:
        """Apply one batch per index whose lock this worker gets; returns rows applied."""
        if self.engine.backend != "whoosh":
            return 0  # PostgreSQL indexes are written in the transaction of each change
        names = set(self.engine.names())
        pending = (
            await SearchOutbox.filter(index_name__in=names)
            .order_by("index_name")  # PostgreSQL: DISTINCT needs the ORDER BY in the select list
            .distinct()
            .values_list("index_name", flat=True)
        )
        applied = 0
        for name in sorted({str(name) for name in pending}):
            index = self.engine.index(name)
            if not index.write_lock.acquire(blocking=False):
                continue  # another process (or a rebuild) is writing this index
            try:
                applied += await self._apply_batch(index)
            finally:
                index.write_lock.release()
        self.applied += applied
        return applied

    async def drain(self) -> int:
        """Apply everything pending now (waiting for other writers); returns rows applied."""
        total = 0
        if self.engine.backend != "whoosh":
            return 0
        while True:
            names = set(self.engine.names())
            if not await SearchOutbox.filter(index_name__in=names).exists():
                return total
            applied = await self.drain_once()
            total += applied
            if not applied:
                await asyncio.sleep(self.poll_interval / 5)

    async def _apply_batch(self, index: SearchIndex) -> int:
        rows = (
            await SearchOutbox.filter(index_name=index.spec.name)
            .order_by("id")
            .limit(self.batch_size)
        )
        if not rows:
            return 0
        changes = [_change(row) for row in rows]
        try:
            await asyncio.to_thread(index.apply, changes)
        except SearchError:
            await self._apply_one_by_one(index, rows)
        await SearchOutbox.filter(id__in=[row.id for row in rows]).delete()
        return len(rows)

    async def _apply_one_by_one(self, index: SearchIndex, rows: list[SearchOutbox]) -> None:
        """Isolate rows that can never be applied (their document is invalid) and drop them."""
        for row in rows:
            try:
                await asyncio.to_thread(index.apply, [_change(row)])
            except SearchError as exc:
                log.error("search outbox row %s (%s) dropped: %s", row.id, row, exc)


def _change(row: SearchOutbox) -> Change:
    if row.op == "delete":
        return Change(row.doc_id, "delete")
    payload = row.payload if isinstance(row.payload, dict) else None
    return Change(row.doc_id, "upsert", payload)  # type: ignore[arg-type]
