"""Searching a petitions index: folding, exact-first ranking, pairs, filters, paging, writes."""

from datetime import date
from pathlib import Path

import pytest

from council.search.index import Change, SearchIndex
from council.search.query import MAX_QUERY_SYLLABLES, parse_query
from council.search.schema import IndexSpec, SearchError

from .factories import PETITIONS, build_index, ids, petition, sample_petitions


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    return build_index(tmp_path, sample_petitions())


def test_unaccented_query_finds_accented_text(index: SearchIndex) -> None:
    found = set(ids(index.search("duong")))
    assert {"KN-01", "KN-08"} <= found  # "đường"
    assert "KN-04" in found  # "Dương": the same letters without marks
    assert "KN-07" in found  # typed without diacritics
    assert "KN-02" not in found


def test_accented_query_ranks_exact_spellings_first(index: SearchIndex) -> None:
    result = index.search("Đường")
    order = ids(result)
    exact = {"KN-01", "KN-06", "KN-08"}  # "đường" (KN-06: "học đường")
    assert set(order[: len(exact)]) == exact
    assert set(order[len(exact) :]) == {"KN-04", "KN-07"}
    assert result.total == 5


def test_two_syllable_word_matches_adjacent_syllables_only(index: SearchIndex) -> None:
    # KN-06 has "môi" and "trường" but not together.
    assert set(ids(index.search("môi trường"))) == {"KN-02"}
    assert set(ids(index.search("moi truong"))) == {"KN-02"}
    assert ids(index.search("giao thông"))[0] == "KN-01"


def test_several_words_must_all_match(index: SearchIndex) -> None:
    assert ids(index.search("Nghị quyết về dự toán ngân sách")) == ["KN-03"]
    assert ids(index.search("ô nhiễm nước thải kênh")) == ["KN-02"]
    assert ids(index.search("ô nhiễm trường tiểu học")) == []


def test_any_mode_ranks_by_how_many_words_match(index: SearchIndex) -> None:
    result = index.search("ô nhiễm trường tiểu học", match="any")
    assert {"KN-02", "KN-05"} <= set(ids(result))
    assert ids(result)[0] == "KN-05"  # matches "trường", "tiểu học" twice, in the title too


def test_tone_placement_variants_match_exactly(index: SearchIndex) -> None:
    assert ids(index.search("Khánh Hòa")) == ["KN-09"]
    assert ids(index.search("khanh hoa")) == ["KN-09"]


def test_empty_and_punctuation_queries_list_everything(index: SearchIndex) -> None:
    assert index.search("").total == 9
    assert index.search("?!").total == 9


def test_filters_keyword_any_of_and_empty_scope(index: SearchIndex) -> None:
    assert set(ids(index.search("đường", filters={"channel": "assisted"}))) == {"KN-07"}
    assert set(ids(index.search("", filters={"council": ["HN-HD", "HN-XX"]}))) == {"KN-02", "KN-04"}
    # A multi-valued field: KN-02 is visible to the commune and to the city.
    assert ids(index.search("ô nhiễm", filters={"council": "HN"})) == ["KN-02"]
    # No scope at all means nothing, not everything.
    assert index.search("", filters={"council": []}).total == 0


def test_date_ranges_are_inclusive_and_days_cover_the_whole_day(index: SearchIndex) -> None:
    spring = index.search("", date_ranges={"filed_at": (date(2025, 3, 3), date(2025, 4, 15))})
    assert set(ids(spring)) == {"KN-03", "KN-04", "KN-05"}
    overdue = index.search("", date_ranges={"due_at": (None, date(2025, 3, 1))})
    assert ids(overdue) == ["KN-01"]  # KN-02 due later; others have no due date
    assert index.search("", date_ranges={"filed_at": (date(2026, 1, 1), None)}).total == 0


def test_sort_by_date_and_paging(index: SearchIndex) -> None:
    newest = index.search("", sort="-filed_at", limit=3)
    assert ids(newest) == ["KN-09", "KN-08", "KN-07"]
    assert newest.total == 9
    page2 = index.search("", sort="-filed_at", limit=3, offset=3)
    assert ids(page2) == ["KN-06", "KN-05", "KN-04"]
    oldest = index.search("", sort="filed_at", limit=2)
    assert ids(oldest) == ["KN-01", "KN-02"]
    assert newest.hits[0].fields["filed_at"].date() == date(2025, 6, 30)


def test_hits_return_stored_fields_only(index: SearchIndex) -> None:
    hit = index.search("nhựa").hits[0]
    assert hit.id == "KN-02"
    assert set(hit.fields) == {"title", "body", "status", "filed_at"}
    assert hit.fields["status"] == "assigned"
    assert hit.score > 0


def test_highlights_are_escaped_with_only_our_marks(index: SearchIndex) -> None:
    hit = index.search("đèn đường").hits[0]
    assert hit.id == "KN-08"
    body = hit.highlights["body"]
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "&amp;" in body and "&quot;x&quot;" in body
    assert "<mark>Đèn đường</mark>" in body
    assert body.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert hit.highlight == hit.highlights["title"]
    assert hit.highlight == "<mark>Đèn đường</mark> hỏng &lt;script&gt;"


