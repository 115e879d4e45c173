"""seat.vacate: the secretariat records a vacancy with its date and reason; the seat ends, the
account closes, "tổng số đại biểu" (delegates in office) drops and /delegates shows the seat
vacant."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry, User
from elections.models import TermSeat
from tests.elections.test_contacts import _seated_ward
from tests.factories import bearer, error_code, make_council, make_user


async def test_a_vacancy_ends_the_seat(client, anon) -> None:
    ward, h, staff, (delegate,) = await _seated_ward(client, "HN-VC")
    seat = await TermSeat.get(user_id=delegate.id)
    url = f"/api/v1/term-seats/{seat.id}/vacate"
    body = {"day": "2026-10-01", "reason": "resignation", "note": "Xin thôi làm đại biểu"}
    assert (await anon.post(url, json=body)).status_code == 401
    other = await make_user("secretariat", council=await make_council())
    assert (await client.post(url, headers=await bearer(other), json=body)).status_code == 403
    r = await client.post(url, headers=h, json={**body, "reason": "boredom"})
    assert r.status_code == 422
    r = await client.post(url, headers=h, json={**body, "day": "2020-01-01"})  # before the seat
    assert r.status_code == 422
    before = (await anon.get(f"/api/v1/councils/{ward.code}/seats-reading")).json()["in_office"]
    r = await client.post(url, headers=h, json=body)
    assert r.status_code == 200, r.text
    assert (r.json()["until"], r.json()["end_reason"]) == ("2026-10-01", "resignation")
    assert not (await User.get(id=delegate.id)).is_active
    after = (await anon.get(f"/api/v1/councils/{ward.code}/seats-reading")).json()["in_office"]
    assert (before, after) == (1, 0)
    r = await client.post(url, headers=h, json=body)
    assert (r.status_code, error_code(r)) == (409, "already_vacant")
    assert await AuditEntry.exists(operation="seat.vacate", target_id=seat.id)
    page = HTMLParser((await anon.get(f"/delegates?council={ward.code}")).text)
    assert delegate.full_name in page.css_first(f"#council-{ward.code} li.vacant").text()
