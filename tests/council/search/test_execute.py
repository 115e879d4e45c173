"""The fast executor answers exactly like Whoosh's own searcher with BM25F on the same query."""

from datetime import date
from typing import Any

import pytest

from council.search.index import Change, SearchIndex

from .factories import build_index, generated_petitions

QUERIES = [
    "đường",
    "duong",
    "Đường giao thông",
    "ô nhiễm môi trường",
    "o nhiem moi truong",
    "Khánh Hòa",
    "học sinh học ca ba",
    "dự toán ngân sách",
    "giải phóng mặt bằng bồi thường",
    "karaoke",
    "",
]
FILTERS: list[dict[str, Any]] = [
    {},
    {"filters": {"status": ["received", "assigned"]}},
    {"filters": {"council": "HN", "channel": "online"}},
    {"date_ranges": {"filed_at": (date(2025, 3, 1), date(2025, 8, 31))}},
    {"date_ranges": {"due_at": (None, date(2025, 6, 20))}, "filters": {"category": "transport"}},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    docs = generated_petitions(600)
    root = tmp_path_factory.mktemp("execute")
    # Three commits: three segments; then updates and deletes leave deleted documents behind.
    index = build_index(root, docs[:250])
    with index.write_lock:
        index.apply([Change(d["id"], "upsert", d) for d in docs[250:450]])
        index.apply([Change(d["id"], "upsert", d) for d in docs[450:]])
        index.apply(
            [Change(d["id"], "upsert", {**d, "status": "closed"}) for d in docs[100:140]]
            + [Change(d["id"], "delete") for d in docs[300:330]]
        )
    return index


def _run(
    index: SearchIndex, fast: bool, q: str, **kwargs: Any
) -> tuple[int, list[tuple[float, str]]]:
    index.fast = fast
    try:
        result = index.search(q, limit=200, **kwargs)
    finally:
        index.fast = True
    return result.total, [(round(h.score, 6), h.id) for h in result.hits]


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("extra", FILTERS)
@pytest.mark.parametrize("match", ["all", "any"])
def test_fast_path_equals_whoosh(
    index: SearchIndex, q: str, extra: dict[str, Any], match: str
) -> None:
    assert len(index._current_searcher().reader().leaf_readers()) > 1  # type: ignore[union-attr]
    fast_total, fast_hits = _run(index, True, q, match=match, **extra)
    ref_total, ref_hits = _run(index, False, q, match=match, **extra)
    assert fast_total == ref_total
    assert len(fast_hits) == min(ref_total, 200)
    # Equal scores may be summed in another order: compare by score, then id.
    key = lambda item: (-item[0], item[1])  # noqa: E731
    assert sorted(fast_hits, key=key) == sorted(ref_hits, key=key)
    if q:
        assert [s for s, _ in fast_hits] == sorted((s for s, _ in fast_hits), reverse=True)


@pytest.mark.parametrize("sort", ["filed_at", "-filed_at", "due_at", "-due_at"])
@pytest.mark.parametrize("q", ["", "đường"])
def test_sorted_listing_equals_whoosh(index: SearchIndex, sort: str, q: str) -> None:
    status = {"status": ["received", "published"]}
    fast = _run(index, True, q, sort=sort, filters=status)
    ref = _run(index, False, q, sort=sort, filters=status)
    assert fast == ref
    assert fast[0] > 0


def test_deleted_and_replaced_documents_are_not_found(index: SearchIndex) -> None:
    docs = generated_petitions(600)
    gone = {d["id"] for d in docs[300:330]}
    result = index.search(
        "", limit=200, filters={"status": ["received", "assigned", "published", "closed"]}
    )
    assert result.total == 570
    everything = set()
    for offset in range(0, 600, 200):
        everything |= {h.id for h in index.search("", limit=200, offset=offset).hits}
    assert not gone & everything
    closed = index.search("", limit=200, filters={"status": "closed"})
    assert {h.id for h in closed.hits} == {d["id"] for d in docs[100:140]}
