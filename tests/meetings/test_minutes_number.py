"""minutes.number: the secretariat numbers the minutes; the header prints it ("Số: 07/BB-HĐND")."""

from __future__ import annotations

import io
import unicodedata

import docx
import lxml.html
from pypdf import PdfReader

from council.models import AuditEntry
from tests.factories import bearer, error_code, htmx, login, make_user
from tests.meetings.helpers import Sitting, create_session, setup_council, setup_running_session


def _url(s: Sitting) -> str:
    return f"/api/v1/sessions/{s.session_id}/minutes/number"


async def _pdf_text(client, s: Sitting) -> str:  # type: ignore[no-untyped-def]
    r = await client.get(f"/api/v1/sessions/{s.session_id}/minutes.pdf", headers=s.h(s.chair))
    assert r.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


async def test_secretariat_sets_the_number_and_both_formats_print_it(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    assert "Số: ......./BB-HĐND" in await _pdf_text(client, s)
    r = await client.put(_url(s), headers=s.h(s.secretariat), json={"number": 7})
    assert r.status_code == 200, r.text
    assert r.json() == {"session_id": s.session_id, "number": 7, "text": "Số: 07/BB-HĐND"}
    assert "Số: 07/BB-HĐND" in await _pdf_text(client, s)
    r = await client.get(f"/api/v1/sessions/{s.session_id}/minutes.docx", headers=s.h(s.chair))
    header = docx.Document(io.BytesIO(r.content)).tables[0]
    assert header.rows[1].cells[0].text == "Số: 07/BB-HĐND"
    entry = await AuditEntry.filter(operation="minutes.number").order_by("-id").first()
    assert entry is not None and entry.target_id == str(s.session_id)
    assert entry.details == {"number": 7, "previous": None}
    # Cleared: dots again.
    r = await client.put(_url(s), headers=s.h(s.secretariat), json={"number": None})
    assert r.status_code == 200 and r.json()["text"] == "Số: ......./BB-HĐND"


async def test_numbers_run_per_council_and_year(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    first = s.session_id
    await create_session(client, s, title="Kỳ họp thứ 6")
    await client.post(f"/api/v1/sessions/{s.session_id}/publish", headers=s.h(s.secretariat))
    assert (
        await client.put(_url(s), headers=s.h(s.secretariat), json={"number": 3})
    ).status_code == 200
    s.session_id = first
    r = await client.put(_url(s), headers=s.h(s.secretariat), json={"number": 3})
    assert r.status_code == 409 and error_code(r) == "minutes_number_taken"
    # Another council may use the same number.
    other = await setup_council(seats=5, delegates=2)
    await create_session(client, other)
    await client.post(
        f"/api/v1/sessions/{other.session_id}/publish", headers=other.h(other.secretariat)
    )
    r = await client.put(_url(other), headers=other.h(other.secretariat), json={"number": 3})
    assert r.status_code == 200


async def test_who_may_number_and_what_is_refused(client, anon) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    for user in (s.chair, s.delegates[0]):
        r = await client.put(_url(s), headers=s.h(user), json={"number": 1})
        assert r.status_code == 403, user.role
    other = await setup_council(seats=5, delegates=1)
    r = await client.put(_url(s), headers=other.h(other.secretariat), json={"number": 1})
    assert r.status_code == 403
    assert (await anon.put(_url(s), json={"number": 1})).status_code == 401
    for bad in (0, 100_000, "bảy", 2**70):
        r = await client.put(_url(s), headers=s.h(s.secretariat), json={"number": bad})
        assert r.status_code == 422, bad
    r = await client.put(_url(s), headers=s.h(s.secretariat), json={})
    assert r.status_code == 422
    admin = await make_user("admin")
    r = await client.put(_url(s), headers=await bearer(admin), json={"number": 9})
    assert r.status_code == 200
    # A draft session has no minutes yet.
    await create_session(client, s, title="Dự thảo")
    r = await client.put(_url(s), headers=s.h(s.secretariat), json={"number": 2})
    assert r.status_code == 409 and error_code(r) == "session_state"


async def test_minutes_card_on_the_prepare_page_sets_the_number_with_htmx(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    await login(client, s.secretariat)
    page = lxml.html.fromstring(
        (await client.get(f"/meetings/sessions/{s.session_id}/prepare")).text
    )
    card = page.get_element_by_id("minutes-card")
    assert card.xpath(".//strong[@class='minutes-number']")[0].text == "Số: ......./BB-HĐND"
    assert card.xpath(".//input[@name='number']")
    links = card.xpath(".//a/@href")
    assert f"/api/v1/sessions/{s.session_id}/minutes.pdf" in links
    url = f"/meetings/sessions/{s.session_id}/minutes/number"
    r = await client.post(url, data={"number": "12"}, headers=htmx())
    assert r.status_code == 200
    fragment = lxml.html.fromstring(r.text)
    assert fragment.get("id") == "minutes-card"
    assert fragment.xpath(".//strong[@class='minutes-number']")[0].text == "Số: 12/BB-HĐND"
    r = await client.post(url, data={"number": "mười"}, headers=htmx())
    assert r.status_code == 422
    r = await client.post(url, data={"number": ""})
    assert r.status_code == 303
    assert "Số: ......./BB-HĐND" in await _pdf_text(client, s)
    # The chair sees the number, without the form.
    client.cookies.clear()
    await login(client, s.chair)
    page = lxml.html.fromstring(
        (await client.get(f"/meetings/sessions/{s.session_id}/prepare")).text
    )
    assert not page.get_element_by_id("minutes-card").xpath(".//input[@name='number']")
    r = await client.post(url, data={"number": "3"}, headers=htmx())
    assert r.status_code == 403
