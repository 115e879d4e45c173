"""The engine: declared indexes, the process-wide configuration, rebuilds from async sources."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from council.search import engine as engine_module
from council.search.engine import (
    SearchEngine,
    configure,
    get_engine,
    get_index,
    rebuild,
    register_index,
    registered_specs,
)
from council.search.schema import IndexSpec, SearchError

from .factories import PETITIONS, generated_petitions, ids, sample_petitions

register_index(PETITIONS)


async def _from_db(docs: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for doc in docs:
        yield doc


def test_register_is_idempotent_and_refuses_a_different_spec() -> None:
    assert register_index(PETITIONS) is PETITIONS
    assert registered_specs()[PETITIONS.name] == PETITIONS
    other = IndexSpec(name=PETITIONS.name, text_fields={"title": 1.0})
    with pytest.raises(SearchError):
        register_index(other)


def test_configure_points_get_index_at_a_directory(tmp_path: Path) -> None:
    previous = engine_module._ENGINE
    try:
        engine = configure(tmp_path)
        assert get_engine() is engine and configure(tmp_path) is engine
        assert get_index(PETITIONS.name).directory == tmp_path / PETITIONS.name
        with pytest.raises(SearchError):
            get_index("never_declared")
    finally:
        engine_module._ENGINE = previous


async def test_rebuild_from_an_async_source(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path)
    docs = generated_petitions(300)
    assert await rebuild(PETITIONS.name, _from_db(docs), engine=engine, procs=2) == 300
    index = engine.index(PETITIONS.name)
    assert index.doc_count() == 300
    assert await rebuild(PETITIONS.name, sample_petitions(), engine=engine, procs=1) == 9
    assert ids(index.search("môi trường")) == ["KN-02"]


async def test_a_failing_source_fails_the_rebuild(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path)
    await rebuild(PETITIONS.name, sample_petitions(), engine=engine, procs=1)

    async def broken() -> AsyncIterator[dict[str, Any]]:
        for doc in generated_petitions(10):
            yield doc
        raise ConnectionError("database went away")

    with pytest.raises(SearchError, match="database went away"):
        await rebuild(PETITIONS.name, broken(), engine=engine, procs=2)
    assert engine.index(PETITIONS.name).doc_count() == 9
    assert not engine.index(PETITIONS.name).write_lock.held


def test_index_specs_are_validated() -> None:
    with pytest.raises(SearchError):
        IndexSpec(name="Bad Name", text_fields={"title": 1.0})
    with pytest.raises(SearchError):
        IndexSpec(name="x", text_fields={})
    with pytest.raises(SearchError):
        IndexSpec(name="x", text_fields={"id": 1.0})
    with pytest.raises(SearchError):
        IndexSpec(name="x", text_fields={"title": 1.0}, keyword_fields=("title",))


def test_the_search_backend_follows_the_database(tmp_path: Path) -> None:
    from council.settings import Settings

    def backend(env: dict[str, str], **overrides: Any) -> str:
        return Settings.from_env(env, data_dir=str(tmp_path), **overrides).search_backend

    assert backend({}) == "whoosh"
    assert backend({}, database_url="postgres://postgres@127.0.0.1/council") == "postgres"
    assert backend({"DATABASE_URL": "postgresql://db/council"}) == "postgres"
    assert backend({"SEARCH_BACKEND": "whoosh"}, database_url="postgres://db/council") == "whoosh"
    with pytest.raises(ValueError, match="PostgreSQL"):
        backend({"SEARCH_BACKEND": "postgres"})
    with pytest.raises(ValueError, match="whoosh or postgres"):
        backend({"SEARCH_BACKEND": "elastic"})
    previous = engine_module._ENGINE
    engine = configure(tmp_path, "postgres")
    try:
        assert engine.backend == "postgres" and configure(tmp_path) is engine
    finally:
        engine_module._ENGINE = previous
