"""The core's start-up and shutdown: the search engine and its single index writer."""

from __future__ import annotations

import asyncio

from council.search.engine import configure_for
from council.search.outbox import IndexWorker
from council.settings import Settings

_worker: IndexWorker | None = None


async def startup(settings: Settings) -> asyncio.Task[None]:
    """Drain the search outbox in the background. Every process runs a worker; the index lock
    lets only one of them write at a time, so several workers stay safe."""
    global _worker
    configure_for(settings)
    _worker = IndexWorker()
    return _worker.start()


async def shutdown(settings: Settings) -> None:
    global _worker
    if _worker is not None:
        await _worker.stop()
        _worker = None
