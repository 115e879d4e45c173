"""A vote during the live questioning: the floor waits for its close (HTTP, Socket.IO and the
pages' buttons), the hall shows the vote and then its result, and the questioning panel comes back
with the next turn; the chair's conclusion is shown on the hall until the next turn or item."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.errors import Conflict
from council.models import Council
from meetings import services as meetings
from meetings.models import Session
from meetings.services import sessions as meeting_sessions
from questioning.models import QuestionTurn
from tests.factories import error_code, login
from tests.meetings.helpers import pause_poll_openings
from tests.meetings.live import connect_tablet
from tests.questioning.helpers import World, call, ok, setup_world, start_questioning_item
from tests.questioning.test_live_questioning import _fixed_round


async def _sitting_with_quorum(client) -> tuple[World, int, int, int]:
    """A started sitting on its questioning item, its groups fixed, with quorum (3 seats, the
    chair and a delegate present): (world, form, group, questioning item)."""
    w = await setup_world()
    form_id, group_id = await _fixed_round(client, w)
    await Council.filter(id=w.council.id).update(seats=3)
    item = await start_questioning_item(w)
    for user in (w.chair, w.delegate):
        await meetings.attendance_check_in(user, w.session_id)
    return w, form_id, group_id, item


async def _open_vote(w: World, item: int | None) -> int:
    poll = await meetings.poll_create(
        w.chair, w.session_id, title="Thông qua nghị quyết chất vấn", item_id=item
    )
    await meetings.poll_open(w.chair, poll.id)
    return poll.id


async def _step(client, w: World, step: str, **body: Any) -> Any:
    return await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/live/{step}",
        json={"session_id": w.session_id, **body},
    )


async def _hall(client, w: World) -> tuple[str, HTMLParser]:
    """What the hall shows: its own state, and the questioning panel's markup."""
    sid = w.session_id
    hall = HTMLParser((await client.get(f"/meetings/sessions/{sid}/fragments/hall?view=hall")).text)
    panel = HTMLParser(
        (await client.get(f"/meetings/sessions/{sid}/fragments/questioning?view=hall")).text
    )
    return hall.css_first("#hall").attributes["data-state"], panel


async def test_a_vote_holds_the_floor_and_the_hall(client, live_server) -> None:
    w, form_id, group_id, item = await _sitting_with_quorum(client)
    sid = w.session_id
    await _step(client, w, "call", form_id=form_id)
    await login(client, w.delegate)
    state, panel = await _hall(client, w)
    assert panel.css_first("#q-live .q-speaker").text() == w.delegate.full_name

    poll_id = await _open_vote(w, item)
    # The hall shows the vote: the questioning panel gives way (an empty, hidden placeholder).
    state, panel = await _hall(client, w)
    assert state == "vote"
    assert panel.css_first("#q-live") is None
    assert "hidden" in panel.css_first("[data-fragment=questioning]").attributes
    # The delegate's tablet points at the ballot from the questioning panel.
    r = await client.get(f"/meetings/sessions/{sid}/fragments/questioning?view=tablet")
    link = HTMLParser(r.text).css_first("#q-vote-open a[href='#vote-panel']")
    assert link is not None

    # No turn while the vote is open: HTTP, Socket.IO, and the chair's buttons.
    r = await call(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{sid}/live/answer",
        json={"session_id": sid, "form_id": form_id},
    )
    assert r.status_code == 409 and error_code(r) == "poll_open"
    assert "Thông qua nghị quyết chất vấn" in r.json()["error"]["message"]
    console = await connect_tablet(live_server, w.chair)
    try:
        ack = await console.call("questioning:answer", {"session_id": sid, "form_id": form_id})
        assert not ack["ok"] and ack["error"]["code"] == "poll_open"
    finally:
        await console.sio.disconnect()
    live = await ok(client, w.chair, "GET", f"/api/v1/questioning/sessions/{sid}/live")
    assert live["turn"]["phase"] == "asking"  # the asking turn is still the one on record

    await login(client, w.chair)
    chair = HTMLParser(
        (await client.get(f"/meetings/sessions/{sid}/fragments/questioning?view=chair")).text
    )
    buttons = chair.css(f"#q-live button[data-form='{form_id}']")
    assert buttons and all("disabled" in b.attributes for b in buttons)
    assert chair.css_first("#q-vote-open") is not None
    page = HTMLParser((await client.get(f"/questioning/sessions/{sid}")).text)
    buttons = page.css(f"#live button[data-form='{form_id}']")
    assert buttons and all("disabled" in b.attributes for b in buttons)
    assert page.css_first("#live #q-vote-open") is not None

    # The close: the hall shows the result, still over the questioning.
    await meetings.poll_close(w.chair, poll_id)
    state, panel = await _hall(client, w)
    assert state == "result" and panel.css_first("#q-live") is None
    chair = HTMLParser(
        (await client.get(f"/meetings/sessions/{sid}/fragments/questioning?view=chair")).text
    )
    assert chair.css_first("#q-vote-open") is None
    assert "disabled" not in chair.css_first(f"button[data-form='{form_id}']").attributes

    # The next turn brings the questioning back to the hall.
    await _step(client, w, "answer", form_id=form_id)
    state, panel = await _hall(client, w)
    assert panel.css_first("#q-live .q-phase").attributes["data-phase"] == "answering"

    # The chair's conclusion shows on the hall until the next turn.
    await _step(client, w, "conclude", group_id=group_id, text="Đề nghị Sở hoàn thành trong quý I.")
    state, panel = await _hall(client, w)
    assert panel.css_first("#q-hall-conclusion").text() == "Đề nghị Sở hoàn thành trong quý I."
    await _step(client, w, "followup", form_id=form_id)
    state, panel = await _hall(client, w)
    assert panel.css_first("#q-hall-conclusion") is None
    assert panel.css_first("#q-live .q-phase").attributes["data-phase"] == "followup"


