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
