"""ballot.hand_*: a vote by show of hands for a delegate whose device failed, recorded by the
secretariat, confirmed by the chair, cast through ballot.cast and marked ``by_hand``.

Runs on SQLite, and on PostgreSQL with COUNCIL_TEST_DB=postgres (the batch writer's other path).
"""

import asyncio

from council.models import AuditEntry
from meetings import services
from meetings.models import BallotReceipt, HandVote, Session
from tests.factories import bearer, error_code, make_council, make_user
from tests.meetings.helpers import cast, close_poll, open_poll_in_session


def _record(client, s, poll_id, user, choice="yes", by=None):
    return client.post(
        f"/api/v1/polls/{poll_id}/hand-votes",
        headers=s.h(by or s.secretariat),
        json={"user_id": user.id, "choice": choice},
    )


async def test_a_vote_by_hand_is_entered_confirmed_and_marked(client) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4)
    pid, hand_raiser = poll["id"], s.delegates[0]
    r = await _record(client, s, pid, hand_raiser, "no")
    assert r.status_code == 201, r.text
    hand = r.json()
    assert (hand["status"], hand["choice"], hand["entered_by"]) == (
        "pending",
        "no",
        s.secretariat.id,
    )
    # Nothing is cast before the chair confirms.
    assert not await BallotReceipt.exists(poll_id=pid, user_id=hand_raiser.id)
    r = await _record(client, s, pid, hand_raiser, "no")
    assert r.status_code == 409 and error_code(r) == "hand_vote_pending"
    r = await client.post(f"/api/v1/hand-votes/{hand['id']}/confirm", headers=s.h(s.secretariat))
    assert r.status_code == 403  # the chair confirms, not whoever entered it
    r = await client.post(f"/api/v1/hand-votes/{hand['id']}/confirm", headers=s.h(s.chair))
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    state = (await client.get(f"/api/v1/polls/{pid}", headers=s.h(s.chair))).json()
    assert state["voted"] == 1
    await cast(client, s, s.delegates[1], pid, "yes")
    # One ballot per delegate still: the delegate's own device cannot vote again.
    r = await cast(client, s, hand_raiser, pid, "yes")
    assert r.status_code == 409 and error_code(r) == "already_voted"
    r = await client.post(f"/api/v1/hand-votes/{hand['id']}/confirm", headers=s.h(s.chair))
    assert r.status_code == 409 and error_code(r) == "hand_vote_decided"
    closed = await close_poll(client, s, pid)
    assert closed["result"]["no"] == 1 and closed["result"]["yes"] == 1
    ballots = {b["user_id"]: b for b in closed["result"]["ballots"]}
    assert ballots[hand_raiser.id]["by_hand"] is True and ballots[hand_raiser.id]["choice"] == "no"
    assert ballots[s.delegates[1].id]["by_hand"] is False
    # The audit log: who entered, the ballot marked by hand, who confirmed.
    ops = {e.operation: e for e in await AuditEntry.filter(target_id=str(pid))}
    assert ops["ballot.hand_record"].actor_id == s.secretariat.id
    assert ops["ballot.hand_confirm"].actor_id == s.chair.id
    cast_entry = await AuditEntry.get(
        operation="ballot.cast", actor_id=hand_raiser.id, target_id=str(pid)
    )
    assert cast_entry.details["by_hand"] == {
        "entered_by": s.secretariat.id,
        "confirmed_by": s.chair.id,
        "hand_vote_id": hand["id"],
    }
    # The minutes name it.
    record = await services.minutes_record(await Session.get(id=s.session_id))
    vote = record.other_votes[0]
    assert vote.by_hand == [hand_raiser.full_name]