async def test_the_conclusion_leaves_the_hall_with_the_item(client) -> None:
    w, form_id, group_id, item = await _sitting_with_quorum(client)
    other = await meeting_sessions.item_create(w.secretariat, w.session_id, title="Bế mạc")
    await _step(client, w, "call", form_id=form_id)
    await _step(client, w, "conclude", group_id=group_id, text="Kết luận của chủ tọa.")
    await login(client, w.delegate)
    _state, panel = await _hall(client, w)
    assert panel.css_first("#q-hall-conclusion").text() == "Kết luận của chủ tọa."
    # A vote hides it; its result stays; the conclusion does not come back after it.
    poll_id = await _open_vote(w, item)
    assert (await _hall(client, w))[1].css_first("#q-live") is None
    await meetings.poll_close(w.chair, poll_id)
    state, panel = await _hall(client, w)
    assert state == "result" and panel.css_first("#q-live") is None
    # Another item, then the questioning again: the old conclusion is not shown.
    await meeting_sessions.session_set_current(w.chair, w.session_id, other.id)
    await meeting_sessions.session_set_current(w.chair, w.session_id, item)
    state, panel = await _hall(client, w)
    assert state == "item" and panel.css_first("#q-live") is None


async def test_no_turn_on_the_questioning_page_while_a_vote_is_open(client) -> None:
    """The plain form (no htmx) is refused too, with the reason on the page."""
    w, form_id, _group_id, item = await _sitting_with_quorum(client)
    await _open_vote(w, item)
    await login(client, w.chair)
    r = await client.post(
        f"/questioning/sessions/{w.session_id}/live/call", data={"form_id": str(form_id)}
    )
    assert r.status_code == 409
    assert "Thông qua nghị quyết chất vấn" in HTMLParser(r.text).css_first(".alert-error").text()


async def test_a_turn_given_while_a_vote_opens_is_refused(client, monkeypatch) -> None:
    """A turn asked for while a vote is opening waits for it, then is refused (409 poll_open):
    never a vote open and someone given the floor at once."""
    w, form_id, _group_id, item = await _sitting_with_quorum(client)
    poll = await meetings.poll_create(w.chair, w.session_id, title="Biểu quyết giữa chừng")
    there = pause_poll_openings(monkeypatch, 0.5)
    opening = asyncio.create_task(meetings.poll_open(w.chair, poll.id))
    await there.wait()
    r = await call(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/live/call",
        json={"session_id": w.session_id, "form_id": form_id},
    )
    await opening
    assert r.status_code == 409, r.text
    assert error_code(r) == "poll_open"
    assert not await QuestionTurn.filter(session_id=w.session_id).exists()


