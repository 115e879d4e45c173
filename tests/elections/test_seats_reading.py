"""The council setting for reading "tổng số đại biểu" (term.seats_reading) with the worked example
of docs/elections.md: 31 legal seats, 2 vacancies, 29 delegates in office."""

from __future__ import annotations

from datetime import date

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry
from elections import rules
from elections.models import Term, TermSeat
from tests.factories import bearer, error_code, login, make_council, make_delegates, make_user


def test_the_worked_example() -> None:
    assert rules.total_delegates("legal", 31, 29) == 31
    assert rules.total_delegates("in_office", 31, 29) == 29
    assert (rules.more_than_half(31), rules.two_thirds(31)) == (16, 21)
    assert (rules.more_than_half(29), rules.two_thirds(29)) == (15, 20)
    assert (rules.more_than_half(30), rules.two_thirds(30)) == (16, 20)


async def test_the_setting_and_its_display(client, anon) -> None:
    city = await make_council(code="HN-SR-CITY")
    ward = await make_council(code="HN-SR", level="commune", seats=31, parent=city)
    people = await make_delegates(ward, 31)
    term = await Term.create(council_id=ward.id, number=17, starts_on=date(2026, 3, 15))
    for i, user in enumerate(people):
        await TermSeat.create(
            term_id=term.id,
            user_id=user.id,
            since=date(2026, 3, 15),
            until=date(2026, 10, 1) if i < 2 else None,
            end_reason="resignation" if i < 2 else None,
        )
    url = f"/api/v1/councils/{ward.code}/seats-reading"
    body = (await anon.get(url)).json()
    assert body["reading"] == "in_office"  # the default
    assert (body["legal_seats"], body["in_office"], body["total"]) == (31, 29, 29)
    assert (body["more_than_half"], body["two_thirds"]) == (15, 20)
    assert body["applied_by_meetings"] is True

    staff = await make_user("secretariat", council=ward)
    assert (await anon.put(url, json={"reading": "legal"})).status_code == 401
    other = await make_user("secretariat", council=city)
    r = await client.put(url, headers=await bearer(other), json={"reading": "legal"})
    assert r.status_code == 403 and error_code(r) == "forbidden"
    r = await client.put(url, headers=await bearer(staff), json={"reading": "sometimes"})
    assert r.status_code == 422
    r = await client.put(url, headers=await bearer(staff), json={"reading": "legal"})
    assert r.status_code == 200, r.text
    assert (r.json()["total"], r.json()["more_than_half"], r.json()["two_thirds"]) == (31, 16, 21)
    entry = await AuditEntry.get(operation="term.seats_reading")
    assert entry.details == {"from": "in_office", "to": "legal"}

    page = HTMLParser((await anon.get(f"/delegates?council={ward.code}")).text)
    assert "31" in page.css_first(f"#council-{ward.code} .seats-total").text()
    page = HTMLParser((await anon.get(f"/councils/{ward.code}/seats-reading")).text)
    assert page.css_first("#total").text() == "31"
    assert [td.text() for td in page.css("#row-in_office td")][1:] == ["29", "15", "20"]
    assert page.css_first("form") is None or page.css_first("form input[name=reading]") is None
    await login(client, staff)
    page = HTMLParser((await client.get(f"/councils/{ward.code}/seats-reading")).text)
    csrf = page.css_first("input[name=csrf_token]").attributes["value"]
    r = await client.post(
        f"/councils/{ward.code}/seats-reading",
        data={"csrf_token": csrf, "reading": "in_office"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (await anon.get(url)).json()["total"] == 29
