"""A closed sitting (họp kín) on the public portal: that it sat, never its agenda, papers, named
votes or minutes; the delegates' public activity records leave its votes out too."""

from __future__ import annotations

from typing import Any

from tests.html import has
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


async def _named_vote_sitting(client: Any, title: str) -> tuple[Any, int]:
    s = await setup_council(seats=7, delegates=6)
    sid = await create_session(client, s, title=title)
    await add_agenda(client, s)
    await start_session(client, s)
    await check_in(client, s, [s.chair, *s.delegates])
    poll = await create_poll(client, s)
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    assert (await cast(client, s, s.delegates[0], poll["id"], "no")).status_code == 201
    await close_poll(client, s, poll["id"])
    r = await client.post(f"/api/v1/sessions/{sid}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    return s, sid


async def test_a_closed_sittings_record_is_not_public(client: Any, anon: Any) -> None:
    s, sid = await _named_vote_sitting(client, "Họp kín về công tác cán bộ")
    r = await anon.get(f"/api/v1/public/sessions/{sid}")
    assert r.status_code == 200 and s.delegates[0].full_name in r.text  # open: named votes shown
    r = await client.put(
        f"/api/v1/sessions/{sid}/closed-sitting",
        headers=s.h(s.chair),
        json={"closed_sitting": True},
    )
    assert r.status_code == 200, r.text
    r = await anon.get(f"/api/v1/public/sessions/{sid}")
    body = r.json()
    assert r.status_code == 200 and body["session"]["closed_sitting"] is True
    assert (body["items"], body["documents"], body["polls"], body["minutes"]) == ([], [], [], None)
    assert s.delegates[0].full_name not in r.text
    page = await anon.get(f"/public/sessions/{sid}")
    assert page.status_code == 200 and has(page.text, "#closed-sitting")
    assert s.delegates[0].full_name not in page.text
