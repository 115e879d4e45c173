"""resolution.*: issued with a number in the council's yearly series from a passed draft, edited,
signed by the chair with a real key from the test PKI, published and found on the public list."""

from __future__ import annotations

import asyncio
from io import BytesIO
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from tortoise.transactions import in_transaction

from council.models import AuditEntry
from council.settings import Settings
from council.signing import load_trust_roots, verify_pdf
from council.signing.verify import INTACT
from meetings.models import Notice
from meetings.resolutions import services as resolutions
from meetings.resolutions.models import Resolution
from tests.factories import bearer, error_code, make_council, make_user
from tests.signing import resolutions_kit as kit
from tests.signing.pki import TestPki

BUDGET = "Dự thảo Nghị quyết về dự toán ngân sách phường năm 2027"
ROADS = "Dự thảo Nghị quyết về đầu tư công trình đường Hòa Bình"


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    kit.sign_with_p12(settings, pki)
    return create_app(settings, manage_db=False)


async def _issue(client: httpx.AsyncClient, s: kit.Sitting, item_id: int) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/items/{item_id}/resolution", json={}, headers=await bearer(s.secretariat)
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _sign_and_publish(client: httpx.AsyncClient, s: kit.Sitting, rid: int) -> None:
    r = await client.post(f"/api/v1/resolutions/{rid}/sign", json={}, headers=await bearer(s.chair))
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/resolutions/{rid}/publish", headers=await bearer(s.secretariat))
    assert r.status_code == 200, r.text


async def test_numbers_run_per_council_and_year(app: Any) -> None:
    a = await kit.passed_sitting((BUDGET, ROADS))
    first = await resolutions.resolution_issue(a.secretariat, a.items[0].id)
    second = await resolutions.resolution_issue(a.secretariat, a.items[1].id)
    assert (first.number, second.number) == (1, 2)
    assert resolutions.number_label(second) == "02/NQ-HĐND"
    assert first.title == "Về dự toán ngân sách phường năm 2027"
    b = await kit.passed_sitting()
    assert (await resolutions.resolution_issue(b.secretariat, b.items[0].id)).number == 1
    # another year has a series of its own; the issuing year's goes on
    await resolutions._ensure_series(a.council.id, 2025)
    async with in_transaction():
        assert await resolutions.next_number(a.council.id, 2025) == 1
        assert await resolutions.next_number(a.council.id, first.year) == 3


async def test_concurrent_numbers_are_distinct_and_dense(app: Any) -> None:
    council = await make_council()
    await resolutions._ensure_series(council.id, 2026)

    async def take() -> int:
        async with in_transaction():
            number = await resolutions.next_number(council.id, 2026)
            await asyncio.sleep(0)  # let the others try while this one holds the row
            return number

    numbers = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(numbers) == list(range(1, 21))


async def test_concurrent_issues_and_a_double_issue(app: Any) -> None:
    s = await kit.passed_sitting((BUDGET, ROADS, "Dự thảo Nghị quyết về biên chế năm 2027"))
    a, b, c = s.items
    results = await asyncio.gather(
        resolutions.resolution_issue(s.secretariat, a.id),
        resolutions.resolution_issue(s.secretariat, b.id),
        resolutions.resolution_issue(s.secretariat, c.id),
        resolutions.resolution_issue(s.secretariat, a.id),
        return_exceptions=True,
    )
    issued = [r for r in results if isinstance(r, Resolution)]
    refused = [r for r in results if not isinstance(r, Resolution)]
    assert sorted(r.number for r in issued) == [1, 2, 3]
    assert len(refused) == 1 and getattr(refused[0], "code", None) == "resolution_already_issued"
    assert await Resolution.filter(council_id=s.council.id).count() == 3


