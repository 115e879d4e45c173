"""A sitting's quorum and its polls' thresholds count "tổng số đại biểu" as the council reads it
(term.seats_reading through council.terms): the worked example of docs/elections.md, 31 legal
seats and 2 vacancies, so 29 delegates in office."""

from __future__ import annotations

from datetime import date

from elections.models import Term, TermSeat
from meetings.models import Session
from tests.factories import error_code
from tests.meetings.helpers import (
    Sitting,
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


async def _council_with_two_vacancies() -> Sitting:
    s = await setup_council(seats=31, delegates=30)  # the chair and 30 delegates hold the seats
    term = await Term.create(council_id=s.council.id, number=1, starts_on=date(2025, 7, 1))
    for i, user in enumerate([s.chair, *s.delegates]):
        gone = i >= 29  # the last two delegates resigned
        await TermSeat.create(
            term_id=term.id,
            user_id=user.id,
            since=date(2025, 7, 1),
            until=date(2025, 11, 1) if gone else None,
            end_reason="resignation" if gone else None,
        )
    return s


async def _sitting_with_votes(client, s: Sitting, present: int, yes: int) -> dict:
    """A sitting of the council with ``present`` seat holders checked in; a motion gets ``yes``
    votes in favour. Returns the attendance figures, the first refusal and the poll's result."""
    await create_session(client, s, title=f"Kỳ họp {present}-{yes}")
    await add_agenda(client, s)
    await start_session(client, s)
    holders = [s.chair, *s.delegates[:28]]  # the 29 in office
    attendance = await check_in(client, s, holders[: present - 1])
    poll = await create_poll(client, s)
    refused = await open_poll(client, s, poll["id"])
    await check_in(client, s, [holders[present - 1]])
    opened = await open_poll(client, s, poll["id"])
    assert opened.status_code == 200, opened.text
    for voter in holders[:yes]:
        assert (await cast(client, s, voter, poll["id"], "yes")).status_code == 201
    result = (await close_poll(client, s, poll["id"]))["result"]
    r = await client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    return {"attendance": attendance, "refused": refused, "result": result}


async def test_quorum_and_threshold_follow_the_reading(client) -> None:
    s = await _council_with_two_vacancies()
    url = f"/api/v1/councils/{s.council.code}/seats-reading"

    # The default: the 29 delegates in office. Quorum 20 (19 present is short), majority 15.
    run = await _sitting_with_votes(client, s, present=20, yes=15)
    assert (run["attendance"]["seats"], run["attendance"]["quorum"]) == (29, 20)
    assert run["attendance"]["quorum_met"] is False
    assert (run["refused"].status_code, error_code(run["refused"])) == (409, "no_quorum")
    assert (run["result"]["seats"], run["result"]["required"]) == (29, 15)
    assert run["result"]["passed"] is True  # 15 of 29 is more than half
    default_session = await Session.get(id=s.session_id)
    assert (default_session.seats, default_session.quorum_count) == (29, 20)

    # The legal seats: 31. Quorum 21 (20 present is short), majority 16: 15 in favour fail.
    r = await client.put(url, headers=s.h(s.secretariat), json={"reading": "legal"})
    assert r.status_code == 200, r.text
    run = await _sitting_with_votes(client, s, present=21, yes=15)
    assert (run["attendance"]["seats"], run["attendance"]["quorum"]) == (31, 21)
    assert (run["refused"].status_code, error_code(run["refused"])) == (409, "no_quorum")
    assert (run["result"]["seats"], run["result"]["required"]) == (31, 16)
    assert run["result"]["passed"] is False

    # A sitting keeps the total it started with: the earlier sitting still reads 29.
    assert (await Session.get(id=default_session.id)).seats == 29


async def test_a_council_without_terms_counts_its_seats(client) -> None:
    s = await setup_council(seats=30, delegates=22)
    await create_session(client, s)
    await start_session(client, s)
    body = await check_in(client, s, [s.chair])
    assert (body["seats"], body["quorum"]) == (30, 20)
