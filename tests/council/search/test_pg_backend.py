"""The PostgreSQL backend against the Whoosh one, and what only PostgreSQL gives: an index
written in the transaction of the change, and a rebuild that keeps changes made during it.

Runs on the PostgreSQL pass (``COUNCIL_TEST_DB=postgres``)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from council.search import engine as engine_module
from council.search import pgquery
from council.search.engine import configure, rebuild, register_index
from council.search.index import Change, SearchIndex
from council.search.outbox import enqueue
from council.search.pgindex import PgSearchIndex

from .conftest import BACKEND
from .factories import PETITIONS, generated_petitions, ids, petition, sample_petitions

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="needs COUNCIL_TEST_DB=postgres")

register_index(PETITIONS)

QUERIES = [
    "đường",
    "duong",
    "Đường giao thông",
    "giao thong",
    "môi trường",
    "ô nhiễm",
    "Dương Nội",
    "duong noi",
    "tiểu học Ba Đình",
    "Khánh Hòa",
    "khanh hoa",
    "ngập úng",
    "mưa",
    "bồi thường giải phóng mặt bằng",
    "đề nghị",
    "sua chua",
    "không có từ này",
    "",
]


@pytest.fixture
async def pg_engine(settings: Any, tmp_path: Path) -> AsyncIterator[Any]:
    previous = engine_module._ENGINE
    engine = configure(tmp_path / "index", "postgres")
    yield engine
    engine_module._ENGINE = previous


async def test_both_backends_give_the_same_hits(make_index: Any, tmp_path: Path) -> None:
    docs = generated_petitions(150) + sample_petitions()
    pg = await make_index(docs)
    whoosh = SearchIndex(tmp_path / "whoosh", PETITIONS)
    await whoosh.awrite([Change(d["id"], "upsert", d) for d in docs])
    filters: list[dict[str, Any]] = [{}, {"council": ["HN-BD", "HN"]}, {"status": "published"}]
    for q in QUERIES:
        for f in filters:
            for match in ("all", "any"):
                ours = await pg.asearch(q, filters=f, match=match, limit=200)
                theirs = await whoosh.asearch(q, filters=f, match=match, limit=200)
                label = f"{q!r} {f} {match}"
                assert ours.total == theirs.total, label
                assert ours.total_exact is theirs.total_exact is True, label
                assert set(ids(ours)) == set(ids(theirs)), label
                # Documents holding every word in the form typed come first.
                flags = [_holds_exactly(h, q) for h in ours.hits]
                assert flags == sorted(flags, reverse=True), label
    # Counted up to a cap, both say "more than 50" where more match, and agree below it.
    for q in QUERIES:
        ours = await pg.asearch(q, limit=200, track_total=50)
        theirs = await whoosh.asearch(q, limit=200, track_total=50)
        assert (ours.total, ours.total_exact) == (theirs.total, theirs.total_exact), q
        assert set(ids(ours)) == set(ids(theirs)), q
    assert not (await pg.asearch("", track_total=50)).total_exact
    whoosh.close()


def _holds_exactly(hit: Any, q: str) -> bool:
    from council.search.analysis import runs

    held = {s for run in runs(f"{hit.fields['title']}. {hit.fields['body']}") for s in run}
    return all(s in held for run in runs(q) for s in run)


async def test_a_change_is_searchable_when_its_transaction_commits(pg_engine: Any) -> None:
    index = pg_engine.index(PETITIONS.name)
    doc = petition("KN-NEW", "Cây xanh gãy đổ", "Cây xanh gãy đổ chắn đường")
    async with in_transaction():
        await enqueue(PETITIONS.name, "KN-NEW", "upsert", doc)
        # Not yet committed: another connection does not see it.
        outside = connections.get("default")._parent  # type: ignore[attr-defined]
        rows = await outside.execute_query_dict(
            f"SELECT count(*) AS n FROM {index.table} WHERE doc_id = 'KN-NEW'"
        )
        assert rows[0]["n"] == 0
    assert ids(await index.asearch("cây xanh")) == ["KN-NEW"]

    with pytest.raises(RuntimeError):
        async with in_transaction():
            await enqueue(PETITIONS.name, "KN-NEW", "delete")
            await enqueue(PETITIONS.name, "KN-GONE", "upsert", {**doc, "id": "KN-GONE"})
            raise RuntimeError("the domain change failed")
    assert ids(await index.asearch("cây xanh")) == ["KN-NEW"]


async def test_a_rebuild_keeps_changes_committed_while_it_runs(pg_engine: Any) -> None:
    index = pg_engine.index(PETITIONS.name)
    await index.awrite([Change(d["id"], "upsert", d) for d in sample_petitions()])

    async def source() -> AsyncIterator[dict[str, Any]]:
        for n, doc in enumerate(sample_petitions()):
            if n == 4:  # a petition filed and another withdrawn, mid-rebuild
                async with in_transaction():
                    new = petition("KN-LATE", "Cây xanh gãy đổ", "Cây xanh gãy đổ chắn đường")
                    await enqueue(PETITIONS.name, "KN-LATE", "upsert", new)
                    await enqueue(PETITIONS.name, "KN-02", "delete")
            yield doc

    assert await rebuild(PETITIONS.name, source(), engine=pg_engine, procs=1) == 9
    assert ids(await index.asearch("cây xanh")) == ["KN-LATE"]
    assert await index.aget("KN-02") is None  # deleted meanwhile
    assert await index.adoc_count() == 9
    rows = await connections.get("default").execute_query_dict(
        "SELECT (SELECT count(*) FROM search_outbox) AS log, "
        "(SELECT count(*) FROM fts_rebuilds) AS marks"
    )
    assert rows[0] == {"log": 0, "marks": 0}


async def test_a_rebuilt_row_equals_the_row_a_change_writes(pg_engine: Any) -> None:
    # The rebuild encodes tsvectors itself (binary COPY, one pass per field); a change goes
    # through the tsvector text form. Both must store the same lexemes, positions and weights:
    # title words repeated in the body, a word past 8 occurrences, an empty body.
    docs = sample_petitions() + generated_petitions(60)
    docs.append(petition("KN-REP", "Đường đường ĐƯỜNG", "đường " * 12 + "Đường làng, đường"))
    docs.append(petition("KN-EMPTY", "Cây xanh gãy đổ", ""))
    # The rebuild's binary COPY tuples: no keyword and no date at all (an empty array, NULLs),
    # several values of one keyword, a non-ASCII stored text.
    docs.append({"id": "KN-BARE", "title": "Ngõ 5 phố Huế ngập"})
    docs.append(petition("KN-TWO", "Ổ gà", "Ổ gà sâu", council=["HN-BD", "HN-HK"]))
    index = pg_engine.index(PETITIONS.name)
    table = "SELECT doc_id, terms::text AS terms, keywords, d0, d1, stored::text AS stored "
    await index.awrite([Change(d["id"], "upsert", d) for d in docs])
    conn = connections.get("default")
    written = await conn.execute_query_dict(table + f"FROM {index.table} ORDER BY doc_id")
    assert await rebuild(PETITIONS.name, docs, engine=pg_engine, procs=1) == len(docs)
    rebuilt = await conn.execute_query_dict(table + f"FROM {index.table} ORDER BY doc_id")
    assert len(rebuilt) == len(docs)
    assert rebuilt == written
    rep = next(r for r in rebuilt if r["doc_id"] == "KN-REP")["terms"]
    assert "'=đường':1A,2A,3A,4B,5B,6B,7B,8B" in rep


async def test_a_rebuild_indexes_each_partition_and_attaches_them(pg_engine: Any) -> None:
    # Two connections build the partitions' indexes side by side; the partitioned table's
    # indexes then attach them: each has one valid index per partition, none built twice.
    index = pg_engine.index(PETITIONS.name)
    docs = generated_petitions(80)
    await index.awrite([Change(d["id"], "upsert", d) for d in docs])
    before = {q: ids(await index.asearch(q, limit=100)) for q in QUERIES}
    assert await rebuild(PETITIONS.name, docs, engine=pg_engine, procs=2) == 80
    conn = connections.get("default")
    parts = await conn.execute_query_dict(
        "SELECT relid::text AS part, (SELECT count(*) FROM ONLY "
        f"{index.table}_p0) AS p0 FROM pg_partition_tree('{index.table}') WHERE isleaf "
        "ORDER BY relid::text"
    )
    assert [p["part"] for p in parts] == [f"{index.table}_p0", f"{index.table}_p1"]
    assert 0 < parts[0]["p0"] < 80  # the hash of doc_id spreads the rows
    attached = await conn.execute_query_dict(
        "SELECT parent.relname AS parent, count(*) AS n, bool_and(x.indisvalid) AS valid "
        "FROM pg_inherits i JOIN pg_class parent ON parent.oid = i.inhparent "
        "JOIN pg_index x ON x.indexrelid = i.inhrelid "
        "WHERE parent.relname LIKE $1 AND parent.relkind = 'I' GROUP BY parent.relname "
        "ORDER BY parent.relname",
        [f"{index.table}_%"],
    )
    names = [f"{index.table}_{suffix}" for suffix in index.index_suffixes()]
    assert [(a["parent"], a["n"], a["valid"]) for a in attached] == [
        (name, 2, True) for name in sorted(names)
    ]
    assert {q: ids(await index.asearch(q, limit=100)) for q in QUERIES} == before


async def test_a_failed_rebuild_leaves_the_index_as_it_was(pg_engine: Any) -> None:
    index = pg_engine.index(PETITIONS.name)
    await index.awrite([Change(d["id"], "upsert", d) for d in sample_petitions()])

    async def broken() -> AsyncIterator[dict[str, Any]]:
        yield sample_petitions()[0]
        raise ConnectionError("database went away")

    from council.search.schema import SearchError

    with pytest.raises(SearchError, match="database went away"):
        await rebuild(PETITIONS.name, broken(), engine=pg_engine, procs=1)
    assert await index.adoc_count() == 9
    doc = petition("KN-AFTER", "Cây xanh", "Cây xanh gãy đổ")
    async with in_transaction():
        await enqueue(PETITIONS.name, "KN-AFTER", "upsert", doc)
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM search_outbox"
    )
    assert rows[0]["n"] == 0  # no rebuild is marked running: nothing is logged


async def test_common_words_rank_only_candidates_but_count_every_match(
    make_index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = [
        petition(f"KN-{i:03d}", "Đường làng", f"Đường thôn {i} xuống cấp nghiêm trọng")
        for i in range(40)
    ]
    docs += [petition("KN-OLD", "duong lang", "duong thon xuong cap")]  # typed without marks
    index = await make_index([docs[-1], *docs[:-1]])  # the unaccented one is the oldest
    monkeypatch.setattr(pgquery, "CANDIDATES", 5)
    result = await index.asearch("duong", limit=3)
    assert result.total == 41
    # The exact form typed ("duong") ranks first although it is outside the newest five.
    assert ids(result)[0] == "KN-OLD"
    newest = await index.asearch("Đường", limit=5)
    assert newest.total == 41
    assert set(ids(newest)) == {f"KN-{i:03d}" for i in range(35, 40)}


def test_the_postgres_index_class_is_chosen_by_the_engine(tmp_path: Path) -> None:
    engine = engine_module.SearchEngine(tmp_path, "postgres")
    assert isinstance(engine.index(PETITIONS.name), PgSearchIndex)


async def test_the_newest_candidates_are_found_when_filters_thin_the_window(
    make_index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The candidates come from a key window sized by the estimated matches; when filters
    leave too few in it, the window widens until it holds the newest ones that pass."""
    old = [
        petition(f"KN-P{i:02d}", "Đường làng", f"Đường thôn {i} xuống cấp", status="published")
        for i in range(30)
    ]
    new = [petition(f"KN-{i:03d}", "Đường làng", f"Đường xóm {i} xuống cấp") for i in range(300)]
    index = await make_index([*old, *new])  # the published ones are the oldest keys
    await connections.get("default").execute_script(f"ANALYZE {index.table}")
    monkeypatch.setattr(pgquery, "CANDIDATES", 5)
    result = await index.asearch("đường", filters={"status": "published"}, limit=5)
    assert (result.total, result.total_exact) == (30, True)
    assert set(ids(result)) == {f"KN-P{i:02d}" for i in range(25, 30)}  # the newest five
    capped = await index.asearch("đường", limit=5, track_total=100)
    assert (capped.total, capped.total_exact) == (100, False)
    assert capped.estimate is not None and 250 <= capped.estimate <= 400  # 330 match
    assert set(ids(capped)) == {f"KN-{i:03d}" for i in range(295, 300)}


async def test_the_newest_filtered_matches_are_found_past_track_total(
    make_index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filtered search counts first; when more than ``track_total`` pass, the candidates'
    key window is sized by that count, and still holds the newest passing matches."""
    docs = [
        petition(
            f"KN-{i:03d}",
            "Đường làng",
            f"Đường thôn {i} xuống cấp",
            status="accepted" if i % 3 == 0 else "received",
        )
        for i in range(300)
    ]
    index = await make_index(docs)
    await connections.get("default").execute_script(f"ANALYZE {index.table}")
    monkeypatch.setattr(pgquery, "CANDIDATES", 5)
    result = await index.asearch("đường", filters={"status": "accepted"}, limit=5, track_total=20)
    assert (result.total, result.total_exact) == (20, False)
    assert set(ids(result)) == {f"KN-{i:03d}" for i in range(285, 300, 3)}  # the newest five
    every = await index.asearch("đường", filters={"status": "accepted"}, limit=5)
    assert (every.total, every.total_exact) == (100, True)
    assert set(ids(every)) == set(ids(result))
