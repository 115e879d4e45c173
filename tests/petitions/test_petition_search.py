"""Search: Vietnamese with or without accents, scoped staff search, public search of published
petitions only, escaped highlights, filters, and an index with no personal data."""

from __future__ import annotations

import re

from council.search.engine import get_engine, get_index
from council.search.outbox import IndexWorker
from petitions.indexing import PUBLIC_INDEX, STAFF_INDEX
from petitions.labels import place_name
from petitions.models import Petition
from tests.factories import bearer, login
from tests.html import attrs, dom, one, text
from tests.petitions.helpers import (
    PERSONAL_VALUES,
    act_ok,
    escalate_assign_answer_publish,
    file_petition,
    make_overdue,
    setup_world,
)


async def _drain() -> None:
    worker = IndexWorker(get_engine())
    while await worker.drain_once():
        pass


async def _search(client, user, **params) -> dict:
    r = await client.get("/api/v1/petitions", params=params, headers=await bearer(user))
    assert r.status_code == 200, r.text
    return r.json()


async def test_staff_search_vietnamese_scoped_with_highlights(client, anon, settings) -> None:
    w = await setup_world()
    road = (await file_petition(anon))["code"]
    waste = (
        await file_petition(
            anon,
            category="environment",
            title="Rác thải tồn đọng ở ngõ 12",
            body="Điểm tập kết rác <script>alert(1)</script> bốc mùi, ô nhiễm môi trường.",
        )
    )["code"]
    other = (
        await file_petition(anon, council_code="HN-HOANKIEM", title="Đường Hàng Bông hư hỏng")
    )["code"]
    await client.get(
        "/api/v1/petitions", params={"q": "x"}, headers=await bearer(w.admin)
    )  # configures
    await _drain()

    found = await _search(client, w.commune_sec, q="duong")
    assert [i["code"] for i in found["items"]] == [road]  # not the other ward's road
    assert "<mark>" in found["items"][0]["highlight"]
    found = await _search(client, w.admin, q="Đường")
    assert {i["code"] for i in found["items"]} == {road, other}
    found = await _search(client, w.commune_sec, q="môi trường")
    assert [i["code"] for i in found["items"]] == [waste]
    highlight = found["items"][0]["highlight"]
    assert "<script>" not in highlight and "&lt;script&gt;" in highlight
    found = await _search(client, w.commune_sec, q="giao thong", category="environment")
    assert found["total"] == 0
    found = await _search(client, w.commune_sec, q="rác", status="received")
    assert [i["code"] for i in found["items"]] == [waste]


async def test_index_follows_changes_and_public_search(client, anon, settings) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    hidden = (await file_petition(anon, title="Đường ngõ 58 ngập nước"))["code"]
    await escalate_assign_answer_publish(client, w, code)
    await act_ok(client, w.commune_sec, hidden, "escalate")
    await anon.get("/api/v1/public/petitions")
    await _drain()
    found = await _search(client, w.city_sec, q="đường", status="escalated")
    assert [i["code"] for i in found["items"]] == [hidden]
    r = await anon.get("/api/v1/public/petitions", params={"q": "duong"})
    assert [i["code"] for i in r.json()["items"]] == [code]
    r = await anon.get("/api/v1/public/petitions", params={"q": "kế hoạch duy tu"})
    assert [i["code"] for i in r.json()["items"]] == [code]  # answers are searchable
    r = await anon.get("/petitions", params={"q": "duong"})
    assert attrs(r.text, "main h2 a[href^='/petitions/p/']", "href") == [f"/petitions/p/{code}"]


async def test_no_personal_data_in_either_index(client, anon, settings) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await escalate_assign_answer_publish(client, w, code)
    await anon.get("/api/v1/public/petitions")
    await _drain()
    for spec in (STAFF_INDEX, PUBLIC_INDEX):
        index = get_index(spec.name)
        stored = await index.aget(code)
        assert stored is not None, spec.name
        assert not any(v in str(stored) for v in PERSONAL_VALUES), spec.name
        for value in ("Hoa", "0912", "hoa.nguyen", "Trần Bình"):
            assert (await index.asearch(value, limit=5)).total == 0, (spec.name, value)


