"""Searching a petitions index: folding, exact-first ranking, pairs, filters, paging, writes.

Every test runs on the backend of the run: Whoosh on SQLite, PostgreSQL on the PostgreSQL pass."""

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from council.search.index import Change, SearchIndex
from council.search.query import MAX_QUERY_SYLLABLES, parse_query
from council.search.schema import IndexSpec, SearchError

from .conftest import BACKEND
from .factories import PETITIONS, build_index, ids, petition, sample_petitions

Build = Callable[..., Awaitable[Any]]


@pytest.fixture
async def index(make_index: Build) -> Any:
    return await make_index(sample_petitions())


async def test_unaccented_query_finds_accented_text(index: Any) -> None:
    found = set(ids(await index.asearch("duong")))
    assert {"KN-01", "KN-08"} <= found  # "đường"
    assert "KN-04" in found  # "Dương": the same letters without marks
    assert "KN-07" in found  # typed without diacritics
    assert "KN-02" not in found


async def test_accented_query_ranks_exact_spellings_first(index: Any) -> None:
    result = await index.asearch("Đường")
    order = ids(result)
    exact = {"KN-01", "KN-06", "KN-08"}  # "đường" (KN-06: "học đường")
    assert set(order[: len(exact)]) == exact
    assert set(order[len(exact) :]) == {"KN-04", "KN-07"}
    assert result.total == 5


async def test_two_syllable_word_matches_adjacent_syllables_only(index: Any) -> None:
    # KN-06 has "môi" and "trường" but not together.
    assert set(ids(await index.asearch("môi trường"))) == {"KN-02"}
    assert set(ids(await index.asearch("moi truong"))) == {"KN-02"}
    assert ids(await index.asearch("giao thông"))[0] == "KN-01"


async def test_several_words_must_all_match(index: Any) -> None:
    assert ids(await index.asearch("Nghị quyết về dự toán ngân sách")) == ["KN-03"]
    assert ids(await index.asearch("ô nhiễm nước thải kênh")) == ["KN-02"]
    assert ids(await index.asearch("ô nhiễm trường tiểu học")) == []


async def test_any_mode_ranks_by_how_many_words_match(index: Any) -> None:
    result = await index.asearch("ô nhiễm trường tiểu học", match="any")
    assert {"KN-02", "KN-05"} <= set(ids(result))
    assert ids(result)[0] == "KN-05"  # matches "trường", "tiểu học" twice, in the title too


async def test_tone_placement_variants_match_exactly(index: Any) -> None:
    assert ids(await index.asearch("Khánh Hòa")) == ["KN-09"]
    assert ids(await index.asearch("khanh hoa")) == ["KN-09"]


async def test_empty_and_punctuation_queries_list_everything(index: Any) -> None:
    assert (await index.asearch("")).total == 9
    assert (await index.asearch("?!")).total == 9


async def test_filters_keyword_any_of_and_empty_scope(index: Any) -> None:
    assert set(ids(await index.asearch("đường", filters={"channel": "assisted"}))) == {"KN-07"}
    assert set(ids(await index.asearch("", filters={"council": ["HN-HD", "HN-XX"]}))) == {
        "KN-02",
        "KN-04",
    }
    # A multi-valued field: KN-02 is visible to the commune and to the city.
    assert ids(await index.asearch("ô nhiễm", filters={"council": "HN"})) == ["KN-02"]
    # No scope at all means nothing, not everything.
    assert (await index.asearch("", filters={"council": []})).total == 0


async def test_date_ranges_are_inclusive_and_days_cover_the_whole_day(index: Any) -> None:
    spring = await index.asearch(
        "", date_ranges={"filed_at": (date(2025, 3, 3), date(2025, 4, 15))}
    )
    assert set(ids(spring)) == {"KN-03", "KN-04", "KN-05"}
    overdue = await index.asearch("", date_ranges={"due_at": (None, date(2025, 3, 1))})
    assert ids(overdue) == ["KN-01"]  # KN-02 due later; others have no due date
    assert (await index.asearch("", date_ranges={"filed_at": (date(2026, 1, 1), None)})).total == 0