def test_update_and_delete(tmp_path: Path) -> None:
    index = build_index(tmp_path, sample_petitions())
    changed = petition("KN-05", "Trường mầm non thiếu đồ chơi", "Trường mầm non thiếu đồ chơi.")
    with index.write_lock:
        index.apply([Change("KN-05", "upsert", changed), Change("KN-01", "delete")])
    assert ids(index.search("phòng học")) == []
    assert ids(index.search("đồ chơi")) == ["KN-05"]
    assert "KN-01" not in ids(index.search("giao thông"))
    assert index.doc_count() == 8


def test_last_change_of_a_document_wins(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path, PETITIONS)
    first = petition("KN-1", "Rác thải", "Rác thải ùn ứ")
    second = petition("KN-1", "Cây xanh", "Cây xanh gãy đổ")
    with index.write_lock:
        index.apply([Change("KN-1", "upsert", first), Change("KN-1", "upsert", second)])
        index.apply([Change("KN-2", "upsert", first), Change("KN-2", "delete")])
    assert ids(index.search("cây xanh")) == ["KN-1"]
    assert index.search("rác thải").total == 0


def test_searching_before_the_index_exists(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path, PETITIONS)
    assert index.search("đường").total == 0
    assert index.doc_count() == 0


def test_bad_calls_raise_search_error(index: SearchIndex) -> None:
    with pytest.raises(SearchError):
        index.search("x", filters={"name": "Nguyễn Văn A"})
    with pytest.raises(SearchError):
        index.search("x", date_ranges={"status": (None, None)})
    with pytest.raises(SearchError):
        index.search("x", limit=0)
    with pytest.raises(SearchError):
        index.search("x", sort="title")
    with pytest.raises(SearchError):
        PETITIONS.to_document({"id": "KN-1", "phone": "0912345678"})


def test_long_hostile_queries_are_bounded(index: SearchIndex) -> None:
    query = "đường " * 5000 + "<b>" * 100
    assert ids(index.search(query)) == ids(index.search("đường"))
    assert len(parse_query(" ".join(f"từ{i}" for i in range(1000)))) < MAX_QUERY_SYLLABLES


def test_separate_words_rank_documents_where_they_stand_together_first(tmp_path: Path) -> None:
    docs = [
        petition(f"KN-{i}", "Đường làng", f"Đường thôn {i} xuống cấp. Ruộng bị ngập sau mưa.")
        for i in range(12)
    ]
    docs.append(petition("KN-X", "Phản ánh", "Mưa lớn làm đường ngập sâu, xe không đi được."))
    index = build_index(tmp_path, docs)
    result = index.search("đường ngập")
    assert result.total == 13  # both words, anywhere
    assert result.hits[0].id == "KN-X"  # side by side first
    assert "<mark>đường ngập</mark>" in result.hits[0].highlights["body"]


def test_a_changed_declaration_recreates_the_index(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build_index(tmp_path, sample_petitions())
    wider = IndexSpec(
        name=PETITIONS.name,
        text_fields=PETITIONS.text_fields,
        keyword_fields=(*PETITIONS.keyword_fields, "agency"),
        date_fields=PETITIONS.date_fields,
        stored_fields=PETITIONS.stored_fields,
    )
    index = SearchIndex(tmp_path, wider)
    doc = {**petition("KN-99", "Cây xanh", "Cây xanh gãy đổ"), "agency": "SXD"}
    with caplog.at_level("WARNING", logger="council.search.index"), index.write_lock:
        index.apply([Change("KN-99", "upsert", doc)])
    assert "council reindex" in caplog.text
    assert index.doc_count() == 1
    assert ids(index.search("cây xanh", filters={"agency": "SXD"})) == ["KN-99"]


def test_query_must_be_text(index: SearchIndex) -> None:
    with pytest.raises(SearchError):
        index.search(None)  # type: ignore[arg-type]
    with pytest.raises(SearchError):
        index.search("đường", snippet_chars=0)


def test_readers_survive_a_writer_committing_and_merging(tmp_path: Path) -> None:
    import threading

    build_index(tmp_path, sample_petitions())
    writer, reader = SearchIndex(tmp_path, PETITIONS), SearchIndex(tmp_path, PETITIONS)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(80):  # each commit adds a segment; Whoosh merges small ones
                doc = petition(f"KN-W{i}", f"Kiến nghị {i}", "Đường giao thông ngập nước")
                with writer.write_lock:
                    writer.apply([Change(doc["id"], "upsert", doc)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    seen = []
    while thread.is_alive():
        seen.append(reader.search("giao thông", limit=5).total)
    thread.join()
    assert not errors
    assert seen == sorted(seen)  # a reader never goes back in time
    assert reader.search("giao thông").total == 81