async def test_issue_edit_sign_publish(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, settings: Settings, pki: TestPki
) -> None:
    s = await kit.passed_sitting()
    body = await _issue(client, s, s.items[0].id)
    rid = body["id"]
    assert body["number_label"] == "01/NQ-HĐND" and body["status"] == "draft"
    assert "Điều 1. Thông qua dự toán ngân sách phường năm 2027" in body["text"]
    assert body["vote_line"] == (
        "5/7 đại biểu tán thành, chiếm 71,43% tổng số đại biểu; "
        "1/7 đại biểu không tán thành, chiếm 14,29% tổng số đại biểu; "
        "1/7 đại biểu không biểu quyết, chiếm 14,29% tổng số đại biểu"
    )
    # the chair is told a resolution awaits the signature
    notice = await Notice.get(user_id=s.chair.id, kind="resolution.sign")
    assert notice.read_at is None

    sec = await bearer(s.secretariat)
    text = body["text"] + "\nĐiều 3. Nghị quyết có hiệu lực từ ngày 01 tháng 01 năm 2027."
    r = await client.patch(f"/api/v1/resolutions/{rid}", json={"text": text}, headers=sec)
    assert r.status_code == 200 and r.json()["text"] == text
    r = await client.get(f"/api/v1/resolutions/{rid}/pdf", headers=sec)
    assert r.headers["X-Resolution-Signed"] == "false"
    assert (
        await asyncio.to_thread(verify_pdf, r.content, [])
    ).exit_code == 2  # the draft: no signature

    # not published yet: the public sees nothing
    assert (await anon.get("/api/v1/public/resolutions")).json()["total"] == 0
    r = await client.post(f"/api/v1/resolutions/{rid}/publish", headers=sec)
    assert r.status_code == 409 and error_code(r) == "resolution_unsigned"

    r = await client.post(f"/api/v1/resolutions/{rid}/sign", json={}, headers=await bearer(s.chair))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "signed" and r.json()["signer_name"] == "Nguyễn Văn Chủ"
    await notice.refresh_from_db()
    assert notice.read_at is not None
    r = await client.patch(f"/api/v1/resolutions/{rid}", json={"title": "Khác"}, headers=sec)
    assert r.status_code == 409 and error_code(r) == "resolution_signed"

    r = await client.get(f"/api/v1/resolutions/{rid}/pdf", headers=sec)
    assert r.headers["X-Resolution-Signed"] == "true"
    signed = r.content
    report = await asyncio.to_thread(verify_pdf, signed, load_trust_roots(pki.roots_dir))
    assert report.exit_code == INTACT
    assert [x.signer for x in report.signatures] == ["Nguyễn Văn Chủ"]
    pages = PdfReader(BytesIO(signed)).pages
    words = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Số: 01/NQ-HĐND" in words and "NGHỊ QUYẾT" in words and "Điều 3." in words
    assert "5/7 đại biểu tán thành, chiếm 71,43% tổng số đại biểu" in words
    # the stamp sits in the signature block, over the chair's printed name, not at the page foot
    (stamp,) = [a.get_object() for a in pages[-1]["/Annots"]]
    assert stamp["/T"] == "Chair" and float(stamp["/Rect"][1]) > 200

    r = await client.post(f"/api/v1/resolutions/{rid}/publish", headers=sec)
    assert r.status_code == 200 and r.json()["status"] == "published"
    listed = (await anon.get("/api/v1/public/resolutions")).json()
    assert [i["number_label"] for i in listed["items"]] == ["01/NQ-HĐND"]
    r = await anon.get(listed["items"][0]["pdf_url"])
    assert r.status_code == 200 and r.content == signed
    page = await anon.get(f"/public/resolutions/{rid}")
    assert page.status_code == 200 and "01/NQ-HĐND" in page.text
    ops = await AuditEntry.filter(target_type="resolution", target_id=str(rid)).values_list(
        "operation", flat=True
    )
    assert ops == ["resolution.issue", "resolution.update", "resolution.sign", "resolution.publish"]


