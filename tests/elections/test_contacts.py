"""Voter-contact meetings (contact.schedule, contact.link): scheduled ahead with the delegates'
accounts and a constituency, or linked to the meeting petitions recorded; shown on /delegates."""

from __future__ import annotations

from datetime import timedelta

import httpx
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry, Council, User
from elections.contacts import today
from elections.models import ContactMeeting
from tests.elections.test_elections import _enter_counts, _setup_election
from tests.factories import bearer, error_code, login, make_council, make_user


async def _seated_ward(
    client: httpx.AsyncClient, code: str
) -> tuple[Council, dict[str, str], User, list[User]]:
    """A commune whose term XVII roster holds one delegate elected in constituency 1."""
    city = await make_council(code=f"{code}-CITY", level="city")
    ward = await make_council(code=code, level="commune", seats=1, parent=city)
    staff = await make_user("secretariat", council=ward)
    h = await bearer(staff)
    slug, (a, b) = await _setup_election(client, ward, h, seats=1, n=2)
    counts = {
        "registered": 100,
        "voted": 80,
        "issued": 80,
        "received": 80,
        "valid": 80,
        "invalid": 0,
    }
    assert (await _enter_counts(client, slug, h, 1, counts, {a: 60, b: 20})).status_code == 200
    assert (await client.post(f"/api/v1/elections/{slug}/confirm", headers=h)).status_code == 200
    r = await client.post(f"/api/v1/elections/{slug}/roster", headers=h)
    assert r.status_code == 201, r.text
    delegate = await User.get(username=r.json()["delegates"][0]["username"])
    return ward, h, staff, [delegate]


async def test_schedule_link_and_show_on_your_delegates(client, anon) -> None:
    ward, h, staff, (delegate,) = await _seated_ward(client, "HN-CT")
    url = f"/api/v1/councils/{ward.code}/contact-meetings"
    coming = today() + timedelta(days=10)
    r = await client.post(
        url,
        headers=h,
        json={
            "day": coming.isoformat(),
            "time": "08:00",
            "place": "Nhà văn hóa tổ dân phố 3",
            "constituency": 1,
            "delegate_ids": [delegate.id],
        },
    )
    assert r.status_code == 201, r.text
    scheduled = r.json()
    assert scheduled["coming"] and scheduled["constituency"] == 1
    assert scheduled["delegates"] == [{"user_id": delegate.id, "full_name": delegate.full_name}]

    # Refused: a past day, someone without a seat, an unknown constituency, a bad time.
    base = {
        "day": coming.isoformat(),
        "place": "X",
        "constituency": 1,
        "delegate_ids": [delegate.id],
    }
    for change, field in (
        ({"day": (today() - timedelta(days=1)).isoformat()}, "day"),
        ({"delegate_ids": [staff.id]}, "delegate_ids"),
        ({"constituency": 7}, "constituency"),
        ({"time": "25:00"}, "time"),
    ):
        r = await client.post(url, headers=h, json={**base, **change})
        assert r.status_code == 422, (change, r.text)
        assert field in r.json()["error"]["details"]["fields"], r.text

    # On "your delegates": the coming meeting under the delegate's constituency.
    page = HTMLParser((await anon.get(f"/delegates?council={ward.code}")).text)
    items = page.css(f"#council-{ward.code} ul.contact-meetings li")
    assert len(items) == 1 and "Nhà văn hóa tổ dân phố 3" in items[0].text()
    assert "08:00" in items[0].text() and delegate.full_name in items[0].text()
    assert page.css_first(f"#council-{ward.code} a[href='/delegates/{delegate.id}']") is not None

    # The meeting held, as petitions records it (delegates as free text), linked to the account
    # and to the meeting scheduled here.
    r = await client.post(
        "/api/v1/petitions/meetings",
        headers=h,
        json={
            "council_code": ward.code,
            "held_on": today().isoformat(),
            "place": "Nhà văn hóa tổ dân phố 3",
            "delegates": "đại biểu " + delegate.full_name,
            "attendees": 85,
        },
    )
    assert r.status_code == 201, r.text
    held_id = r.json()["id"]
    link = {"voter_meeting_id": held_id, "constituency": 1, "delegate_ids": [delegate.id]}
    r = await client.post(f"{url}/link", headers=h, json={**link, "scheduled_id": scheduled["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == scheduled["id"] and r.json()["voter_meeting_id"] == held_id
    assert not r.json()["coming"] and r.json()["day"] == today().isoformat()
    assert (await client.post(f"{url}/link", headers=h, json=link)).status_code == 409
    assert await ContactMeeting.filter(council_id=ward.id).count() == 1
    listed = (await anon.get(url)).json()["items"]
    assert [m["voter_meeting_id"] for m in listed] == [held_id]
    assert (await anon.get(f"{url}?coming=1")).json()["items"] == []
    # The delegate's activity record lists the meeting held.
    held = (await anon.get(f"/api/v1/delegates/{delegate.id}/activity")).json()["contact_meetings"]
    assert [(m["voter_meeting_id"], m["petitions"]) for m in held] == [(held_id, 0)]
    ops = set(await AuditEntry.filter(council_id=ward.id).values_list("operation", flat=True))
    assert {"contact.schedule", "contact.link"} <= ops

    # Permissions: the public reads; a delegate, another council and the anonymous cannot write.
    assert (await anon.post(url, json=base)).status_code == 401
    r = await client.post(url, headers=await bearer(delegate), json=base)
    assert r.status_code == 403 and error_code(r) == "forbidden"
    other = await make_user("secretariat", council=await make_council(code="HN-CT-OTHER"))
    r = await client.post(url, headers=await bearer(other), json=base)
    assert r.status_code == 403
    other_meeting = await client.post(
        "/api/v1/petitions/meetings",
        headers=await bearer(other),
        json={
            "council_code": "HN-CT-OTHER",
            "held_on": today().isoformat(),
            "place": "Nơi khác",
            "delegates": "ai đó",
            "attendees": 5,
        },
    )
    r = await client.post(
        f"{url}/link", headers=h, json={**link, "voter_meeting_id": other_meeting.json()["id"]}
    )
    assert r.status_code == 404


async def test_the_contact_meetings_page_schedules_without_javascript(client, anon) -> None:
    ward, h, staff, (delegate,) = await _seated_ward(client, "HN-CP")
    page_url = f"/councils/{ward.code}/contact-meetings"
    public = HTMLParser((await anon.get(page_url)).text)
    assert public.css_first("#schedule") is None
    await login(client, staff)
    page = HTMLParser((await client.get(page_url)).text)
    form = page.css_first("#schedule form")
    csrf = form.css_first("input[name=csrf_token]").attributes["value"]
    assert form.css_first(f"input[name=delegate_ids][value='{delegate.id}']") is not None
    data = {
        "csrf_token": csrf,
        "action": "schedule",
        "day": (today() + timedelta(days=3)).isoformat(),
        "time": "",
        "place": "",
        "constituency": "1",
        "delegate_ids": str(delegate.id),
    }
    r = await client.post(page_url, data=data)
    assert r.status_code == 422 and HTMLParser(r.text).css_first("#contact-errors") is not None
    r = await client.post(
        page_url, data={**data, "place": "Hội trường UBND phường"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = HTMLParser((await anon.get(page_url)).text)
    assert "Hội trường UBND phường" in page.css_first("#coming").text()