async def test_similar_petitions_before_filing(client, anon, settings) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    other = await file_petition(anon, council_code="HN-HOANKIEM", title="Sửa chữa mặt đường Láng")
    await act_ok(client, w.commune_sec, code, "accept")  # titles show once accepted
    await act_ok(client, w.other_sec, other["code"], "accept")
    await anon.get("/api/v1/public/petitions")
    await _drain()
    r = await anon.get(
        "/api/v1/petitions/similar",
        params={"council_code": "HN-BADINH", "title": "mặt đường Láng hư hỏng nặng"},
    )
    items = r.json()["items"]
    assert [i["code"] for i in items] == [code]  # same ward or its city only
    assert set(items[0]) == {"code", "title", "status", "council_code", "weight"}
    r = await anon.get(
        "/petitions/new", params={"council_code": "HN-BADINH", "title": "đường Láng hư hỏng"}
    )
    assert attrs(r.text, ".similar li button[formaction]", "formaction") == [
        f"/petitions/{code}/support"
    ]


async def test_similar_check_without_javascript_keeps_what_was_typed(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "accept")
    await anon.get("/api/v1/public/petitions")
    await _drain()
    page = await anon.get("/petitions/new")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": csrf, "council_code": "HN-BADINH", "title": "mặt đường Láng hư hỏng"}
    r = await anon.post("/petitions/new", data={**form, "body": "Ổ gà sâu", "check": "1"})
    assert r.status_code == 200
    assert attrs(r.text, ".similar li button[formaction]", "formaction") == [
        f"/petitions/{code}/support"
    ]
    assert text(r.text, "textarea#body") == "Ổ gà sâu"
    assert one(r.text, "select#council_code option[selected]").attributes["value"] == "HN-BADINH"
    assert await Petition.filter(council__code="HN-BADINH").count() == 1  # nothing filed


async def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["details"]["fields"], response.text


async def test_numbers_beyond_the_database_are_refused_naming_the_field(client, anon) -> None:
    """2**70 in a filter, a page or a body reached the driver (OverflowError, a 500)."""
    w = await setup_world()
    await file_petition(anon)
    headers = await bearer(w.city_sec)
    huge = str(2**70)
    for path, name in [
        ("/api/v1/petitions", "cycle_id"),
        ("/api/v1/petitions", "offset"),
        ("/api/v1/petitions", "limit"),
        ("/api/v1/petitions/export.csv", "cycle_id"),
        ("/api/v1/petitions/reports/summary.docx", "cycle_id"),
    ]:
        await _refused(await client.get(path, params={name: huge}, headers=headers), name)
    for name in ("offset", "limit"):
        await _refused(await anon.get("/api/v1/public/petitions", params={name: huge}), name)
    r = await client.post(
        "/api/v1/petitions/cycles",
        headers=headers,
        json={"council_code": "HN", "session_id": 2**70},
    )
    await _refused(r, "session_id")


async def test_a_page_beyond_the_search_window_is_refused_naming_offset(client, anon) -> None:
    """The index serves the first 10,000 results of a search (deeper pages cost more than they
    are worth; narrow the search): beyond, or below 0, a 422, where it was a 500."""
    w = await setup_world()
    await file_petition(anon)
    headers = await bearer(w.city_sec)
    deep = {"offset": "10001"}
    r = await anon.get("/api/v1/public/petitions", params=deep)
    await _refused(r, "offset")
    assert "10000" in r.json()["error"]["details"]["fields"]["offset"]  # in Vietnamese
    assert "tìm kiếm" in r.json()["error"]["details"]["fields"]["offset"]
    r = await client.get("/api/v1/petitions", params={"q": "đường", **deep}, headers=headers)
    await _refused(r, "offset")
    for params in ({"offset": "-1"}, {"q": "đường", "offset": "-1"}):
        r = await client.get("/api/v1/petitions", params=params, headers=headers)
        await _refused(r, "offset")
    r = await anon.get("/api/v1/public/petitions", params={"offset": "10000", "limit": "500"})
    assert r.status_code == 200 and r.json()["items"] == []
    # A plain list reads the database, which pages as deep as asked.
    r = await client.get("/api/v1/petitions", params=deep, headers=await bearer(w.admin))
    assert r.status_code == 200 and r.json() == {"items": [], "total": 1, "total_exact": True}


