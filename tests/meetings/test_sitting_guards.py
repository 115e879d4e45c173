"""What a council's staff will not accept in a live sitting: two sittings of one council in
progress at once, and moving to the questioning while the delegates are voting."""

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from meetings.models import Session
from tests.factories import error_code, htmx, login
from tests.meetings.helpers import (
    close_poll,
    create_session,
    open_poll_in_session,
    setup_council,
    start_session,
)


async def _two_sessions(client) -> tuple:
    s = await setup_council(seats=5, delegates=4)
    first = await create_session(client, s, title="Kỳ họp thứ 5")
    second = await create_session(client, s, title="Kỳ họp chuyên đề")
    return s, first, second


async def test_a_council_sits_once_at_a_time(client) -> None:
    s, first, second = await _two_sessions(client)
    s.session_id = first
    await start_session(client, s)

    r = await client.post(f"/api/v1/sessions/{second}/start", headers=s.h(s.chair))
    assert r.status_code == 409 and error_code(r) == "another_sitting_in_progress"
    error = r.json()["error"]
    assert error["details"] == {"session_id": first, "title": "Kỳ họp thứ 5"}
    assert "Kỳ họp thứ 5" in error["message"] and error["message"] == (
        "Kỳ họp “Kỳ họp thứ 5” của Hội đồng đang diễn ra: hãy bế mạc kỳ họp đó trước khi bắt đầu "
        "kỳ họp khác."
    )
    r = await client.post(f"/api/v1/sessions/{second}/start?lang=en", headers=s.h(s.secretariat))
    assert r.status_code == 409
    assert r.json()["error"]["message"] == (
        "The sitting “Kỳ họp thứ 5” of this council is in progress: close it before starting "
        "another."
    )
    assert (await Session.get(id=second)).status == "draft"

    # Another council sits at the same time.
    other = await setup_council(seats=5, delegates=4)
    await create_session(client, other)
    await start_session(client, other)

    # Once the first is closed, the second starts.
    r = await client.post(f"/api/v1/sessions/{first}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/sessions/{second}/start", headers=s.h(s.chair))
    assert r.status_code == 200 and r.json()["status"] == "in_progress"


async def test_the_chair_console_names_the_sitting_in_progress(client) -> None:
    s, first, second = await _two_sessions(client)
    s.session_id = first
    await start_session(client, s)
    await login(client, s.chair)
    r = await client.post(f"/meetings/sessions/{second}/chair/start", headers=htmx())
    assert r.status_code == 409
    alert = HTMLParser(r.text).css_first(".alert-error")
    assert alert.attributes["data-error-code"] == "another_sitting_in_progress"
    assert "Kỳ họp thứ 5" in alert.text()
    page = HTMLParser((await client.get(f"/meetings/sessions/{second}/chair")).text)
    assert page.css_first("#start-session") is not None  # still not started: the button stays


async def _questioning_item(client, s) -> int:
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/items",
        headers=s.h(s.secretariat),
        json={"title": "Chất vấn và trả lời chất vấn", "kind": "questioning"},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def test_no_move_to_the_questioning_while_a_vote_is_open(client) -> None:
    s, poll = await open_poll_in_session(client, seats=5, present=4, title="Thông qua tờ trình")
    item = await _questioning_item(client, s)
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/current", headers=s.h(s.chair), json={"item_id": item}
    )
    assert r.status_code == 409 and error_code(r) == "poll_open"
    assert "Thông qua tờ trình" in r.json()["error"]["message"]
    assert r.json()["error"]["details"] == {"poll_id": poll["id"]}
    assert (await Session.get(id=s.session_id)).current_item_id != item
    # Another item is fine: the vote may belong to it.
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/current",
        headers=s.h(s.chair),
        json={"item_id": s.items[1]},
    )
    assert r.status_code == 200

    # The console's button waits for the close, and says why.
    await login(client, s.chair)
    page = HTMLParser((await client.get(f"/meetings/sessions/{s.session_id}/chair")).text)
    button = page.css_first(f"form:has(input[name=item_id][value='{item}']) button")
    assert "disabled" in button.attributes
    reason = page.css_first(f"#{button.attributes['aria-describedby']}")
    assert reason.text() == (
        "Đang biểu quyết: hãy kết thúc biểu quyết trước khi chuyển sang phần chất vấn."
    )
    r = await client.post(
        f"/meetings/sessions/{s.session_id}/chair/current",
        data={"item_id": str(item)},
        headers=htmx(),
    )
    assert "Thông qua tờ trình" in HTMLParser(r.text).css_first(".alert-error").text()

    await close_poll(client, s, poll["id"])
    page = HTMLParser((await client.get(f"/meetings/sessions/{s.session_id}/chair")).text)
    button = page.css_first(f"form:has(input[name=item_id][value='{item}']) button")
    assert "disabled" not in button.attributes
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/current", headers=s.h(s.chair), json={"item_id": item}
    )
    assert r.status_code == 200
