"""Live sitting over a real uvicorn with real python-socketio clients (CONTRACT "Socket.IO")."""

import asyncio
from typing import Any

import httpx
import pytest
import socketio

from tests.factories import make_council, make_user
from tests.meetings.helpers import (
    add_agenda,
    close_poll,
    create_session,
    open_poll_in_session,
    setup_council,
    start_session,
)
from tests.meetings.live import Tablet, connect_tablet


@pytest.fixture
async def http(live_server: str):
    async with httpx.AsyncClient(base_url=live_server) as c:
        yield c


async def test_live_following_voting_speakers_and_reconnect(live_server: str, http) -> None:
    s = await setup_council(seats=5, delegates=4)
    await create_session(http, s)
    items = await add_agenda(http, s)
    await start_session(http, s)

    delegate, other = s.delegates[0], s.delegates[1]
    tablet = await connect_tablet(live_server, delegate)
    hall = await connect_tablet(live_server, s.secretariat)
    ack = await tablet.call("session:join", {"session_id": s.session_id})
    assert ack["ok"] is True
    assert ack["session"]["id"] == s.session_id and ack["session"]["status"] == "in_progress"
    assert ack["current_item"] is None and ack["poll"] is None and ack["speakers"] == []
    assert ack["attendance"]["present"] == 0 and ack["attendance"]["checked_in"] is False
    assert (await hall.call("session:join", {"session_id": s.session_id}))["ok"] is True

    # The chair moves the agenda: every tablet follows.
    r = await http.post(
        f"/api/v1/sessions/{s.session_id}/current", headers=s.h(s.chair), json={"item_id": items[1]}
    )
    assert r.status_code == 200
    for client in (tablet, hall):
        event = await client.next("agenda:current")
        assert event["session_id"] == s.session_id and event["item"]["id"] == items[1]

    # Attendance updates reach every screen.
    for user in (delegate, other, s.chair, s.delegates[2]):
        await http.post(f"/api/v1/sessions/{s.session_id}/attendance", headers=s.h(user), json={})
    last = None
    for _ in range(4):
        last = await hall.next("attendance:update")
    assert last == {
        "session_id": s.session_id,
        "present": 4,
        "seats": 5,
        "quorum": 4,
        "quorum_met": True,
    }

    # Poll opened → cast over the socket → progress → a retried cast is already_voted.
    r = await http.post(
        f"/api/v1/sessions/{s.session_id}/polls",
        headers=s.h(s.chair),
        json={"title": "Thông qua", "kind": "motion", "secret": True, "rule": "majority_of_seats"},
    )
    poll_id = r.json()["id"]
    await http.post(f"/api/v1/polls/{poll_id}/open", headers=s.h(s.chair))
    opened = await tablet.next("poll:opened")
    assert opened["poll"]["id"] == poll_id and opened["poll"]["status"] == "open"
    ack = await tablet.call("ballot:cast", {"poll_id": poll_id, "choice": "yes"})
    assert ack == {"ok": True, "recorded": True}
    progress = await hall.next("poll:progress")
    assert progress == {"poll_id": poll_id, "voted": 1, "eligible": 4}
    again = await tablet.call("ballot:cast", {"poll_id": poll_id, "choice": "no"})
    assert again["ok"] is False and again["error"]["code"] == "already_voted"
    bad = await tablet.call("ballot:cast", {"poll_id": poll_id})
    assert bad["ok"] is False

    # Speaker queue.
    ack = await tablet.call("speaker:request", {"session_id": s.session_id})
    assert ack["ok"] is True
    queue = (await hall.next("speakers:update"))["queue"]
    assert [(q["user_id"], q["status"]) for q in queue] == [(delegate.id, "waiting")]
    assert (await tablet.call("speaker:request", {"session_id": s.session_id}))["error"][
        "code"
    ] == "already_requested"
    assert (await tablet.call("speaker:withdraw", {"session_id": s.session_id}))["ok"] is True
    assert (await hall.next("speakers:update"))["queue"] == []
    assert (await tablet.call("speaker:withdraw", {"session_id": s.session_id}))["error"][
        "code"
    ] == "no_request"

    # Network drop: the tablet reconnects, joins again and gets the true state at once.
    await tablet.sio.disconnect()
    await http.post(
        f"/api/v1/sessions/{s.session_id}/current", headers=s.h(s.chair), json={"item_id": items[2]}
    )
    tablet = await connect_tablet(live_server, delegate)
    ack = await tablet.call("session:join", {"session_id": s.session_id})
    assert ack["current_item"]["id"] == items[2]
    assert (
        ack["poll"]["id"] == poll_id
        and ack["poll"]["has_voted"] is True
        and ack["poll"]["voted"] == 1
    )
    assert ack["attendance"]["checked_in"] is True

    # The other delegate votes over HTTP; the close reaches every tablet with the result.
    await http.post(f"/api/v1/polls/{poll_id}/ballots", headers=s.h(other), json={"choice": "no"})
    await http.post(f"/api/v1/polls/{poll_id}/close", headers=s.h(s.chair))
    closed = await tablet.next("poll:closed")
    assert closed["poll_id"] == poll_id
    assert {
        k: closed["result"][k] for k in ("yes", "no", "abstain", "seats", "required", "passed")
    } == {"yes": 1, "no": 1, "abstain": 0, "seats": 5, "required": 3, "passed": False}
    assert "ballots" not in closed["result"]
    await tablet.sio.disconnect()
    await hall.sio.disconnect()