async def test_sort_by_date_and_paging(index: Any) -> None:
    newest = await index.asearch("", sort="-filed_at", limit=3)
    assert ids(newest) == ["KN-09", "KN-08", "KN-07"]
    assert newest.total == 9
    page2 = await index.asearch("", sort="-filed_at", limit=3, offset=3)
    assert ids(page2) == ["KN-06", "KN-05", "KN-04"]
    oldest = await index.asearch("", sort="filed_at", limit=2)
    assert ids(oldest) == ["KN-01", "KN-02"]
    assert newest.hits[0].fields["filed_at"].date() == date(2025, 6, 30)


async def test_hits_return_stored_fields_only(index: Any) -> None:
    hit = (await index.asearch("nhựa")).hits[0]
    assert hit.id == "KN-02"
    assert set(hit.fields) == {"title", "body", "status", "filed_at"}
    assert hit.fields["status"] == "assigned"
    assert hit.score > 0


async def test_highlights_are_escaped_with_only_our_marks(index: Any) -> None:
    hit = (await index.asearch("đèn đường")).hits[0]
    assert hit.id == "KN-08"
    body = hit.highlights["body"]
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "&amp;" in body and "&quot;x&quot;" in body
    assert "<mark>Đèn đường</mark>" in body
    assert body.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert hit.highlight == hit.highlights["title"]
    assert hit.highlight == "<mark>Đèn đường</mark> hỏng &lt;script&gt;"


async def test_update_and_delete(make_index: Build) -> None:
    index = await make_index(sample_petitions())
    changed = petition("KN-05", "Trường mầm non thiếu đồ chơi", "Trường mầm non thiếu đồ chơi.")
    await index.awrite([Change("KN-05", "upsert", changed), Change("KN-01", "delete")])
    assert ids(await index.asearch("phòng học")) == []
    assert ids(await index.asearch("đồ chơi")) == ["KN-05"]
    assert "KN-01" not in ids(await index.asearch("giao thông"))
    assert await index.adoc_count() == 8


async def test_last_change_of_a_document_wins(make_index: Build) -> None:
    index = await make_index()
    first = petition("KN-1", "Rác thải", "Rác thải ùn ứ")
    second = petition("KN-1", "Cây xanh", "Cây xanh gãy đổ")
    await index.awrite([Change("KN-1", "upsert", first), Change("KN-1", "upsert", second)])
    await index.awrite([Change("KN-2", "upsert", first), Change("KN-2", "delete")])
    assert ids(await index.asearch("cây xanh")) == ["KN-1"]
    assert (await index.asearch("rác thải")).total == 0


async def test_searching_before_the_index_exists(make_index: Build) -> None:
    index = await make_index()
    assert (await index.asearch("đường")).total == 0
    assert await index.adoc_count() == 0


async def test_bad_calls_raise_search_error(index: Any) -> None:
    with pytest.raises(SearchError):
        await index.asearch("x", filters={"name": "Nguyễn Văn A"})
    with pytest.raises(SearchError):
        await index.asearch("x", date_ranges={"status": (None, None)})
    with pytest.raises(SearchError):
        await index.asearch("x", limit=0)
    with pytest.raises(SearchError):
        await index.asearch("x", sort="title")
    with pytest.raises(SearchError):
        PETITIONS.to_document({"id": "KN-1", "phone": "0912345678"})


async def test_long_hostile_queries_are_bounded(index: Any) -> None:
    query = "đường " * 5000 + "<b>" * 100
    assert ids(await index.asearch(query)) == ids(await index.asearch("đường"))
    assert len(parse_query(" ".join(f"từ{i}" for i in range(1000)))) < MAX_QUERY_SYLLABLES


