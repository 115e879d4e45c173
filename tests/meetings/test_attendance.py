"""attendance.*: the check-in window, attendance per day, absences with a reason, undoing a
mistaken check-in, and what the minutes record of them."""

from datetime import UTC, datetime, timedelta

from council.models import AuditEntry
from meetings import services
from meetings.models import Absence, Attendance, AttendancePast, Session
from meetings.services.common import LOCAL_TZ, local_day
from tests.factories import error_code
from tests.meetings.helpers import (
    add_agenda,
    cast,
    check_in,
    create_poll,
    create_session,
    open_poll,
    setup_council,
    setup_running_session,
    start_session,
)


async def _session_on(client, s, starts: datetime) -> int:
    r = await client.post(
        "/api/v1/sessions",
        headers=s.h(s.secretariat),
        json={"council_code": s.council.code, "title": "Kỳ họp", "starts_at": starts.isoformat()},
    )
    s.session_id = r.json()["id"]
    r = await client.post(f"/api/v1/sessions/{s.session_id}/publish", headers=s.h(s.secretariat))
    assert r.status_code == 200
    return s.session_id


def _attend(client, s, user, **body):
    return client.post(f"/api/v1/sessions/{s.session_id}/attendance", headers=s.h(user), json=body)


async def test_check_in_opens_on_the_sittings_day_or_when_the_secretariat_opens_it(
    client,
) -> None:
    s = await setup_council(seats=5, delegates=3)
    in_three_days = datetime.now(LOCAL_TZ).replace(hour=8, minute=0) + timedelta(days=3)
    await _session_on(client, s, in_three_days)
    r = await _attend(client, s, s.delegates[0])
    assert r.status_code == 409 and error_code(r) == "check_in_closed"
    assert in_three_days.strftime("%d/%m/%Y") in r.json()["error"]["message"]
    r = await _attend(client, s, s.secretariat, user_id=s.delegates[1].id)  # nor by the staff
    assert r.status_code == 409 and error_code(r) == "check_in_closed"
    state = (await client.get(f"/api/v1/sessions/{s.session_id}", headers=s.h(s.chair))).json()
    assert state["attendance"]["check_in_open"] is False
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/attendance/open", headers=s.h(s.delegates[0])
    )
    assert r.status_code == 403
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/attendance/open", headers=s.h(s.secretariat)
    )
    assert r.status_code == 200 and r.json()["check_in_opened_at"]
    r = await _attend(client, s, s.delegates[0])
    assert r.status_code == 200 and r.json()["present"] == 1
    # An early check-in counts for the sitting's first day.
    session = await Session.get(id=s.session_id)
    assert session.attendance_day == in_three_days.date()
    assert await AuditEntry.exists(operation="attendance.open")


async def test_check_in_is_open_on_the_local_day_before_the_start_and_once_started(
    client,
) -> None:
    s = await setup_council(seats=5, delegates=3)
    later_today = datetime.now(LOCAL_TZ).replace(hour=23, minute=30)
    await _session_on(client, s, later_today)
    assert (await _attend(client, s, s.delegates[0])).status_code == 200
    # A sitting started ahead of its planned day takes check-ins at once.
    s2 = await setup_council(seats=5, delegates=3)
    await _session_on(client, s2, datetime.now(UTC) + timedelta(days=10))
    assert (await _attend(client, s2, s2.delegates[0])).status_code == 409
    await start_session(client, s2)
    assert (await _attend(client, s2, s2.delegates[0])).status_code == 200
    # A draft or a closed session takes none.
    s3 = await setup_council(seats=5, delegates=3)
    await create_session(client, s3)
    r = await _attend(client, s3, s3.delegates[0])
    assert r.status_code == 409 and error_code(r) == "session_state"