async def test_connection_and_join_are_refused_without_rights(live_server: str, http) -> None:
    s = await setup_council(seats=5, delegates=2)
    await create_session(http, s)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio = socketio.AsyncClient(reconnection=False)
        await sio.connect(live_server, transports=["websocket"])
    outsider = await make_user("delegate", await make_council())
    tablet = await connect_tablet(live_server, outsider)
    ack = await tablet.call("session:join", {"session_id": s.session_id})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    citizen = await connect_tablet(live_server, await make_user("citizen"))
    assert (await citizen.call("session:join", {"session_id": s.session_id}))["ok"] is False
    # A draft session is hidden from delegates of the same council.
    own = await connect_tablet(live_server, s.delegates[0])
    ack = await own.call("session:join", {"session_id": s.session_id})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    for t in (tablet, citizen, own):
        await t.sio.disconnect()


async def test_an_unknown_session_or_poll_is_not_found_over_socketio(
    live_server: str, http
) -> None:
    """As over HTTP: a target that does not exist is not_found, not forbidden as if it were
    another council's (ballot:cast resolves from the poll cache, a query only on a miss)."""
    s = await setup_council(seats=5, delegates=2)
    tablet = await connect_tablet(live_server, s.delegates[0])
    for event, data in [
        ("session:join", {"session_id": 2**31 - 1}),
        ("speaker:request", {"session_id": 2**31 - 1}),
        ("ballot:cast", {"poll_id": 2**31 - 1, "choice": "yes"}),
    ]:
        ack = await tablet.call(event, data)
        assert ack["ok"] is False and ack["error"]["code"] == "not_found", (event, ack)
    ack = await tablet.call("session:join", {"session_id": 2**70})
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    await tablet.sio.disconnect()


async def test_socket_casts_racing_the_close_are_each_acked_as_stored(
    live_server: str, http
) -> None:
    """Acks of ``ballot:cast`` are sent by the group commit's writer (after the handler returned):
    with casts racing the close over real sockets, every tablet gets one ack, ``recorded`` exactly
    for the ballots the closed poll counts, ``poll_not_open`` for the others, and a delegate who
    was not checked in is refused in the batch, in the connection's language."""
    s, poll = await open_poll_in_session(http, seats=12, present=10)
    voters = s.delegates[:9]  # checked in (with the chair)
    tablets = [await connect_tablet(live_server, user) for user in voters]
    late = await connect_tablet(live_server, s.delegates[9])  # never checked in
    try:
        absent = await late.call("ballot:cast", {"poll_id": poll["id"], "choice": "yes"})
        assert absent["ok"] is False and absent["error"]["code"] == "not_checked_in"
        assert absent["error"]["message"] == "Hãy điểm danh trước khi biểu quyết."

        async def cast(tablet: Tablet, delay: float) -> dict[str, Any]:
            await asyncio.sleep(delay)
            return await tablet.call("ballot:cast", {"poll_id": poll["id"], "choice": "yes"})

        async def close(delay: float) -> dict[str, Any]:
            await asyncio.sleep(delay)
            return await close_poll(http, s, poll["id"])

        *acks, closed = await asyncio.gather(
            *(cast(t, 0.004 * i) for i, t in enumerate(tablets)), close(0.015)
        )
        # Casts queued behind the close are refused; the rest recorded, each answered once.
        codes = [a.get("recorded") and "recorded" or a["error"]["code"] for a in acks]
        assert set(codes) <= {"recorded", "poll_not_open"}
        recorded = codes.count("recorded")
        assert closed["voted"] == recorded == closed["result"]["yes"]
        again = await tablets[0].call("ballot:cast", {"poll_id": poll["id"], "choice": "no"})
        assert again["ok"] is False and again["error"]["code"] in ("already_voted", "poll_not_open")
    finally:
        for t in (*tablets, late):
            await t.sio.disconnect()