async def test_public_list_finds_words_without_accents(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, settings: Settings
) -> None:
    s = await kit.passed_sitting((BUDGET, ROADS))
    for item in s.items:
        await _sign_and_publish(client, s, (await _issue(client, s, item.id))["id"])
    other = await kit.passed_sitting()
    await _sign_and_publish(client, other, (await _issue(client, other, other.items[0].id))["id"])

    async def found(**query: str) -> list[str]:
        r = await anon.get("/api/v1/public/resolutions", params=query)
        assert r.status_code == 200, r.text
        return [f"{i['council_code']}:{i['number_label']}" for i in r.json()["items"]]

    mine = s.council.code
    assert await found(q="duong hoa binh") == [f"{mine}:02/NQ-HĐND"]
    assert await found(q="Đường Hoà Bình") == [f"{mine}:02/NQ-HĐND"]  # the other tone spelling
    assert sorted(await found(q="ngân sách", council_code=mine)) == [f"{mine}:01/NQ-HĐND"]
    assert len(await found(q="ngan sach")) == 2  # both councils
    assert await found(q="2/nq-hdnd", council_code=mine) == [f"{mine}:02/NQ-HĐND"]
    assert await found(q="không có từ này") == []
    r = await anon.get("/api/v1/public/resolutions", params={"council_code": "NOPE"})
    assert r.status_code == 404
    r = await anon.get("/api/v1/public/resolutions", params={"limit": "9999"})
    assert r.status_code == 422
    html = await anon.get("/public/resolutions", params={"q": "hoa binh"})
    assert html.status_code == 200 and "Hòa Bình" in html.text


async def test_another_council_cannot_issue_nor_sign(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await kit.passed_sitting()
    outsider = await make_council()
    their_secretariat = await make_user("secretariat", outsider)
    their_chair = await make_user("chair", outsider)
    r = await client.post(
        f"/api/v1/items/{s.items[0].id}/resolution",
        json={},
        headers=await bearer(their_secretariat),
    )
    assert r.status_code == 403 and error_code(r) == "forbidden"
    rid = (await _issue(client, s, s.items[0].id))["id"]
    for who in (their_chair, s.secretariat, s.delegates[0]):
        for path in ("sign", "sign/prepare"):
            r = await client.post(
                f"/api/v1/resolutions/{rid}/{path}", json={}, headers=await bearer(who)
            )
            assert r.status_code == 403 and error_code(r) == "forbidden", (who.role, path)
    r = await client.get(f"/api/v1/resolutions/{rid}", headers=await bearer(their_secretariat))
    assert r.status_code == 403


async def test_only_a_passed_draft_resolution_is_issued(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await kit.sitting()
    failed = await kit.add_draft(s, BUDGET)
    unvoted = await kit.add_draft(s, ROADS, text=None)
    await kit.start(s)
    await kit.vote(s, failed, yes=3, no=4)
    sec = await bearer(s.secretariat)
    r = await client.post(f"/api/v1/items/{failed.id}/resolution", json={}, headers=sec)
    assert r.status_code == 409 and error_code(r) == "resolution_not_passed"
    r = await client.post(f"/api/v1/items/{unvoted.id}/resolution", json={}, headers=sec)
    assert r.status_code == 409 and error_code(r) == "resolution_not_voted"
    r = await client.post(
        f"/api/v1/items/{unvoted.id}/resolution", json={"title": 5, "x": 1}, headers=sec
    )
    assert r.status_code == 422
    assert await Resolution.filter(council_id=s.council.id).count() == 0


async def test_a_closed_terms_resolution_cannot_change(client: httpx.AsyncClient) -> None:
    """The previous term is read-only (council.terms): its resolutions are neither re-worded,
    signed nor published by the next term."""
    from datetime import date, timedelta  # only this test dates terms

    from elections.models import Term
    from meetings.services.common import local_day

    s = await kit.passed_sitting()
    rid = (await resolutions.resolution_issue(s.secretariat, s.items[0].id)).id
    today = local_day()
    await Term.create(council_id=s.council.id, number=1, starts_on=date(2021, 7, 1), ends_on=today)
    await Term.create(council_id=s.council.id, number=2, starts_on=today + timedelta(days=1))
    staff, chair = await bearer(s.secretariat), await bearer(s.chair)
    r = await client.patch(f"/api/v1/resolutions/{rid}", headers=staff, json={"text": "Sửa muộn"})
    assert (r.status_code, error_code(r)) == (409, "term_closed")
    r = await client.post(f"/api/v1/resolutions/{rid}/sign", headers=chair, json={})
    assert (r.status_code, error_code(r)) == (409, "term_closed")
    r = await client.get(f"/api/v1/resolutions/{rid}", headers=staff)
    assert r.status_code == 200  # still readable
