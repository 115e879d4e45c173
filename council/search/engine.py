"""The search engine of one deployment: named indexes under one directory.

Domains declare their indexes once, at import time, with :func:`register_index` (the spec and,
for ``council reindex``, where the documents come from). The application configures the
directory (``$COUNCIL_DATA_DIR/index``) with :func:`configure`; :func:`get_index` then hands
out the live :class:`~council.search.index.SearchIndex` objects.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from council.search.index import SearchIndex
from council.search.pgindex import PgSearchIndex
from council.search.schema import IndexSpec, SearchError

__all__ = [
    "BACKENDS",
    "DocSource",
    "configure_for",
    "default_backend",
    "SearchEngine",
    "configure",
    "get_engine",
    "get_index",
    "rebuild",
    "reindex_all",
    "register_index",
    "registered_specs",
]

log = logging.getLogger(__name__)

Doc = Mapping[str, Any]
# Yields every document of an index from the database, for a full rebuild.
DocSource = Callable[[], AsyncIterable[Doc] | Iterable[Doc]]


@dataclass(frozen=True)
class _Registration:
    spec: IndexSpec
    source: DocSource | None


_REGISTRY: dict[str, _Registration] = {}


def register_index(spec: IndexSpec, source: DocSource | None = None) -> IndexSpec:
    """Declare an index (idempotent for the same spec); ``source`` feeds ``council reindex``."""
    known = _REGISTRY.get(spec.name)
    if known is not None and known.spec != spec:
        raise SearchError(f"index {spec.name!r} is already registered with another spec")
    _REGISTRY[spec.name] = _Registration(spec, source or (known.source if known else None))
    return spec


def registered_specs() -> dict[str, IndexSpec]:
    """Every declared index spec, by name."""
    return {name: reg.spec for name, reg in _REGISTRY.items()}


BACKENDS = ("whoosh", "postgres")

AnyIndex = SearchIndex | PgSearchIndex


class SearchEngine:
    """The indexes of one deployment: Whoosh directories under ``root``, or PostgreSQL tables
    (``backend="postgres"``). One per process is enough (``get_engine``)."""

    def __init__(self, root: Path, backend: str = "whoosh") -> None:
        if backend not in BACKENDS:
            raise SearchError(f"unknown search backend {backend!r} (whoosh or postgres)")
        self.root = Path(root)
        self.backend = backend
        self._indexes: dict[str, AnyIndex] = {}

    def index(self, name: str) -> Any:
        """The index ``name`` (declared with :func:`register_index`): a ``SearchIndex`` or a
        ``PgSearchIndex``, with the same ``asearch``/``awrite``/``aclear`` interface."""
        found = self._indexes.get(name)
        reg = _REGISTRY.get(name)
        if reg is None:
            raise SearchError(f"unknown index {name!r}")
        if found is None or found.spec != reg.spec:
            if self.backend == "postgres":
                found = self._indexes[name] = PgSearchIndex(reg.spec)
            else:
                found = self._indexes[name] = SearchIndex(self.root, reg.spec)
        return found

    def names(self) -> list[str]:
        """Names of the declared indexes."""
        return sorted(_REGISTRY)

    def close(self) -> None:
        """Close every open searcher."""
        for index in self._indexes.values():
            index.close()


_ENGINE: SearchEngine | None = None


def default_backend(database_url: str) -> str:
    """``postgres`` when the database is PostgreSQL, else ``whoosh``."""
    return (
        "postgres"
        if database_url.split(":", 1)[0] in ("postgres", "postgresql", "asyncpg")
        else "whoosh"
    )


def configure(root: Path | str, backend: str | None = None) -> SearchEngine:
    """Point the process-wide engine at ``root`` (normally ``$COUNCIL_DATA_DIR/index``) and a
    backend; without ``backend``, keep the configured one (or Whoosh)."""
    global _ENGINE
    if _ENGINE is not None:
        if _ENGINE.root == Path(root) and backend in (None, _ENGINE.backend):
            return _ENGINE
        _ENGINE.close()
    _ENGINE = SearchEngine(Path(root), backend or "whoosh")
    return _ENGINE


def configure_for(settings: Any) -> SearchEngine:
    """Configure the engine from a deployment's settings (``SEARCH_BACKEND``)."""
    return configure(settings.index_dir, settings.search_backend)


def get_engine() -> SearchEngine:
    """The process-wide engine set by :func:`configure`."""
    if _ENGINE is None:
        raise SearchError("council.search.configure(root) has not been called")
    return _ENGINE


def get_index(name: str) -> Any:
    """The live index ``name`` of the process-wide engine."""
    return get_engine().index(name)


_END = object()


@dataclass(frozen=True)
class _Failure:
    error: BaseException


_HANDOVER = 500


async def _collect_async(source: AsyncIterable[Doc], out: asyncio.Queue[Any]) -> None:
    """Read the source on the event loop and hand documents over in batches (one cross-thread
    call per batch, not per document)."""
    batch: list[Doc] = []
    try:
        async for doc in source:
            batch.append(doc)
            if len(batch) >= _HANDOVER:
                await out.put(batch)
                batch = []
    except Exception as exc:
        await out.put(_Failure(exc))
        raise
    if batch:
        await out.put(batch)
    await out.put(_END)


async def rebuild(
    name: str,
    docs: AsyncIterable[Doc] | Iterable[Doc] | None = None,
    *,
    engine: SearchEngine | None = None,
    procs: int | None = None,
) -> int:
    """Rebuild index ``name`` from ``docs`` (default: its registered source); returns the count.

    Takes the index's write lock (waiting for a running batch of the outbox worker), so no
    other writer runs meanwhile; changes enqueued during the rebuild are applied afterwards.
    """
    engine = engine or get_engine()
    index = engine.index(name)
    if docs is None:
        source = _REGISTRY[name].source
        if source is None:
            raise SearchError(f"index {name!r} has no registered document source")
        docs = source()
    procs = procs or os.cpu_count() or 1
    if isinstance(index, PgSearchIndex):
        count = await index.rebuild(docs, procs)
        log.info("search index %s rebuilt: %d documents", name, count)
        return count
    await asyncio.to_thread(index.write_lock.acquire, True)
    try:
        if isinstance(docs, AsyncIterable):
            loop = asyncio.get_running_loop()
            queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=8)
            producer = asyncio.create_task(_collect_async(docs, queue))

            def from_queue() -> Iterable[Doc]:
                while True:
                    item = asyncio.run_coroutine_threadsafe(queue.get(), loop).result()
                    if item is _END:
                        return
                    if isinstance(item, _Failure):
                        raise SearchError(f"reading documents failed: {item.error}")
                    yield from item

            try:
                count = await asyncio.to_thread(index.rebuild, from_queue(), procs)
            finally:
                producer.cancel()
            await asyncio.gather(producer, return_exceptions=True)
        else:
            count = await asyncio.to_thread(index.rebuild, docs, procs)
    finally:
        index.write_lock.release()
    log.info("search index %s rebuilt: %d documents", name, count)
    return count


async def reindex_all(engine: SearchEngine | None = None) -> dict[str, int]:
    """Rebuild every registered index that has a document source (``council reindex``)."""
    engine = engine or get_engine()
    counts = {}
    for name in engine.names():
        if _REGISTRY[name].source is not None:
            counts[name] = await rebuild(name, engine=engine)
    return counts
