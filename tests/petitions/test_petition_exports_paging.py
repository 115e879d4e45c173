"""The staff list as the secretariat uses it: exports of exactly the rows on screen (petition.export,
personal columns opt-in, audited), pages past 100 with the total, tracking codes typed in any form."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from council.models import AuditEntry
from council.search.engine import get_engine
from council.search.outbox import IndexWorker
from petitions.models import Petition
from tests.factories import bearer, htmx, login
from tests.html import attrs, dom, text
from tests.petitions.helpers import PERSONAL_VALUES, PETITION, file_petition, setup_world


async def _drain() -> None:
    worker = IndexWorker(get_engine())
    while await worker.drain_once():
        pass


async def _file_many(client, user, n: int, **overrides) -> list[str]:
    """``n`` petitions filed by the commune's staff (no public rate limit)."""
    codes = []
    for i in range(n):
        r = await client.post(
            "/api/v1/petitions",
            json={**PETITION, "channel": "direct", "title": f"Đèn chiếu sáng ngõ {i + 1} bị hỏng"}
            | overrides,
            headers=await bearer(user),
        )
        assert r.status_code == 201, r.text
        codes.append(r.json()["code"])
    return codes


def _csv_codes(body: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


def _listed(html: str) -> list[str]:
    """The codes the list's rows link to."""
    return [a.text(deep=True).strip() for a in dom(html).css("td a[href^='/petitions/staff/']")]


async def test_export_has_exactly_the_searched_rows_and_follows_htmx(client, anon) -> None:
    w = await setup_world()
    await _file_many(client, w.commune_sec, 4)
    waste = [
        (
            await file_petition(
                anon, title=f"Rác thải tồn đọng ở ngõ {n}", body="Rác thải bốc mùi nhiều ngày."
            )
        )["code"]
        for n in (3, 7)
    ]
    await client.get("/api/v1/petitions", params={"q": "x"}, headers=await bearer(w.admin))
    await _drain()
    await login(client, w.commune_sec)
    page = await client.get("/petitions/staff?q=rac+thai", headers=htmx())
    assert sorted(_listed(page.text)) == sorted(waste)
    # The export form travels with the htmx fragment and carries the search.
    assert attrs(page.text, "form.export-form", "action") == ["/api/v1/petitions/export.csv"]
    assert attrs(page.text, "form.export-form input[type=hidden]", "name") == ["q"]
    assert attrs(page.text, "form.export-form input[name=q]", "value") == ["rac thai"]
    r = await client.get("/api/v1/petitions/export.csv", params={"q": "rac thai"})
    assert r.status_code == 200 and sorted(_csv_codes(r.content)) == sorted(waste)
    assert not any(v in r.text for v in PERSONAL_VALUES)
    r = await client.get(
        "/api/v1/petitions/export.xlsx", params={"q": "rac thai", "personal": "true"}
    )
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert sorted(row[0] for row in rows[1:]) == sorted(waste)
    assert "Họ và tên" in rows[0] or "Full name" in rows[0]
    assert all("Nguyễn Thị Hoa" in row for row in rows[1:])
    entries = await AuditEntry.filter(operation="petition.export").order_by("id")
    assert [(e.details["format"], e.details["rows"], e.details["personal"]) for e in entries] == [
        ("csv", 2, False),
        ("xlsx", 2, True),
    ]
    assert entries[0].details["filters"] == {"q": "rac thai"}
    assert entries[0].actor_id == w.commune_sec.id


async def test_list_pages_past_100_with_total_and_exports_all(client) -> None:
    w = await setup_world()
    codes = await _file_many(client, w.commune_sec, 103)
    await login(client, w.commune_sec)
    first = await client.get("/petitions/staff")
    assert text(first.text, "nav.pager span") == "Đang xem 1–100 trên tổng số 103"
    assert attrs(first.text, "nav.pager a", "rel") == ["next"]
    second = await client.get("/petitions/staff?offset=100", headers=htmx())
    assert text(second.text, "nav.pager span") == "Đang xem 101–103 trên tổng số 103"
    assert attrs(second.text, "nav.pager a", "rel") == ["prev"]
    seen = _listed(first.text) + _listed(second.text)
    assert sorted(seen) == sorted(codes)
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    r = await client.get("/api/v1/petitions/export.csv")
    assert sorted(_csv_codes(r.content)) == sorted(codes)


async def test_tracking_code_in_any_form_finds_its_petitions(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    other = (await file_petition(anon, title="Cây xanh đổ chắn lối đi"))["code"]
    tail = code.rsplit("-", 1)[1]
    # Another year's petition with the same suffix: a bare suffix lists both.
    older = code.replace("KN-2026-", "KN-2025-") if "2026" in code else code[:3] + "2025" + code[7:]
    await Petition.filter(code=other).update(code=older)
    headers = await bearer(w.commune_sec)
    for typed in (code, code.lower(), code.replace("-", ""), f"{code[3:7]}-{tail.lower()}"):
        r = await client.get("/api/v1/petitions", params={"q": typed}, headers=headers)
        assert [i["code"] for i in r.json()["items"]] == [code], typed
    r = await client.get("/api/v1/petitions", params={"q": tail.lower()}, headers=headers)
    assert sorted(i["code"] for i in r.json()["items"]) == sorted([code, older])
    assert r.json()["total"] == 2
    # Out of scope stays out of reach.
    r = await client.get("/api/v1/petitions", params={"q": code}, headers=await bearer(w.other_sec))
    assert r.json()["items"] == []
    await login(client, w.commune_sec)
    page = await client.get("/petitions/staff", params={"q": tail})
    assert sorted(_listed(page.text)) == sorted([code, older])


async def test_a_search_past_the_count_says_more_than_and_pages_on(client, monkeypatch) -> None:
    """A search counts matches up to the index's TRACK_TOTAL (10,000; 3 here): the list then
    says "more than", and its pages, the API's and the export still reach every match."""
    from council.search import index as search_index
    from petitions.routes import staff_pages

    monkeypatch.setattr(search_index, "TRACK_TOTAL", 3)
    monkeypatch.setattr(staff_pages, "PAGE_SIZE", 2)
    w = await setup_world()
    codes = await _file_many(client, w.commune_sec, 7)
    headers = await bearer(w.commune_sec)
    await client.get("/api/v1/petitions", params={"q": "x"}, headers=headers)
    await _drain()
    seen: list[str] = []
    for offset in (0, 2, 4, 6):
        for overdue in ({}, {"overdue": "false"}):  # one search, and two ranked together
            r = await client.get(
                "/api/v1/petitions",
                params={"q": "đèn chiếu sáng", "limit": 2, "offset": offset, **overdue},
                headers=headers,
            )
            body = r.json()
            assert (body["total"], body["total_exact"]) == (3, False), (offset, overdue)
            if not overdue:
                seen += [i["code"] for i in body["items"]]
    assert sorted(seen) == sorted(codes)  # every match, once
    r = await client.get("/api/v1/petitions", params={"q": "rác"}, headers=headers)
    assert (r.json()["total"], r.json()["total_exact"]) == (0, True)
    await login(client, w.commune_sec)
    r = await client.get("/api/v1/petitions/export.csv", params={"q": "đèn chiếu sáng"})
    assert sorted(_csv_codes(r.content)) == sorted(codes)
    first = await client.get("/petitions/staff", params={"q": "đèn chiếu sáng"})
    assert "hơn 3 kết quả" in first.text and 'rel="next"' in first.text
    assert "1–2 trên hơn 3 kết quả" in first.text
    last = await client.get("/petitions/staff", params={"q": "đèn chiếu sáng", "offset": 6})
    assert _listed(last.text) and 'rel="prev"' in last.text
    monkeypatch.setattr(search_index, "TRACK_TOTAL", 10_000)
    exact = await client.get("/petitions/staff", params={"q": "đèn chiếu sáng"})
    assert "hơn" not in exact.text and "1–2 trên tổng số 7" in exact.text
