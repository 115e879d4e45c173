"""The seats a sitting counts against: fixed as it starts, on its polls as they open, in its minutes.

Thresholds count against all seats (DOMAIN, Voting). A council's seats may change between
sittings (a by-election), never during one; a poll prepared before the change counts against the
seats of the sitting in which it opens, and the minutes keep the sitting's figures.
"""

from __future__ import annotations

from council import services as core
from council.errors import Conflict
from meetings import services
from meetings.minutes.record import minutes_lines
from meetings.models import Session
from meetings.services.minutes import minutes_record
from tests.factories import bearer, make_user
from tests.meetings.helpers import (
    cast,
    check_in,
    close_poll,
    create_poll,
    create_session,
    open_poll,
    setup_council,
    start_session,
)


async def _refused(coro: object, code: str) -> None:
    try:
        await coro  # type: ignore[misc]
    except Conflict as exc:
        assert exc.code == code, exc.code
    else:
        raise AssertionError(f"not refused with {code}")


async def test_a_poll_prepared_before_the_seats_changed_counts_against_the_sittings_seats(
    client,
) -> None:
    s = await setup_council(seats=4, delegates=3)
    await create_session(client, s)
    poll = await create_poll(client, s, title="Chuẩn bị trước")
    assert poll["seats"] == 4
    # A by-election before the sitting: two more seats, two more delegates.
    await core.council_update(s.secretariat, s.council, seats=6)
    newcomers = [await make_user("delegate", s.council) for _ in range(2)]
    for user in newcomers:
        s.headers[user.id] = await bearer(user)
    await start_session(client, s)
    voters = [s.chair, *s.delegates, *newcomers]
    assert (await check_in(client, s, voters))["seats"] == 6
    r = await open_poll(client, s, poll["id"])
    assert r.status_code == 200 and r.json()["seats"] == 6
    for user in voters:
        assert (await cast(client, s, user, poll["id"], "yes")).status_code == 201
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert result["yes"] == 6 and result["seats"] == 6 and result["required"] == 4
    assert result["passed"] is True


async def test_seats_and_quorum_cannot_change_during_a_sitting(client) -> None:
    s = await setup_council(seats=5, delegates=3)
    await create_session(client, s)
    await start_session(client, s)
    await _refused(core.council_update(s.secretariat, s.council, seats=7), "sitting_in_progress")
    await _refused(
        core.council_update(s.secretariat, s.council, quorum="1/2"), "sitting_in_progress"
    )
    # The name may change; and once the sitting is over, the seats too.
    await core.council_update(s.secretariat, s.council, name="Hội đồng nhân dân xã mới")
    r = await client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    assert (await core.council_update(s.secretariat, s.council, seats=7)).seats == 7


async def test_the_minutes_keep_the_sittings_seats_and_speakers_off_the_agenda(client) -> None:
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s)
    await start_session(client, s)
    await check_in(client, s, [s.chair, s.delegates[0]])
    # The floor is given while no agenda item is current: the minutes still name the speaker.
    await services.speaker_request(s.delegates[0], s.session_id)
    queue = (await services.session_state(s.chair, s.session_id))["speakers"]
    await services.speaker_give_floor(s.chair, queue[0]["id"])
    r = await client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    await core.council_update(s.secretariat, s.council, seats=9)

    session = await Session.get(id=s.session_id)
    text = "\n".join(line.text for line in minutes_lines(await minutes_record(session)))
    assert "Tổng số đại biểu: 5. Có mặt: 2. Vắng mặt: 3." in text
    assert f"Đại biểu vắng mặt: {s.delegates[1].full_name}." in text
    assert "Số ghế đại biểu còn khuyết: 2." in text
    assert "Phát biểu ngoài các nội dung của chương trình" in text
    assert s.delegates[0].full_name in text.split("Phát biểu ngoài")[1]


async def test_the_roll_and_the_minutes_list_people_in_vietnamese_order(client) -> None:
    s = await setup_council(seats=5, delegates=0)
    people = [
        await make_user("delegate", s.council, full_name=name)
        for name in ("Vũ Văn Bình", "Đặng Thị An", "Nguyễn Văn An")
    ]
    for user in people:
        s.headers[user.id] = await bearer(user)
    await create_session(client, s)
    await start_session(client, s)
    await check_in(client, s, [s.chair, *people])  # the chair: Trần Văn Đức
    roll = [row["name"] for row in await services.attendance_list(s.session_id)]
    assert roll == ["Đặng Thị An", "Nguyễn Văn An", "Vũ Văn Bình", "Trần Văn Đức"]
    r = await client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    record = await minutes_record(await Session.get(id=s.session_id))
    assert record.attendance.present == roll
