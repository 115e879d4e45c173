"""Each delegate's public activity record (delegate.activity): attendance per sitting day, the
choice in every named vote (never a secret one), speeches by item, voter-contact meetings; every
figure links to its source record."""

from __future__ import annotations

from datetime import date

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from elections.models import Term, TermSeat
from meetings.models import SpeakerRequest
from meetings.services.attendance import absence_record
from tests.meetings.helpers import (
    add_agenda,
    cast,
    check_in,
    close_poll,
    create_poll,
    create_session,
    open_poll,
    setup_council,
    start_session,
)


async def test_a_delegates_record_of_a_sitting(client, anon) -> None:
    s = await setup_council(seats=6, delegates=5)
    d0, d1, d2, d3, d4 = s.delegates
    term = await Term.create(council_id=s.council.id, number=17, starts_on=date(2026, 3, 15))
    for holder in [s.chair, *s.delegates]:
        await TermSeat.create(term_id=term.id, user_id=holder.id, since=date(2026, 3, 15))
    sid = await create_session(client, s)
    items = await add_agenda(client, s)
    await start_session(client, s)
    await check_in(client, s, [s.chair, d0, d1, d4])
    await absence_record(s.secretariat, sid, d2.id, "Đi công tác")  # d3: absent

    # d0 speaks on the second item.
    r = await client.post(
        f"/api/v1/sessions/{sid}/current", headers=s.h(s.chair), json={"item_id": items[1]}
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/sessions/{sid}/speakers", headers=s.h(d0), json={})
    assert r.status_code in (200, 201), r.text
    request = await SpeakerRequest.get(session_id=sid, user_id=d0.id)
    r = await client.post(f"/api/v1/speakers/{request.id}/floor", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/sessions/{sid}/speakers/finish", headers=s.h(s.chair))
    assert r.status_code == 200, r.text

    # A named vote and a secret one.
    named = await create_poll(client, s, title="Thông qua Nghị quyết dự toán", secret=False)
    r = await open_poll(client, s, named["id"])
    assert r.status_code == 200, r.text
    assert (await cast(client, s, d0, named["id"], "yes")).status_code == 201
    assert (await cast(client, s, d1, named["id"], "no")).status_code == 201
    await close_poll(client, s, named["id"])
    secret = await create_poll(client, s, title="Lấy phiếu kín bí mật", secret=True)
    assert (await open_poll(client, s, secret["id"])).status_code == 200
    assert (await cast(client, s, d0, secret["id"], "no")).status_code == 201
    await close_poll(client, s, secret["id"])

    source = f"/public/sessions/{sid}"
    r = await anon.get(f"/api/v1/delegates/{d0.id}/activity")
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["term"] == "khóa XVII, nhiệm kỳ 2026–2031" and a["since"] == "2026-03-15"
    assert (a["present"], a["excused"], a["absent"]) == (1, 0, 0)
    assert [(v["title"], v["choice"], v["source"]) for v in a["votes"]] == [
        ("Thông qua Nghị quyết dự toán", "yes", source)
    ]
    assert [(x["item"], x["source"]) for x in a["speeches"]] == [
        ("Tờ trình về dự toán ngân sách năm 2026", source)
    ]
    assert "bí mật" not in r.text  # a secret poll is never listed
    other = (await anon.get(f"/api/v1/delegates/{d2.id}/activity")).json()
    assert (other["present"], other["excused"], other["absent"]) == (0, 1, 0)
    assert other["days"][0]["reason"] == "Đi công tác"
    assert [v["choice"] for v in other["votes"]] == ["not_voted"]
    absent = (await anon.get(f"/api/v1/delegates/{d3.id}/activity")).json()
    assert (absent["present"], absent["excused"], absent["absent"]) == (0, 0, 1)
    assert (await anon.get(source)).status_code == 200  # the source record is public

    page = HTMLParser((await anon.get(f"/delegates/{d0.id}")).text)
    assert len(page.css("#attendance tr.day-present")) == 1
    assert page.css_first(f"#votes a[href='{source}']").text() == "Thông qua Nghị quyết dự toán"
    assert "bí mật" not in page.body.text()
    assert "Tờ trình về dự toán" in page.css_first("#speeches").text()
    # Only delegates have a public record.
    assert (await anon.get(f"/delegates/{s.secretariat.id}")).status_code == 404
    assert (await anon.get("/api/v1/delegates/999999/activity")).status_code == 404
