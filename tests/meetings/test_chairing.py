"""The chair's tools: the countdown of a vote, re-votes (biểu quyết lại), speaking time per item,
and closing a vote with its count in the confirmation."""

import io
from datetime import datetime, timedelta

import docx
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry
from meetings.models import Poll
from tests.factories import error_code, htmx, login
from tests.meetings.helpers import (
    cast,
    close_poll,
    open_poll,
    open_poll_in_session,
    setup_running_session,
)


async def test_a_countdown_is_shown_but_only_the_close_ends_the_vote(client) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4, countdown_seconds=60)
    state = (await client.get(f"/api/v1/polls/{poll['id']}", headers=s.h(s.chair))).json()
    assert state["countdown_seconds"] == 60
    opened = datetime.fromisoformat(state["opened_at"])
    assert datetime.fromisoformat(state["deadline"]) == opened + timedelta(seconds=60)
    # Two minutes later the countdown is long over: a ballot still counts until the close.
    await Poll.filter(id=poll["id"]).update(opened_at=opened - timedelta(seconds=120))
    assert (await cast(client, s, s.delegates[0], poll["id"], "yes")).status_code == 201
    closed = await close_poll(client, s, poll["id"])
    assert closed["result"]["yes"] == 1
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/polls",
        headers=s.h(s.chair),
        json={"title": "x", "countdown_seconds": 5},
    )
    assert r.status_code == 422 and "countdown_seconds" in r.json()["error"]["details"]["fields"]


async def test_the_tablet_and_the_hall_carry_the_countdown(client, anon) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4, countdown_seconds=60)
    poll = (await client.get(f"/api/v1/polls/{poll['id']}", headers=s.h(s.chair))).json()
    await login(anon, s.delegates[0])
    r = await anon.get(f"/meetings/sessions/{s.session_id}/fragments/vote", headers=htmx())
    countdown = HTMLParser(r.text).css_first("#vote-panel [data-countdown]")
    assert countdown.attributes["data-up-label"] == "Hết giờ"
    assert countdown.attributes["data-deadline"] == poll["deadline"]
    r = await anon.get(f"/meetings/sessions/{s.session_id}/fragments/hall", headers=htmx())
    assert HTMLParser(r.text).css_first("#hall .hall-countdown [data-countdown]") is not None


async def test_closing_asks_with_the_count_of_who_voted(client) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4)
    await cast(client, s, s.delegates[0], poll["id"], "yes")
    await login(client, s.chair)
    page = HTMLParser((await client.get(f"/meetings/sessions/{s.session_id}/chair")).text)
    form = page.css_first(".live-vote form[action$='/chair/close_poll']")
    assert form.attributes["data-confirm"] == "Kết thúc biểu quyết? 1/4 đã biểu quyết."
    assert "{voted}/{eligible}" in form.attributes["data-confirm-template"]


async def test_a_revote_is_a_new_poll_linked_to_the_first_with_its_reason(
    client, monkeypatch
) -> None:
    from council import realtime

    told: list[tuple[str, dict]] = []
    emit = realtime.emit

    async def recorded(event: str, data, room=None):  # type: ignore[no-untyped-def]
        told.append((event, data))
        await emit(event, data, room)

    monkeypatch.setattr(realtime, "emit", recorded)
    s, poll = await open_poll_in_session(client, seats=5, present=4, countdown_seconds=30)
    for user in (s.chair, s.delegates[0]):
        await cast(client, s, user, poll["id"], "yes")
    url = f"/api/v1/polls/{poll['id']}/revote"
    r = await client.post(url, headers=s.h(s.chair), json={"reason": "Sớm"})
    assert r.status_code == 409 and error_code(r) == "poll_not_closed"
    await close_poll(client, s, poll["id"])
    r = await client.post(url, headers=s.h(s.delegates[0]), json={"reason": "x"})
    assert r.status_code == 403
    r = await client.post(url, headers=s.h(s.chair), json={"reason": ""})
    assert r.status_code == 422
    reason = "Hệ thống ghi nhận sai do mất kết nối ở hàng ghế cuối"
    r = await client.post(url, headers=s.h(s.chair), json={"reason": reason})
    assert r.status_code == 201, r.text
    again = r.json()
    assert (again["status"], again["revote_of"], again["revote_reason"]) == (
        "draft",
        poll["id"],
        reason,
    )
    assert (again["title"], again["kind"], again["countdown_seconds"]) == (
        poll["title"],
        "motion",
        30,
    )
    opened = await open_poll(client, s, again["id"])
    assert opened.status_code == 200
    # What the opening tells (as poll:opened does) names the first vote and the reason.
    assert (opened.json()["revote_of"], opened.json()["revote_reason"]) == (poll["id"], reason)
    sent = [d["poll"] for e, d in told if e == "poll:opened" and d["poll"]["id"] == again["id"]]
    assert [(p["revote_of"], p["revote_reason"]) for p in sent] == [(poll["id"], reason)]
    for user in (s.chair, *s.delegates[:3]):
        assert (await cast(client, s, user, again["id"], "yes")).status_code == 201
    await close_poll(client, s, again["id"])
    first = (await client.get(f"/api/v1/polls/{poll['id']}", headers=s.h(s.chair))).json()
    assert first["result"]["yes"] == 2  # the first vote keeps its result
    entry = await AuditEntry.get(operation="poll.revote")
    assert entry.details == {"revote_of": poll["id"], "reason": reason}
    await client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
    r = await client.get(f"/api/v1/sessions/{s.session_id}/minutes.docx", headers=s.h(s.chair))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert text.count(f"Biểu quyết: {poll['title']}") == 2
    assert "biểu quyết lại" in text and f"Lý do: {reason}" in text
    assert "2/5 đại biểu tán thành" in text and "4/5 đại biểu tán thành" in text