async def test_moving_to_the_questioning_while_a_vote_opens_is_refused(client, monkeypatch) -> None:
    """The move to the questioning item waits for a vote opening, then is refused."""
    w, _form_id, _group_id, item = await _sitting_with_quorum(client)
    other = await meeting_sessions.item_create(w.secretariat, w.session_id, title="Khác")
    await meeting_sessions.session_set_current(w.chair, w.session_id, other.id)
    poll = await meetings.poll_create(w.chair, w.session_id, title="Biểu quyết giữa chừng")
    there = pause_poll_openings(monkeypatch, 0.5)
    opening = asyncio.create_task(meetings.poll_open(w.chair, poll.id))
    await there.wait()
    with pytest.raises(Conflict) as refused:
        await meeting_sessions.session_set_current(w.chair, w.session_id, item)
    await opening
    assert refused.value.code == "poll_open"
    assert (await Session.get(id=w.session_id)).current_item_id == other.id


async def test_concluding_a_group_during_a_vote_is_allowed_and_leaves_the_vote_alone(
    client,
) -> None:
    """Unlike a turn, the chair's conclusion gives nobody the floor: it may be recorded while
    the delegates vote (a secretary types what the chair said). It ends the turn the vote had
    suspended and records the text; the vote stays open with its ballots, the hall keeps showing
    it, the delegates still vote, and its result counts every ballot."""
    w, form_id, group_id, item = await _sitting_with_quorum(client)
    sid = w.session_id
    await _step(client, w, "call", form_id=form_id)
    poll_id = await _open_vote(w, item)
    await ok(client, w.delegate, "POST", f"/api/v1/polls/{poll_id}/ballots", json={"choice": "yes"})
    before = await ok(client, w.chair, "GET", f"/api/v1/polls/{poll_id}")
    assert (before["status"], before["voted"]) == ("open", 1)

    concluded = await _step(client, w, "conclude", group_id=group_id, text="Kết luận giữa phiên.")
    assert concluded["turn"] is None
    assert concluded["concluded"] == {"group_id": group_id, "text": "Kết luận giữa phiên."}
    assert not await QuestionTurn.filter(session_id=sid, ended_at=None).exists()
    after = await ok(client, w.chair, "GET", f"/api/v1/polls/{poll_id}")
    assert {k: after[k] for k in ("status", "voted", "eligible")} == {
        k: before[k] for k in ("status", "voted", "eligible")
    }
    await login(client, w.delegate)
    state, panel = await _hall(client, w)
    assert state == "vote" and panel.css_first("#q-live") is None

    await ok(client, w.chair, "POST", f"/api/v1/polls/{poll_id}/ballots", json={"choice": "no"})
    await meetings.poll_close(w.chair, poll_id)
    result = (await ok(client, w.chair, "GET", f"/api/v1/polls/{poll_id}"))["result"]
    assert (result["yes"], result["no"], result["not_voted"]) == (1, 1, 1)
    state, _panel = await _hall(client, w)
    assert state == "result"  # the result, fresher than the conclusion, holds the hall


@pytest.mark.parametrize("how", ["vote", "chair"])
async def test_leaving_the_questioning_ends_the_turn_left_open(client, live_server, how) -> None:
    """A vote of another item opened during a turn (it moves the sitting to its item), or the
    chair moving on: the turn ends at that moment, and coming back shows no turn running."""
    w, form_id, _group_id, item = await _sitting_with_quorum(client)
    sid = w.session_id
    await _step(client, w, "call", form_id=form_id)
    other = await meeting_sessions.item_create(
        w.secretariat, sid, title="Dự thảo nghị quyết", kind="draft_resolution"
    )
    poll_id = None
    if how == "vote":
        poll_id = await _open_vote(w, other.id)
    else:
        await meeting_sessions.session_set_current(w.chair, sid, other.id)
    session = await Session.get(id=sid)
    assert session.current_item_id == other.id
    turn = await QuestionTurn.filter(session_id=sid).order_by("-id").first()
    assert turn is not None and turn.ended_at == session.current_item_at
    if poll_id is not None:
        await meetings.poll_close(w.chair, poll_id)
    await meeting_sessions.session_set_current(w.chair, sid, item)
    live = await ok(client, w.chair, "GET", f"/api/v1/questioning/sessions/{sid}/live")
    assert live.get("turn") is None
