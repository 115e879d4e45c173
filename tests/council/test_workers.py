"""council.workers: jobs run in another process, stopped at their memory and time limits, and a
stopped or crashed worker leaves the server and the next job unharmed."""

from __future__ import annotations

import asyncio
import logging
import os
import time

import pytest
from prometheus_client import REGISTRY

from council import workers
from council.workers import Limits, WorkerCrashed, WorkerLimit
from tests.council import worker_jobs as jobs

TIGHT = Limits(memory_mb=512, seconds=1.0)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_a_job_runs_in_another_process_and_the_worker_is_kept() -> None:
    first = await workers.run(jobs.pid)
    assert first != os.getpid()
    assert await workers.run(jobs.pid) == first  # warm: no new interpreter per job
    with pytest.raises(ValueError, match="not a number"):
        await workers.run(jobs.refuse, "not a number")  # the job's own error, as it was raised
    assert await workers.run(jobs.pid) == first


async def test_memory_limit_stops_the_job_and_the_next_one_runs(caplog) -> None:
    caplog.set_level(logging.WARNING, "council.workers")
    with pytest.raises(WorkerLimit) as stopped:
        await workers.run(jobs.allocate, 2048, limit=TIGHT)
    assert stopped.value.details == {"limit": "memory"} and stopped.value.status == 422
    assert stopped.value.pid != os.getpid() and _gone(stopped.value.pid)
    assert f"worker {stopped.value.pid} stopped" in caplog.text
    # A library that wraps the MemoryError in its own error still ran out of memory.
    with pytest.raises(WorkerLimit):
        await workers.run(jobs.wrap_memory_error, 2048, limit=TIGHT)
    # Within the limit the same job succeeds, in a fresh worker.
    assert await workers.run(jobs.allocate, 64, limit=TIGHT) == 64 << 20


async def test_time_limit_kills_the_worker_without_blocking_the_loop() -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    stops = REGISTRY.get_sample_value("council_worker_jobs_total", {"outcome": "time"}) or 0
    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    with pytest.raises(WorkerLimit) as stopped:
        await workers.run(jobs.spin, 30, limit=TIGHT)
    elapsed = time.monotonic() - started
    ticker.cancel()
    assert stopped.value.details == {"limit": "time"}
    assert 1.0 <= elapsed < 15, elapsed  # a worker's start on a busy machine included
    assert _gone(stopped.value.pid)
    assert REGISTRY.get_sample_value("council_worker_jobs_total", {"outcome": "time"}) == stops + 1
    assert ticks >= 10  # the loop kept turning while the job spun (~100 on an idle machine)
    assert await workers.run(jobs.spin, 0.01) == "finished"


async def test_a_crash_is_a_domain_error_and_the_pool_recovers() -> None:
    with pytest.raises(WorkerCrashed) as crashed:
        await workers.run(jobs.die, 7)
    assert crashed.value.returncode == 7 and crashed.value.code == "unreadable_document"
    assert str(crashed.value.message.render("vi")) != str(crashed.value.message.render("en"))
    assert await workers.run(jobs.pid) != os.getpid()


async def test_jobs_run_side_by_side_up_to_the_limit() -> None:
    old = workers.set_limits(Limits(jobs=2))
    try:
        await asyncio.gather(*(workers.run(jobs.pid) for _ in range(2)))  # two warm workers
        (pid1, start1, end1), (pid2, start2, end2) = await asyncio.gather(
            *(workers.run(jobs.span, 1.0) for _ in range(2))
        )
        assert pid1 != pid2 and start1 < end2 and start2 < end1  # at once, not in turn
    finally:
        workers.set_limits(old)


async def test_results_and_main_module_jobs() -> None:
    assert len(await workers.run(jobs.big_result, 20)) == 20 << 20
    with pytest.raises(TypeError):
        await workers.run(_local_job)
    await workers.shutdown()
    assert await workers.run(jobs.pid) != os.getpid()  # a new worker after a shutdown


def _local_job() -> None:
    pass


_local_job.__module__ = "__main__"


async def test_a_worker_that_cannot_start_is_a_503_not_a_500(monkeypatch) -> None:
    await workers.shutdown()
    monkeypatch.setattr(workers, "_ENTRY", "import sys; sys.exit(3)")
    with pytest.raises(workers.WorkersUnavailable) as refused:
        await workers.run(jobs.pid)
    assert (refused.value.status, refused.value.code) == (503, "unavailable")