async def test_separate_words_rank_documents_where_they_stand_together_first(
    make_index: Build,
) -> None:
    docs = [
        petition(f"KN-{i}", "Đường làng", f"Đường thôn {i} xuống cấp. Ruộng bị ngập sau mưa.")
        for i in range(12)
    ]
    docs.append(petition("KN-X", "Phản ánh", "Mưa lớn làm đường ngập sâu, xe không đi được."))
    index = await make_index(docs)
    result = await index.asearch("đường ngập")
    assert result.total == 13  # both words, anywhere
    assert result.hits[0].id == "KN-X"  # side by side first
    assert "<mark>đường ngập</mark>" in result.hits[0].highlights["body"]


async def test_a_changed_declaration_recreates_the_index(
    make_index: Build, caplog: pytest.LogCaptureFixture
) -> None:
    await make_index(sample_petitions())
    wider = IndexSpec(
        name=PETITIONS.name,
        text_fields=PETITIONS.text_fields,
        keyword_fields=(*PETITIONS.keyword_fields, "agency"),
        date_fields=PETITIONS.date_fields,
        stored_fields=PETITIONS.stored_fields,
    )
    index = await make_index([], wider)
    doc = {**petition("KN-99", "Cây xanh", "Cây xanh gãy đổ"), "agency": "SXD"}
    with caplog.at_level("WARNING", logger="council.search"):
        await index.awrite([Change("KN-99", "upsert", doc)])
    assert "council reindex" in caplog.text
    assert await index.adoc_count() == 1
    assert ids(await index.asearch("cây xanh", filters={"agency": "SXD"})) == ["KN-99"]


async def test_query_must_be_text(index: Any) -> None:
    with pytest.raises(SearchError):
        await index.asearch(None)  # type: ignore[arg-type]
    with pytest.raises(SearchError):
        await index.asearch("đường", snippet_chars=0)
    for bad in (0, -1, True, "10"):
        with pytest.raises(SearchError):
            await index.asearch("đường", track_total=bad)


async def test_matches_are_counted_up_to_track_total_and_pages_go_on(make_index: Build) -> None:
    """Past ``track_total`` a result says "more than" it (with an estimate) instead of
    counting every match; the pages beyond the count are still served, in one order."""
    roads = [
        petition(f"KN-{i:03d}", "Đường làng xuống cấp", f"Đường thôn {i} bị ngập, ổ gà")
        for i in range(80)
    ]
    index = await make_index([*roads, petition("KN-X", "Trường học", "Thiếu phòng học")])
    capped = await index.asearch("đường", limit=10, track_total=50)
    assert (capped.total, capped.total_exact, len(capped.hits)) == (50, False, 10)
    assert capped.estimate is not None and capped.estimate > 50
    exact = await index.asearch("đường", limit=10, track_total=80)
    assert (exact.total, exact.total_exact, exact.estimate) == (80, True, None)
    assert (await index.asearch("duong", track_total=79)).total_exact is False
    seen: list[str] = []
    for offset in range(0, 100, 20):
        page = await index.asearch("đường", limit=20, offset=offset, track_total=50)
        assert (page.total, page.total_exact) == (50, False)
        seen += ids(page)
    assert sorted(seen) == sorted(d["id"] for d in roads)  # every match once, none twice
    # Listing and date order follow the same contract.
    listing = await index.asearch("", limit=5, track_total=50)
    assert (listing.total, listing.total_exact) == (50, False)
    assert (await index.asearch("", track_total=81)).total_exact
    newest = await index.asearch("đường", sort="-filed_at", limit=5, offset=60, track_total=50)
    assert (newest.total, newest.total_exact, len(newest.hits)) == (50, False, 5)
    few = await index.asearch("trường", track_total=50)
    assert (few.total, few.total_exact, ids(few)) == (1, True, ["KN-X"])