async def test_no_vote_by_hand_in_a_secret_poll_nor_for_who_may_not_vote(client) -> None:
    s, secret = await open_poll_in_session(client, seats=6, present=4, secret=True)
    r = await _record(client, s, secret["id"], s.delegates[0])
    assert r.status_code == 409 and error_code(r) == "secret_poll"
    await close_poll(client, s, secret["id"])
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/polls", headers=s.h(s.chair), json={"title": "Công khai"}
    )
    pid = r.json()["id"]
    await client.post(f"/api/v1/polls/{pid}/open", headers=s.h(s.chair))
    absent = s.delegates[-1]  # not checked in: setup checks in the chair and 3 delegates
    r = await _record(client, s, pid, absent)
    assert r.status_code == 409 and error_code(r) == "not_checked_in"
    await cast(client, s, s.delegates[0], pid, "yes")
    r = await _record(client, s, pid, s.delegates[0])
    assert r.status_code == 409 and error_code(r) == "already_voted"
    r = await _record(client, s, pid, s.delegates[1], "maybe")
    assert r.status_code == 422
    for by in (s.chair, s.delegates[2]):
        r = await _record(client, s, pid, s.delegates[1], by=by)
        assert r.status_code == 403, by.role
    other = await make_council()
    outsider = await make_user("secretariat", other)
    r = await client.post(
        f"/api/v1/polls/{pid}/hand-votes",
        headers=await bearer(outsider),
        json={"user_id": s.delegates[1].id, "choice": "yes"},
    )
    assert r.status_code == 403
    stranger = await make_user("delegate", other)
    r = await _record(client, s, pid, stranger)
    assert r.status_code == 404


async def test_a_delegate_voting_from_a_repaired_device_wins_and_the_entry_is_rejected(
    client,
) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4)
    pid, delegate = poll["id"], s.delegates[0]
    hand = (await _record(client, s, pid, delegate, "no")).json()
    assert (await cast(client, s, delegate, pid, "yes")).status_code == 201
    r = await client.post(f"/api/v1/hand-votes/{hand['id']}/confirm", headers=s.h(s.chair))
    assert r.status_code == 409 and error_code(r) == "already_voted"
    assert (await HandVote.get(id=hand["id"])).status == "pending"
    r = await client.post(f"/api/v1/hand-votes/{hand['id']}/reject", headers=s.h(s.chair))
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    listed = (await client.get(f"/api/v1/polls/{pid}/hand-votes", headers=s.h(s.chair))).json()
    assert [h["status"] for h in listed["items"]] == ["rejected"]
    closed = await close_poll(client, s, pid)
    assert closed["result"]["yes"] == 1 and closed["result"]["no"] == 0


async def test_confirming_while_the_delegate_votes_counts_one_ballot(client) -> None:
    """The confirmation and the delegate's own cast go through the same group commit: whichever
    commits first is the ballot, the other is refused."""
    s, poll = await open_poll_in_session(client, seats=5, present=4)
    pid, delegate = poll["id"], s.delegates[0]
    hand = (await _record(client, s, pid, delegate, "no")).json()
    confirm, own = await asyncio.gather(
        client.post(f"/api/v1/hand-votes/{hand['id']}/confirm", headers=s.h(s.chair)),
        cast(client, s, delegate, pid, "yes"),
    )
    assert sorted([confirm.status_code, own.status_code]) in ([200, 409], [201, 409])
    assert await BallotReceipt.filter(poll_id=pid, user_id=delegate.id).count() == 1
    closed = await close_poll(client, s, pid)
    assert closed["result"]["yes"] + closed["result"]["no"] == 1


async def test_the_chairs_console_hears_of_a_vote_by_hand_live(live_server: str) -> None:
    import httpx

    from tests.meetings.live import connect_tablet

    async with httpx.AsyncClient(base_url=live_server) as http:
        s, poll = await open_poll_in_session(http, seats=5, present=4)
        console = await connect_tablet(live_server, s.chair)
        try:
            await console.call("session:join", {"session_id": s.session_id})
            hand = (await _record(http, s, poll["id"], s.delegates[0])).json()
            assert await console.next("hand_votes:update") == {"poll_id": poll["id"], "pending": 1}
            await http.post(f"/api/v1/hand-votes/{hand['id']}/confirm", headers=s.h(s.chair))
            assert await console.next("hand_votes:update") == {"poll_id": poll["id"], "pending": 0}
        finally:
            await console.sio.disconnect()
