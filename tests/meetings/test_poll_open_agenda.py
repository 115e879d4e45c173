"""poll.open of another agenda item than the current one: the sitting moves to the poll's item in
the same transaction (audited), and ``agenda:current`` goes out before ``poll:opened``; never into
the questioning."""

from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry
from meetings.models import Poll, Session
from tests.factories import error_code, htmx, login
from tests.meetings.helpers import (
    Sitting,
    close_poll,
    create_poll,
    open_poll,
    setup_running_session,
)


def record_events(monkeypatch: Any) -> list[tuple[str, dict[str, Any]]]:
    from council import realtime

    told: list[tuple[str, dict[str, Any]]] = []
    emit = realtime.emit

    async def recorded(event: str, data, room=None):  # type: ignore[no-untyped-def]
        told.append((event, data))
        await emit(event, data, room)

    monkeypatch.setattr(realtime, "emit", recorded)
    return told


async def set_current(client, s: Sitting, item_id: int) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/current",
        headers=s.h(s.chair),
        json={"item_id": item_id},
    )
    assert r.status_code == 200, r.text


async def current_of(s: Sitting) -> int | None:
    return (await Session.get(id=s.session_id)).current_item_id


async def test_opening_a_vote_of_another_item_moves_the_sitting_to_it(
    client, anon, monkeypatch
) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    first, _, resolution, _ = s.items
    await set_current(client, s, first)
    poll = await create_poll(client, s, item_id=resolution)
    told = record_events(monkeypatch)
    r = await open_poll(client, s, poll["id"])
    assert r.status_code == 200, r.text
    assert await current_of(s) == resolution
    events = [(e, d) for e, d in told if e in ("agenda:current", "poll:opened")]
    assert [e for e, _ in events] == ["agenda:current", "poll:opened"]
    assert events[0][1]["item"]["id"] == resolution
    entry = await AuditEntry.filter(operation="session.set_current").order_by("-id").first()
    assert entry is not None
    assert entry.details == {"item_id": resolution, "by": "poll.open", "poll_id": poll["id"]}
    # The hall shows the poll's item above its vote.
    await login(anon, s.chair)
    r = await anon.get(f"/meetings/sessions/{s.session_id}/fragments/hall", headers=htmx())
    hall = HTMLParser(r.text)
    assert (
        hall.css_first("#hall .hall-item")
        .text()
        .endswith("Dự thảo Nghị quyết về dự toán ngân sách")
    )
    assert hall.css_first("#hall .hall-vote .poll-title").text() == poll["title"]


async def test_a_vote_of_the_current_item_or_of_none_leaves_the_agenda(client, monkeypatch) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    first = s.items[0]
    await set_current(client, s, first)
    told = record_events(monkeypatch)
    for fields in ({"item_id": first}, {}):
        poll = await create_poll(client, s, **fields)
        assert (await open_poll(client, s, poll["id"])).status_code == 200
        await close_poll(client, s, poll["id"])
    assert await current_of(s) == first
    assert [e for e, _ in told if e == "agenda:current"] == []
    assert await AuditEntry.filter(operation="session.set_current").count() == 1  # the chair's


async def test_the_open_keeps_its_refusals_and_moves_nothing_when_refused(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    first, second, resolution, _ = s.items
    await set_current(client, s, first)
    open_one = await create_poll(client, s, item_id=second)
    assert (await open_poll(client, s, open_one["id"])).status_code == 200
    assert await current_of(s) == second
    other = await create_poll(client, s, item_id=resolution)
    r = await open_poll(client, s, other["id"])
    assert (r.status_code, error_code(r)) == (409, "poll_already_open")
    assert await current_of(s) == second
    assert (await Poll.get(id=other["id"])).status == "draft"


async def test_a_vote_of_the_questioning_does_not_move_the_sitting_into_it(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/items",
        headers=s.h(s.secretariat),
        json={"title": "Chất vấn và trả lời chất vấn", "kind": "questioning"},
    )
    assert r.status_code == 201, r.text
    questioning = r.json()["id"]
    await set_current(client, s, s.items[0])
    poll = await create_poll(client, s, item_id=questioning)
    before = await AuditEntry.all().count()
    r = await open_poll(client, s, poll["id"])
    assert (r.status_code, error_code(r)) == (409, "poll_item_not_current")
    assert "Chất vấn và trả lời chất vấn" in r.json()["error"]["message"]
    assert await current_of(s) == s.items[0]
    assert (await Poll.get(id=poll["id"])).status == "draft"
    assert await AuditEntry.all().count() == before
    # Once the chair has moved to the questioning, its vote opens there.
    await set_current(client, s, questioning)
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    assert await current_of(s) == questioning
