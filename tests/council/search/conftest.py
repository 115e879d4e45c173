"""Every index a test opens is closed after it (Whoosh keeps segment files open); indexes on
the backend of the run."""

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from council.search.index import Change, SearchIndex
from council.search.pgindex import PgSearchIndex
from council.search.schema import IndexSpec

from .factories import PETITIONS


@pytest.fixture(autouse=True)
def close_indexes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    opened: list[SearchIndex] = []
    original = SearchIndex.__init__

    def tracking_init(self: SearchIndex, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(SearchIndex, "__init__", tracking_init)
    yield
    for index in opened:
        index.close()


BACKEND = "postgres" if os.environ.get("COUNCIL_TEST_DB") == "postgres" else "whoosh"


if BACKEND == "postgres":

    @pytest.fixture
    async def backend_db(settings: Any) -> AsyncIterator[None]:
        """The migrated, emptied test database, connected."""
        yield

else:

    @pytest.fixture
    async def backend_db() -> AsyncIterator[None]:
        """Whoosh needs no database."""
        yield


@pytest.fixture
async def make_index(
    backend_db: None, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Build an index on the backend of this test run: Whoosh on the SQLite pass, PostgreSQL
    (tables in the test database) on the PostgreSQL pass (``COUNCIL_TEST_DB=postgres``)."""

    async def build(docs: Iterable[Mapping[str, Any]] = (), spec: IndexSpec = PETITIONS) -> Any:
        index: Any = PgSearchIndex(spec) if BACKEND == "postgres" else SearchIndex(tmp_path, spec)
        docs = list(docs)
        if docs:
            await index.awrite([Change(str(d["id"]), "upsert", d) for d in docs])
        return index

    yield build
