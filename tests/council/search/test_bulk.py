"""Bulk rebuilds write ordinary Whoosh segments, equal to those of the standard writer."""

from pathlib import Path
from typing import Any

import pytest

from council.search.index import SearchIndex
from council.search.schema import SearchError

from .factories import PETITIONS, build_index, generated_petitions, ids

QUERIES = ["đường", "duong", "ô nhiễm môi trường", "Khánh Hòa", "học sinh", "ngân sách", ""]


def _terms(index: SearchIndex) -> dict[tuple[str, bytes], tuple]:
    searcher = index._current_searcher()
    assert searcher is not None
    reader = searcher.reader()
    out = {}
    for fieldname, text in reader.all_terms():
        info = reader.term_info(fieldname, text)
        postings = reader.postings(fieldname, text)
        items = []
        while postings.is_active():
            items.append((postings.id(), round(postings.weight(), 4)))
            postings.next()
        out[(fieldname, text)] = (
            info.doc_frequency(),
            round(info.weight(), 3),
            info.min_length(),
            info.max_length(),
            info.max_weight(),
            tuple(items),
        )
    return out


def test_single_process_bulk_equals_standard_writer(tmp_path: Path) -> None:
    docs = generated_petitions(700)
    standard = build_index(tmp_path / "standard", docs)
    bulk = SearchIndex(tmp_path / "bulk", PETITIONS)
    with bulk.write_lock:
        assert bulk.rebuild(docs, procs=1) == 700
    assert _terms(bulk) == _terms(standard)
    reader = bulk._current_searcher().reader()  # type: ignore[union-attr]
    reference = standard._current_searcher().reader()  # type: ignore[union-attr]
    for docnum in range(700):
        assert reader.stored_fields(docnum) == reference.stored_fields(docnum)
        for fieldname in ("exact", "fold"):
            assert reader.doc_field_length(docnum, fieldname) == reference.doc_field_length(
                docnum, fieldname
            )


def test_parallel_bulk_answers_like_standard_writer(tmp_path: Path) -> None:
    docs = generated_petitions(900, seed=11)
    standard = build_index(tmp_path / "standard", docs)
    bulk = SearchIndex(tmp_path / "bulk", PETITIONS)
    with bulk.write_lock:
        assert bulk.rebuild(docs, procs=2) == 900
    # One segment per worker that got a batch: a worker slow to spawn may get none on a busy machine.
    assert 1 <= len(bulk._current_searcher().reader().leaf_readers()) <= 2  # type: ignore[union-attr]
    # Common terms' postings are also kept as raw arrays, which the executor reads instead.
    assert list(bulk.directory.glob("*.npa"))
    for q in QUERIES:
        for kwargs in ({}, {"filters": {"status": "received"}}, {"sort": "-filed_at"}):
            a = bulk.search(q, limit=200, **kwargs)
            b = standard.search(q, limit=200, **kwargs)
            assert a.total == b.total > 0
            if kwargs.get("sort"):
                dates = lambda r: [h.fields["filed_at"] for h in r.hits]  # noqa: E731
                assert dates(a) == dates(b)
            elif q:
                # Documents are numbered differently, so only ties at the cut may differ.
                assert [round(h.score, 6) for h in a.hits] == [round(h.score, 6) for h in b.hits]
                cut = round(a.hits[-1].score, 6)
                assert _above(a, cut) == _above(b, cut)


def _above(result: Any, cut: float) -> set[str]:
    return {h.id for h in result.hits if round(h.score, 6) > cut}


def test_rebuild_replaces_everything(tmp_path: Path) -> None:
    index = build_index(tmp_path, generated_petitions(50))
    fresh = generated_petitions(30, seed=99)
    fresh = [{**d, "id": f"NEW-{i}"} for i, d in enumerate(fresh)]
    with index.write_lock:
        index.rebuild(fresh, procs=2)
    assert index.doc_count() == 30
    assert all(i.startswith("NEW-") for i in ids(index.search("", limit=100)))
    with index.write_lock:
        assert index.rebuild([], procs=2) == 0
    assert index.doc_count() == 0


def test_a_bad_document_fails_the_rebuild_and_keeps_the_index(tmp_path: Path) -> None:
    docs = generated_petitions(40)
    index = build_index(tmp_path, docs)
    broken = [*generated_petitions(600, seed=5), {"id": "KN-X", "title": "x", "phone": "0912"}]
    with index.write_lock, pytest.raises(SearchError, match="phone"):
        index.rebuild(broken, procs=2)
    assert index.doc_count() == 40
    assert (
        index.search("đường").total == build_index(tmp_path / "again", docs).search("đường").total
    )


def test_a_damaged_posting_arrays_file_is_read_from_the_blocks(tmp_path: Path) -> None:
    docs = generated_petitions(400, seed=5)
    bulk = SearchIndex(tmp_path / "bulk", PETITIONS)
    with bulk.write_lock:
        assert bulk.rebuild(docs, procs=1) == 400
    expected = bulk.search("đề nghị", limit=50)
    bulk.close()
    for path in bulk.directory.glob("*.npa"):
        path.write_bytes(b"\x00" * 4)
    reopened = SearchIndex(tmp_path / "bulk", PETITIONS)
    found = reopened.search("đề nghị", limit=50)
    assert found.total == expected.total > 0
    assert [(h.id, round(h.score, 6)) for h in found.hits] == [
        (h.id, round(h.score, 6)) for h in expected.hits
    ]
    reopened.close()