async def test_filtered_matches_are_counted_up_to_track_total(make_index: Build) -> None:
    """With a keyword filter (a staff search's scope, a status) the count is of the matches
    that pass it, exact up to ``track_total``, and every passing match is served once."""
    roads = [
        petition(
            f"KN-{i:03d}",
            "Đường làng xuống cấp",
            f"Đường thôn {i} bị ngập",
            status="accepted" if i % 2 else "received",
            council="HN-BD" if i % 3 else "HN-HK",
        )
        for i in range(60)
    ]
    index = await make_index([*roads, petition("KN-X", "Trường học", "Thiếu phòng học")])
    accepted = {d["id"] for d in roads if d["status"] == "accepted"}
    found = await index.asearch("đường", filters={"status": "accepted"}, limit=50)
    assert (found.total, found.total_exact, set(ids(found))) == (30, True, accepted)
    capped = await index.asearch("duong", filters={"status": "accepted"}, track_total=29)
    assert (capped.total, capped.total_exact) == (29, False)
    seen: list[str] = []
    for offset in range(0, 40, 10):
        page = await index.asearch(
            "đường", filters={"status": "accepted"}, limit=10, offset=offset, track_total=20
        )
        assert (page.total, page.total_exact) == (20, False)
        seen += ids(page)
    assert sorted(seen) == sorted(accepted)  # every passing match once, none twice
    both = await index.asearch(
        "ngập", filters={"status": "accepted", "council": ["HN-HK", "HN"]}, limit=50
    )
    wanted = {d["id"] for d in roads if d["status"] == "accepted" and d["council"] == "HN-HK"}
    assert (both.total, both.total_exact, set(ids(both))) == (len(wanted), True, wanted)
    assert (await index.asearch("trường", filters={"status": "accepted"})).total == 0


async def test_segmentation_follows_the_documents_written(make_index: Build) -> None:
    """Whether two syllables typed together are read as one word depends on how often the
    documents hold them side by side: counted again after a write, not remembered."""
    apart = petition("KN-A", "Giao việc cho tổ dân phố", "Đã thông báo đến các hộ")
    index = await make_index([apart])
    first = await index.asearch("giao thông")
    assert (first.total, ids(first)) == (1, ["KN-A"])  # two words, both in KN-A
    roads = [petition(f"KN-{i}", "Giao thông", f"Tuyến giao thông số {i} ùn tắc") for i in range(5)]
    await index.awrite([Change(str(d["id"]), "upsert", d) for d in roads])
    second = await index.asearch("giao thông", limit=10)
    assert (second.total, set(ids(second))) == (5, {f"KN-{i}" for i in range(5)})


async def test_another_worker_segments_as_a_fresh_one_after_a_write(make_index: Build) -> None:
    """Two workers' index objects over one index: the one that did not write reads "giao thông"
    as a fresh one does right after the other's write (and delete), not with counts it read
    before (which split it in two words: KN-A matched as well)."""
    apart = petition("KN-A", "Giao việc cho tổ dân phố", "Đã thông báo đến các hộ")
    writer = await make_index([apart])
    reader = await make_index()
    assert ids(await reader.asearch("giao thông")) == ["KN-A"]
    roads = [petition(f"KN-{i}", "Giao thông", f"Tuyến giao thông số {i} ùn tắc") for i in range(5)]
    await writer.awrite([Change(str(d["id"]), "upsert", d) for d in roads])
    seen = await reader.asearch("giao thông", limit=10)
    fresh = await (await make_index()).asearch("giao thông", limit=10)
    assert (seen.total, set(ids(seen))) == (fresh.total, set(ids(fresh)))
    assert set(ids(seen)) == {f"KN-{i}" for i in range(5)}
    # Deleted: read alike again. (Whoosh counts a deleted document's terms until its segment is
    # merged, so what the words then match differs between the backends, not between workers.)
    await writer.awrite([Change(str(d["id"]), "delete") for d in roads])
    seen = await reader.asearch("giao thông", limit=10)
    fresh = await (await make_index()).asearch("giao thông", limit=10)
    assert (seen.total, set(ids(seen))) == (fresh.total, set(ids(fresh)))


@pytest.mark.skipif(BACKEND != "whoosh", reason="Whoosh segments and merges")
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
