"""The transactional outbox and its single writer, on a real SQLite database."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from council.compat import tortoise as compat_tortoise
from council.search.engine import SearchEngine, register_index
from council.search.models import SearchOutbox
from council.search.outbox import IndexWorker, enqueue
from council.search.schema import SearchError

from .factories import PETITIONS, ids, petition, sample_petitions

register_index(PETITIONS)
NAME = PETITIONS.name


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    await compat_tortoise.init(
        {
            "connections": {"default": f"sqlite://{tmp_path / 'outbox.db'}"},
            "apps": {"council": {"models": ["council.search.models"]}},
        },
        shared=True,
    )
    await Tortoise.generate_schemas()
    yield
    await Tortoise.close_connections()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(tmp_path / "index")
    yield engine
    engine.close()


async def _file(doc: dict, op: str = "upsert") -> None:
    """A domain change and its index change, committed together."""
    async with in_transaction():
        await enqueue(NAME, doc["id"], op, doc if op == "upsert" else None)  # type: ignore[arg-type]


async def _until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait for a condition (a generous bound against hangs, not a speed check)."""
    async with asyncio.timeout(20):
        while not await condition():  # noqa: ASYNC110 - polling the database and the index
            await asyncio.sleep(0.02)


async def test_committed_changes_reach_the_index(db: None, engine: SearchEngine) -> None:
    for doc in sample_petitions():
        await _file(doc)
    assert await SearchOutbox.all().count() == 9
    worker = IndexWorker(engine)
    assert await worker.drain() == 9
    assert await SearchOutbox.all().count() == 0
    index = engine.index(NAME)
    assert ids(index.search("môi trường")) == ["KN-02"]
    assert index.search("", date_ranges={"filed_at": (date(2025, 6, 1), None)}).total == 2


async def test_rolled_back_changes_never_reach_the_index(db: None, engine: SearchEngine) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await enqueue(NAME, "KN-1", "upsert", petition("KN-1", "Rác thải", "Rác"))
            raise RuntimeError("the domain change failed")
    assert await SearchOutbox.all().count() == 0
    await IndexWorker(engine).drain()
    assert engine.index(NAME).search("rác").total == 0


async def test_enqueue_checks_the_document_in_the_callers_transaction(db: None) -> None:
    with pytest.raises(SearchError):
        async with in_transaction():
            await enqueue(NAME, "KN-1", "upsert", {"title": "x", "phone": "0912345678"})
    with pytest.raises(SearchError):
        await enqueue("no_such_index", "KN-1", "delete")
    with pytest.raises(SearchError):
        await enqueue(NAME, "KN-1", "replace")  # type: ignore[arg-type]
    with pytest.raises(SearchError):
        await enqueue(NAME, "KN-1", "upsert")
    assert await SearchOutbox.all().count() == 0


async def test_changes_apply_in_order(db: None, engine: SearchEngine) -> None:
    await _file(petition("KN-1", "Đường làng hỏng", "Đường làng hỏng nặng"))
    await _file(petition("KN-1", "Cống thoát nước tắc", "Cống thoát nước tắc"))
    await _file(petition("KN-2", "Đèn đường tắt", "Đèn đường tắt"))
    await _file({"id": "KN-2"}, op="delete")
    await IndexWorker(engine).drain()
    index = engine.index(NAME)
    assert ids(index.search("thoát nước")) == ["KN-1"]
    assert index.search("đường").total == 0
    assert index.doc_count() == 1


async def test_only_the_lock_holder_writes(db: None, tmp_path: Path) -> None:
    first, second = SearchEngine(tmp_path / "index"), SearchEngine(tmp_path / "index")
    worker_a, worker_b = IndexWorker(first), IndexWorker(second)
    await _file(petition("KN-1", "Ngập úng", "Ngập úng kéo dài"))
    # Worker A's process is writing this index: B must leave the rows alone.
    lock = first.index(NAME).write_lock
    assert lock.acquire()
    try:
        assert await worker_b.drain_once() == 0
        assert await SearchOutbox.all().count() == 1
    finally:
        lock.release()
    assert await worker_b.drain_once() == 1
    assert await worker_a.drain_once() == 0
    assert ids(first.index(NAME).search("ngập úng")) == ["KN-1"]
    first.close()
    second.close()


