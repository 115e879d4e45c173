"""The previous term stays readable and cannot be changed (409 term_closed), except to finish its
last minutes: its sittings, agenda, votes and minutes, and its elections' results."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from council.models import User
from elections.models import Election, Term
from meetings.services.common import local_day
from tests.factories import bearer, error_code, make_user
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
from tests.meetings.live import connect_tablet


async def _published(client, s, title: str, at: str) -> int:
    r = await client.post(
        "/api/v1/sessions",
        headers=s.h(s.secretariat),
        json={
            "council_code": s.council.code,
            "title": title,
            "starts_at": f"{local_day().isoformat()}T{at}:00+07:00",
        },
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = await client.post(f"/api/v1/sessions/{sid}/publish", headers=s.h(s.secretariat))
    assert r.status_code == 200, r.text
    return int(sid)


async def test_the_previous_term_is_read_only_but_its_last_minutes(client) -> None:
    s = await setup_council(seats=7, delegates=6)
    today = local_day()
    # A sitting of the term, run to the end: agenda, attendance, a named vote.
    first = await create_session(client, s, title="Kỳ họp thứ 12")
    await add_agenda(client, s)
    await start_session(client, s)
    await check_in(client, s, [s.chair, *s.delegates])
    poll = await create_poll(client, s)
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    assert (await cast(client, s, s.delegates[0], poll["id"], "yes")).status_code == 201
    await close_poll(client, s, poll["id"])
    assert (
        await client.post(f"/api/v1/sessions/{first}/close", headers=s.h(s.chair))
    ).status_code == 200
    r = await client.put(
        f"/api/v1/sessions/{first}/minutes/number", headers=s.h(s.secretariat), json={"number": 1}
    )
    assert r.status_code == 200, r.text
    # Two more sittings of the term, published, later the same day: the last one at 15:00.
    middle = await _published(client, s, "Kỳ họp chuyên đề", "11:00")
    last = await _published(client, s, "Kỳ họp cuối nhiệm kỳ", "15:00")
    r = await client.post(
        f"/api/v1/sessions/{middle}/items", headers=s.h(s.secretariat), json={"title": "Bổ sung"}
    )
    assert r.status_code == 201, r.text

    # The next term begins tomorrow: today's sittings belong to the closed one.
    old = await Term.create(
        council_id=s.council.id, number=1, starts_on=date(2021, 7, 1), ends_on=today
    )
    await Term.create(council_id=s.council.id, number=2, starts_on=today + timedelta(days=1))
    admin = await make_user("admin")
    for who in (s.secretariat, admin):
        headers = await bearer(who)
        for method, url, body in [
            ("POST", f"/api/v1/sessions/{middle}/items", {"title": "Thêm nữa"}),
            ("PATCH", f"/api/v1/sessions/{middle}", {"title": "Đổi tên"}),
            ("POST", f"/api/v1/sessions/{middle}/start", None),
            ("PUT", f"/api/v1/sessions/{middle}/absences/{s.delegates[0].id}", {"reason": "Ốm"}),
            ("POST", f"/api/v1/sessions/{middle}/polls", {"title": "Biểu quyết", "kind": "motion"}),
            ("POST", f"/api/v1/polls/{poll['id']}/revote", {"reason": "Nhầm"}),
            ("PUT", f"/api/v1/sessions/{first}/minutes/number", {"number": 3}),
            ("PUT", f"/api/v1/sessions/{middle}/minutes/number", {"number": 4}),
            ("POST", f"/api/v1/sessions/{first}/minutes/draft", {}),
        ]:
            r = await client.request(method, url, headers=headers, json=body)
            assert (r.status_code, error_code(r)) == (409, "term_closed"), (who.role, url, r.text)
    # signing (the secretary's, the chair's; never an admin's), remotely as on the server
    for tail, body in (("prepare", {}), ("complete", {"session_id": "x", "cms": "AAAA"})):
        r = await client.post(
            f"/api/v1/sessions/{first}/minutes/versions/1/sign/{tail}",
            headers=s.h(s.secretariat),
            json=body,
        )
        assert (r.status_code, error_code(r)) == (409, "term_closed"), (tail, r.text)
    # Readable: the sitting, its vote and its minutes.
    sec = s.h(s.secretariat)
    assert (await client.get(f"/api/v1/sessions/{first}", headers=sec)).status_code == 200
    r = await client.get(f"/api/v1/polls/{poll['id']}", headers=sec)
    assert r.status_code == 200 and r.json()["result"]["yes"] == 1
    r = await client.get(f"/api/v1/sessions/{first}/minutes.pdf", headers=sec)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # The last minutes can still be numbered (to be signed).
    r = await client.put(f"/api/v1/sessions/{last}/minutes/number", headers=sec, json={"number": 9})
    assert r.status_code == 200, r.text
    # … and go through the signing workflow (here refused for its own reason, not the term's).
    r = await client.post(f"/api/v1/sessions/{last}/minutes/draft", headers=sec, json={})
    assert error_code(r) != "term_closed", r.text
    # … signed on the server or remotely (the signer's own client)
    for tail, body in (("prepare", {}), ("complete", {"session_id": "x", "cms": "AAAA"})):
        r = await client.post(
            f"/api/v1/sessions/{last}/minutes/versions/1/sign/{tail}", headers=sec, json=body
        )
        assert error_code(r) != "term_closed", r.text

    # Its election's results, even one left unconfirmed, are frozen too.
    election = await Election.create(
        slug="hdnd.test.2021-05-23", council_id=s.council.id, term_id=old.id, day=date(2021, 5, 23)
    )
    r = await client.put(
        f"/api/v1/elections/{election.slug}/constituencies/1",
        headers=sec,
        json={"area": "Tổ dân phố 1", "seats": 3, "registered": 1000},
    )
    assert (r.status_code, error_code(r)) == (409, "term_closed")
    assert await User.filter(id=s.secretariat.id).exists()


async def test_socketio_events_on_a_closed_term_are_refused(live_server: str) -> None:
    """The same check for Socket.IO: a delegate asks to speak at a sitting in progress; once its
    term is closed, the same event is answered term_closed; joining the room still reads."""
    s = await setup_council(seats=4, delegates=3)
    async with httpx.AsyncClient(base_url=live_server) as http:
        sid = await create_session(http, s)
        await start_session(http, s)
        await check_in(http, s, [s.chair, *s.delegates])
    tablet = await connect_tablet(live_server, s.delegates[0])
    try:
        assert (await tablet.call("session:join", {"session_id": sid}))["ok"] is True
        ack = await tablet.call("speaker:request", {"session_id": sid})
        assert ack["ok"] is True
        assert (await tablet.call("speaker:withdraw", {"session_id": sid}))["ok"] is True
        today = local_day()
        await Term.create(
            council_id=s.council.id, number=1, starts_on=date(2021, 7, 1), ends_on=today
        )
        await Term.create(council_id=s.council.id, number=2, starts_on=today + timedelta(days=1))
        ack = await tablet.call("speaker:request", {"session_id": sid})
        assert ack["ok"] is False and ack["error"]["code"] == "term_closed"
        assert (await tablet.call("session:join", {"session_id": sid}))["ok"] is True
    finally:
        await tablet.sio.disconnect()