async def test_any_parseable_date_filters_the_list(client, anon) -> None:
    """The first and last days datetime knows overflowed when shifted to UTC (a 500): they now
    filter like any other date, in the list, the search, the exports and the staff page."""
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    headers = await bearer(w.admin)
    widest = {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    for params in (widest, {**widest, "q": "đường"}):
        r = await client.get("/api/v1/petitions", params=params, headers=headers)
        assert r.status_code == 200 and r.json()["total"] <= 1, r.text
    r = await client.get("/api/v1/petitions", params=widest, headers=headers)
    assert [i["code"] for i in r.json()["items"]] == [code]
    for params in ({"date_from": "9999-12-31"}, {"date_to": "0001-01-01"}):
        r = await client.get("/api/v1/petitions", params=params, headers=headers)
        assert r.status_code == 200 and r.json()["total"] == 0
    r = await client.get("/api/v1/petitions/export.csv", params=widest, headers=headers)
    assert r.status_code == 200 and code in r.text
    r = await client.get("/api/v1/petitions", params={"date_to": "9999-13-01"}, headers=headers)
    await _refused(r, "date_to")
    await login(client, w.admin)
    r = await client.get("/petitions/staff", params=widest)
    assert r.status_code == 200
    assert attrs(r.text, "td a[href^='/petitions/staff/']", "href") == [f"/petitions/staff/{code}"]


async def test_overdue_filter_splits_the_list_with_and_without_search(
    client, anon, settings
) -> None:
    w = await setup_world()
    late = (await file_petition(anon))["code"]
    fresh = (await file_petition(anon, title="Đường ngõ 58 ngập nước"))["code"]
    done = (await file_petition(anon, title="Đường Láng thiếu đèn"))["code"]
    await escalate_assign_answer_publish(client, w, done)  # finished: no due date
    await make_overdue(late)
    await _search(client, w.admin, q="x")  # configures
    await _drain()

    for q in ({}, {"q": "đường"}):
        every = await _search(client, w.admin, **q)
        assert {i["code"] for i in every["items"]} == {late, fresh, done} and every["total"] == 3
        overdue = await _search(client, w.admin, overdue="true", **q)
        assert [i["code"] for i in overdue["items"]] == [late] and overdue["total"] == 1, q
        assert overdue["items"][0]["overdue"] is True
        on_time = await _search(client, w.admin, overdue="false", **q)
        assert {i["code"] for i in on_time["items"]} == {fresh, done}, q
        assert on_time["total"] == 2, q
        pages = [
            await _search(client, w.admin, overdue="false", limit=1, offset=n, **q) for n in (0, 1)
        ]
        assert [p["total"] for p in pages] == [2, 2], q
        assert {p["items"][0]["code"] for p in pages} == {fresh, done}, q
        status = await _search(client, w.admin, overdue="false", status="published", **q)
        assert [i["code"] for i in status["items"]] == [done] and status["total"] == 1, q
        status = await _search(client, w.admin, overdue="true", status="published", **q)
        assert status["items"] == [] and status["total"] == 0, q
    r = await client.get(
        "/api/v1/petitions/export.csv", params={"overdue": "false"}, headers=await bearer(w.admin)
    )
    assert r.status_code == 200 and fresh in r.text and done in r.text and late not in r.text


async def test_public_search_counts_what_it_found_and_tells_same_titles_apart(
    client, anon, settings
) -> None:
    """The count says "Tìm thấy 2 kiến nghị", not the number published; each card says its code,
    date and ward, and a snippet that would only repeat the title gives way to the start of the content."""
    w = await setup_world()
    here = (await file_petition(anon))["code"]
    body = "Nhiều ổ gà sâu ở tổ dân phố số 7, trời mưa ngập nước, xe máy ngã nhiều lần."
    there = (await file_petition(anon, council_code=w.other_commune.code, body=body))["code"]
    await escalate_assign_answer_publish(client, w, here)
    await act_ok(client, w.other_sec, there, "escalate")
    await act_ok(client, w.city_sec, there, "assign", agency_code=w.city_agency.code)
    await act_ok(client, w.city_officer, there, "answer", text="Sở sẽ vá ổ gà trong tháng.")
    await act_ok(client, w.city_sec, there, "publish")
    await _drain()

    r = await anon.get("/petitions", params={"q": "duong"})
    assert text(r.text, ".result-count") == "Tìm thấy 2 kiến nghị"
    cards = {
        c.css_first("h2 a").attributes["href"].rsplit("/", 1)[1]: c
        for c in dom(r.text).css("ul.results > li.card")
    }
    assert set(cards) == {here, there}
    for code, council in ((here, w.commune), (there, w.other_commune)):
        meta = " ".join(cards[code].css_first(".card-meta").text().split())
        assert meta.startswith(code + " · ") and meta.endswith(place_name(council.name))
        assert re.search(r" · \d{2}/\d{2}/\d{4} · ", meta), meta
    assert cards[there].css_first(".snippet").text() == body  # not the title a second time
    mine = cards[here].css_first(".snippet")
    assert "<mark>" in mine.html and mine.text().startswith("Mặt đường Láng")  # the content's
    r = await anon.get("/petitions")
    assert text(r.text, ".result-count") == "Số kiến nghị đã công khai: 2"