async def test_two_running_workers_apply_every_change_once(db: None, tmp_path: Path) -> None:
    engines = [SearchEngine(tmp_path / "index"), SearchEngine(tmp_path / "index")]
    workers = [IndexWorker(e, poll_interval=0.05, batch_size=7) for e in engines]
    for w in workers:
        w.start()
    try:
        for i in range(60):
            await _file(petition(f"KN-{i}", f"Kiến nghị số {i}", "Đường giao thông xuống cấp"))

        async def empty() -> bool:
            return not await SearchOutbox.exists()

        await _until(empty)
    finally:
        for w in workers:
            await w.stop()
    assert sum(w.applied for w in workers) == 60
    assert engines[0].index(NAME).search("giao thông").total == 60
    for e in engines:
        e.close()


async def test_enqueue_wakes_the_worker_of_its_process(db: None, engine: SearchEngine) -> None:
    worker = IndexWorker(engine, poll_interval=3600)  # only a wake-up can make it write
    worker.start()
    try:
        await asyncio.sleep(0.05)  # let it settle into its wait
        await _file(petition("KN-9", "Cây xanh gãy đổ", "Cây xanh gãy đổ sau bão"))

        async def found() -> bool:
            return engine.index(NAME).search("cây xanh").total == 1

        await _until(found)
    finally:
        await worker.stop()


async def test_stop_lands_as_the_worker_is_woken(db: None, engine: SearchEngine) -> None:
    """A stop whose cancellation arrives in the same turn as a wake-up still stops the worker
    (asyncio.wait_for on Python 3.11 swallowed that cancellation: stop() waited for ever)."""
    worker = IndexWorker(engine, poll_interval=3600)
    task = worker.start()
    await asyncio.sleep(0.05)  # in its wait
    worker._wake.set()  # the wake-up's waiter runs first in the next turn, then the cancellation
    stopping = asyncio.ensure_future(worker.stop())
    done, _ = await asyncio.wait({stopping}, timeout=5)  # a bound, not a speed check
    if not done:  # leave nothing running behind the failure
        task.cancel()
        await stopping
    assert done and task.done()


async def test_a_row_that_can_never_apply_is_dropped(db: None, engine: SearchEngine) -> None:
    await _file(petition("KN-1", "Rác thải", "Rác thải ùn ứ"))
    await SearchOutbox.create(index_name=NAME, doc_id="KN-BAD", op="upsert", payload={"x": 1})
    await _file(petition("KN-2", "Rác thải y tế", "Rác thải y tế"))
    assert await IndexWorker(engine).drain() == 3
    assert set(ids(engine.index(NAME).search("rác thải"))) == {"KN-1", "KN-2"}
    assert await SearchOutbox.all().count() == 0


async def test_rows_of_unknown_indexes_wait_for_a_process_that_knows_them(
    db: None, engine: SearchEngine
) -> None:
    await SearchOutbox.create(index_name="from_a_newer_release", doc_id="1", op="delete")
    await _file(petition("KN-1", "Rác thải", "Rác thải ùn ứ"))
    assert await IndexWorker(engine).drain() == 1
    assert await SearchOutbox.filter(index_name="from_a_newer_release").count() == 1


async def test_changes_pending_during_a_rebuild_are_applied_after_it(
    db: None, engine: SearchEngine
) -> None:
    from council.search.engine import rebuild

    await _file(petition("KN-NEW", "Cầu dân sinh sập", "Cầu dân sinh qua kênh bị sập"))
    await rebuild(NAME, sample_petitions(), engine=engine, procs=1)
    index = engine.index(NAME)
    assert index.search("cầu dân sinh").total == 0
    await IndexWorker(engine).drain()
    assert ids(index.search("cầu dân sinh")) == ["KN-NEW"]
    assert index.doc_count() == 10