async def test_an_items_speaking_time_overrides_the_sessions(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    await client.patch(
        f"/api/v1/items/{s.items[1]}", headers=s.h(s.secretariat), json={"speaking_seconds": 120}
    )
    await client.patch(
        f"/api/v1/sessions/{s.session_id}", headers=s.h(s.chair), json={"speaking_seconds": 240}
    )
    await client.post(
        f"/api/v1/sessions/{s.session_id}/current",
        headers=s.h(s.chair),
        json={"item_id": s.items[1]},
    )
    r = await client.post(f"/api/v1/sessions/{s.session_id}/speakers", headers=s.h(s.delegates[0]))
    assert r.json()["queue"][0]["limit_seconds"] == 120
    await client.post(
        f"/api/v1/sessions/{s.session_id}/current",
        headers=s.h(s.chair),
        json={"item_id": s.items[0]},
    )
    r = await client.post(f"/api/v1/sessions/{s.session_id}/speakers", headers=s.h(s.delegates[1]))
    limits = {row["user_id"]: row["limit_seconds"] for row in r.json()["queue"]}
    assert limits == {s.delegates[0].id: 120, s.delegates[1].id: 240}
    request_id = r.json()["queue"][0]["id"]
    await client.post(f"/api/v1/speakers/{request_id}/floor", headers=s.h(s.chair))
    await login(client, s.chair)
    page = HTMLParser((await client.get(f"/meetings/sessions/{s.session_id}/chair")).text)
    timer = page.css_first("#chair-live .queue [data-timer]")
    # The floor is given on the current item (the first): the session's time applies.
    assert timer.attributes["data-limit"] == "240"
    assert timer.attributes["data-over-label"] == "Quá giờ"
    r = await client.patch(
        f"/api/v1/items/{s.items[0]}", headers=s.h(s.chair), json={"speaking_seconds": 5}
    )
    assert r.status_code == 422


async def test_the_consoles_forms_record_confirm_and_revote(client, anon) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4)
    await login(anon, s.secretariat)
    r = await anon.post(
        f"/meetings/polls/{poll['id']}/hand-votes",
        data={"user_id": str(s.delegates[0].id), "choice": "abstain"},
        headers=htmx(),
    )
    assert r.status_code == 200
    pending = HTMLParser(r.text).css_first("#chair-live .hand-vote")
    assert s.delegates[0].full_name in pending.text() and "Không biểu quyết" in pending.text()
    assert pending.css_first("form[action$='/confirm']") is None  # the chair's to confirm
    hand_id = pending.attributes["id"].split("-")[-1]
    await login(client, s.chair)
    page = HTMLParser((await client.get(f"/meetings/sessions/{s.session_id}/chair")).text)
    assert page.css_first(f"#hand-vote-{hand_id} form[action$='/confirm']") is not None
    assert page.css_first("#hand-record") is None  # the secretariat's to enter
    r = await client.post(f"/meetings/hand-votes/{hand_id}/confirm", headers=htmx())
    assert r.status_code == 200 and HTMLParser(r.text).css_first(".hand-vote") is None
    r = await client.post(
        f"/meetings/sessions/{s.session_id}/chair/close_poll",
        data={"poll_id": str(poll["id"])},
        headers=htmx(),
    )
    assert f"revote-{poll['id']}" in r.text
    r = await client.post(
        f"/meetings/polls/{poll['id']}/revote", data={"reason": "Kết quả chưa rõ"}, headers=htmx()
    )
    html = HTMLParser(r.text)
    assert [n.text() for n in html.css("#chair-live .revote")] == [
        "Biểu quyết lại: Kết quả chưa rõ"
    ]
    r = await client.post(
        f"/meetings/polls/{poll['id']}/revote", data={"reason": ""}, headers=htmx()
    )
    assert HTMLParser(r.text).css_first("#chair-live .alert") is not None


async def test_the_console_separates_a_votes_wording_from_its_count_and_explains_apart(
    client,
) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4, countdown_seconds=60)
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/items",
        headers=s.h(s.secretariat),
        json={"title": "Chất vấn và trả lời chất vấn", "kind": "questioning"},
    )
    questioning = r.json()["id"]
    await login(client, s.chair)
    page = HTMLParser((await client.get(f"/meetings/sessions/{s.session_id}/chair")).text)
    row = next(li for li in page.css(".polls > li") if li.css_first(".progress") is not None)
    text = " ".join(row.text().split())
    assert "đếm ngược 60 giây · 0/4 đã biểu quyết" in text, text
    # The disabled move to the questioning: its reason is a line of its own, not in the form.
    button = page.css_first(f"form[action$='/chair/current'] input[value='{questioning}']").parent
    assert button.css_first("button[disabled]") is not None
    assert button.css_first(".move-wait") is None
    note = page.css_first(f"#move-wait-{questioning}")
    assert note.tag == "p" and note.parent.tag == "li"