async def test_a_sitting_of_several_days_takes_attendance_per_day(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    yesterday = local_day() - timedelta(days=1)
    # The sitting began yesterday: the rows held are that day's.
    await Session.filter(id=s.session_id).update(attendance_day=yesterday)
    state = (await client.get(f"/api/v1/sessions/{s.session_id}", headers=s.h(s.chair))).json()
    assert state["attendance"]["present"] == 0  # today, nobody yet
    assert await AttendancePast.filter(session_id=s.session_id, day=yesterday).count() == 4
    assert (await Session.get(id=s.session_id)).attendance_day == local_day()
    r = await _attend(client, s, s.delegates[0])
    assert r.json()["present"] == 1
    assert await AuditEntry.exists(operation="attendance.new_day")
    # The minutes list both days.
    record = await services.minutes_record(await Session.get(id=s.session_id))
    assert [d.day for d in record.attendance.days] == [yesterday, local_day()]
    assert len(record.attendance.days[0].present) == 4
    assert record.attendance.days[1].present == [s.delegates[0].full_name]


async def test_opening_a_vote_on_a_new_day_counts_todays_attendance(client) -> None:
    # The poll is created (and known to this process) while yesterday's rows are held: the
    # opening rolls the day over before it counts the quorum, so yesterday's four do not count.
    s = await setup_running_session(client, seats=5, present=4)
    poll = await create_poll(client, s)
    yesterday = local_day() - timedelta(days=1)
    await Session.filter(id=s.session_id).update(attendance_day=yesterday)
    r = await open_poll(client, s, poll["id"])
    assert r.status_code == 409 and error_code(r) == "no_quorum"
    assert (await Session.get(id=s.session_id)).attendance_day == local_day()
    assert await AttendancePast.filter(session_id=s.session_id, day=yesterday).count() == 4
    await check_in(client, s, [s.chair, *s.delegates[:3]])
    r = await open_poll(client, s, poll["id"])
    assert r.status_code == 200, r.text
    assert r.json()["eligible"] == 4


async def test_a_new_day_waits_for_the_open_vote_to_close(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    poll = await create_poll(client, s)
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    await Session.filter(id=s.session_id).update(attendance_day=local_day() - timedelta(days=1))
    await client.get(f"/api/v1/sessions/{s.session_id}", headers=s.h(s.chair))
    assert await Attendance.filter(session_id=s.session_id).count() == 4
    r = await cast(client, s, s.delegates[0], poll["id"], "yes")
    assert r.status_code == 201  # the vote keeps the day it opened on
    await client.post(f"/api/v1/polls/{poll['id']}/close", headers=s.h(s.chair))
    await client.get(f"/api/v1/sessions/{s.session_id}", headers=s.h(s.chair))
    assert await Attendance.filter(session_id=s.session_id).count() == 0


async def test_absence_with_a_reason_and_undoing_a_mistaken_check_in(client) -> None:
    s = await setup_council(seats=5, delegates=3)
    await create_session(client, s)
    await add_agenda(client, s)
    await start_session(client, s)
    await check_in(client, s, [s.chair, s.delegates[0]])
    sid, away, wrong = s.session_id, s.delegates[1], s.delegates[0]
    url = f"/api/v1/sessions/{sid}/absences/{away.id}"
    r = await client.put(url, headers=s.h(s.delegates[2]), json={"reason": "Ốm"})
    assert r.status_code == 403
    r = await client.put(url, headers=s.h(s.secretariat), json={"reason": "   "})
    assert r.status_code == 422 and "reason" in r.json()["error"]["details"]["fields"]
    r = await client.put(url, headers=s.h(s.secretariat), json={"reason": "Đi công tác"})
    assert r.status_code == 200 and r.json()["reason"] == "Đi công tác"
    r = await client.put(
        f"/api/v1/sessions/{sid}/absences/{wrong.id}",
        headers=s.h(s.secretariat),
        json={"reason": "x"},
    )
    assert r.status_code == 409 and error_code(r) == "checked_in"
    rows = (await client.get(f"/api/v1/sessions/{sid}/attendance", headers=s.h(s.chair))).json()
    assert {d["user_id"]: d["absence_reason"] for d in rows["delegates"]}[away.id] == "Đi công tác"
    # The secretariat takes back a check-in made by mistake.
    r = await client.delete(f"/api/v1/sessions/{sid}/attendance/{wrong.id}", headers=s.h(s.chair))
    assert r.status_code == 403  # the secretariat's
    r = await client.delete(
        f"/api/v1/sessions/{sid}/attendance/{wrong.id}", headers=s.h(s.secretariat)
    )
    assert r.status_code == 200 and r.json()["present"] == 1
    r = await client.delete(
        f"/api/v1/sessions/{sid}/attendance/{wrong.id}", headers=s.h(s.secretariat)
    )
    assert r.status_code == 409 and error_code(r) == "not_checked_in"
    # Arriving withdraws the absence.
    await check_in(client, s, [s.delegates[2]])
    r = await client.put(
        f"/api/v1/sessions/{sid}/absences/{s.delegates[2].id}",
        headers=s.h(s.secretariat),
        json={"reason": "nhầm"},
    )
    assert r.status_code == 409
    entries = [e.operation for e in await AuditEntry.filter(target_id=str(sid))]
    assert {"attendance.absent", "attendance.undo"} <= set(entries)
    record = await services.minutes_record(await Session.get(id=sid))
    assert record.attendance.excused == [(away.full_name, "Đi công tác")]
    assert [u.name for u in record.attendance.undone] == [wrong.full_name]
    assert record.attendance.undone[0].by == s.secretariat.full_name
    from meetings.minutes.record import minutes_lines

    text = "\n".join(line.text for line in minutes_lines(record))
    assert f"Đại biểu vắng mặt có lý do: {away.full_name} (Đi công tác)." in text
    assert f"Hủy xác nhận có mặt do nhầm lẫn: {wrong.full_name}" in text
    r = await client.delete(url, headers=s.h(s.secretariat))
    assert r.status_code == 200 and not await Absence.exists(session_id=sid)


async def test_a_check_in_is_not_undone_while_a_vote_is_open(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    poll = await create_poll(client, s)
    await open_poll(client, s, poll["id"])
    r = await client.delete(
        f"/api/v1/sessions/{s.session_id}/attendance/{s.delegates[0].id}",
        headers=s.h(s.secretariat),
    )
    assert r.status_code == 409 and error_code(r) == "poll_open"


async def test_the_preparation_pages_attendance_forms(client) -> None:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    from tests.factories import htmx, login

    s = await setup_council(seats=5, delegates=3)
    soon = datetime.now(LOCAL_TZ).replace(hour=8, minute=0) + timedelta(days=2)
    sid = await _session_on(client, s, soon)
    await login(client, s.secretariat)
    page = HTMLParser((await client.get(f"/meetings/sessions/{sid}/prepare")).text)
    assert page.css_first("#open-check-in") is not None
    assert page.css_first("#attendance-edit form[action$='/attendance'] button") is None
    r = await client.post(f"/meetings/sessions/{sid}/attendance/open", headers=htmx())
    fragment = HTMLParser(r.text)
    assert fragment.css_first("#open-check-in") is None
    assert fragment.css_first("#attendance-edit form[action$='/attendance'] button") is not None
    delegate, away = s.delegates[0], s.delegates[1]
    await client.post(
        f"/meetings/sessions/{sid}/attendance", data={"user_id": str(delegate.id)}, headers=htmx()
    )
    r = await client.post(
        f"/meetings/sessions/{sid}/absences",
        data={"user_id": str(away.id), "reason": "Ốm"},
        headers=htmx(),
    )
    row = HTMLParser(r.text).css_first(f"#presence-{away.id}")
    assert "Vắng mặt có lý do: Ốm" in row.text()
    r = await client.post(
        f"/meetings/sessions/{sid}/attendance/undo",
        data={"user_id": str(delegate.id)},
        headers=htmx(),
    )
    row = HTMLParser(r.text).css_first(f"#presence-{delegate.id}")
    assert "Có mặt" not in row.text()
    r = await client.post(
        f"/meetings/sessions/{sid}/absences", data={"user_id": str(away.id)}, headers=htmx()
    )
    assert HTMLParser(r.text).css_first("#attendance-edit .alert") is not None  # no reason
    r = await client.post(
        f"/meetings/sessions/{sid}/absences/clear", data={"user_id": str(away.id)}, headers=htmx()
    )
    assert "Ốm" not in HTMLParser(r.text).css_first(f"#presence-{away.id}").text()
    # Without htmx a refusal is the error page; someone who holds no seat is not found.
    r = await client.post(
        f"/meetings/sessions/{sid}/attendance/undo", data={"user_id": str(s.secretariat.id)}
    )
    assert r.status_code == 404
