"""questioning.limits: the chair's side sets the round's time limits (the council's quy chế); the
turns given afterwards take them, the turn in progress keeps its own, and unset limits are the
defaults (3, 10 and 2 minutes)."""

from __future__ import annotations

from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from council.models import AuditEntry
from questioning.models import QuestionTurn, Round
from tests.factories import htmx, login
from tests.meetings.live import connect_tablet
from tests.questioning.helpers import World, call, ok, setup_world, start_questioning_item
from tests.questioning.test_live_questioning import _fixed_round


def _limits_url(w: World) -> str:
    return f"/api/v1/questioning/sessions/{w.session_id}/limits"


async def _set_limits(client, w: World, user=None, **minutes) -> dict:
    return await ok(client, user or w.secretariat, "PUT", _limits_url(w), json=minutes)


async def _give(client, w: World, step: str, form_id: int) -> dict:
    body = {"session_id": w.session_id, "form_id": form_id}
    out = await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/live/{step}",
        json=body,
    )
    return out["turn"]


async def test_defaults_when_no_limit_is_set(client) -> None:
    w = await setup_world()
    form_id, _group = await _fixed_round(client, w)
    await start_questioning_item(w)
    live = await ok(client, w.delegate, "GET", f"/api/v1/questioning/sessions/{w.session_id}/live")
    assert live["limits"] == {"asking": 180, "answering": 600, "followup": 120}
    assert (await _give(client, w, "call", form_id))["limit_seconds"] == 180
    assert (await _give(client, w, "answer", form_id))["limit_seconds"] == 600
    assert (await _give(client, w, "followup", form_id))["limit_seconds"] == 120


async def test_staff_set_limits_the_next_turns_take_them(client) -> None:
    """Set before the groups exist (the round is made then), changed during the sitting: the
    turn in progress keeps its time, the next ones get the new limits; each change is audited."""
    w = await setup_world()
    out = await _set_limits(client, w, asking_minutes=5, answering_minutes=15, followup_minutes=3)
    assert out["changed"] is True
    assert out["asking_minutes"] == 5 and out["followup_minutes"] == 3
    assert out["limits"] == {"asking": 300, "answering": 900, "followup": 180}
    again = await _set_limits(client, w, asking_minutes=5, answering_minutes=15, followup_minutes=3)
    assert again["changed"] is False

    form_id, _group = await _fixed_round(client, w)
    await start_questioning_item(w)
    asking = await _give(client, w, "call", form_id)
    assert asking["limit_seconds"] == 300
    started = datetime.fromisoformat(asking["started_at"])
    assert (datetime.fromisoformat(asking["ends_at"]) - started).total_seconds() == 300

    # The chair changes the limits while the delegate has the floor.
    changed = await _set_limits(
        client, w, w.chair, asking_minutes=4, answering_minutes=12, followup_minutes=1
    )
    assert changed["limits"] == {"asking": 240, "answering": 720, "followup": 60}
    live = await ok(client, w.delegate, "GET", f"/api/v1/questioning/sessions/{w.session_id}/live")
    assert live["turn"]["limit_seconds"] == 300 and live["turn"]["ends_at"] == asking["ends_at"]
    assert live["limits"]["asking"] == 240
    running = await QuestionTurn.get(session_id=w.session_id, ended_at=None)
    assert running.limit_seconds == 300

    assert (await _give(client, w, "answer", form_id))["limit_seconds"] == 720
    assert (await _give(client, w, "followup", form_id))["limit_seconds"] == 60
    assert (await _give(client, w, "call", form_id))["limit_seconds"] == 240
    record = await QuestionTurn.filter(session_id=w.session_id).order_by("id")
    assert [t.limit_seconds for t in record] == [300, 720, 60, 240]

    entries = await AuditEntry.filter(operation="questioning.limits").order_by("id")
    assert len(entries) == 2  # the unchanged repeat is not a change
    rnd = await Round.get(session_id=w.session_id)
    assert entries[-1].target_type == "round" and entries[-1].target_id == str(rnd.id)
    assert entries[-1].details["before"]["asking_seconds"] == 300
    assert entries[-1].details["after"] == {
        "asking_seconds": 240,
        "answering_seconds": 720,
        "followup_seconds": 60,
    }


async def test_a_limit_left_out_or_null_is_the_default(client) -> None:
    w = await setup_world()
    await _set_limits(client, w, asking_minutes=5, answering_minutes=15, followup_minutes=3)
    out = await _set_limits(client, w, answering_minutes=20)
    assert out["asking_minutes"] is None and out["followup_minutes"] is None
    assert out["limits"] == {"asking": 180, "answering": 1200, "followup": 120}
    out = await _set_limits(client, w, asking_minutes=None, answering_minutes=None)
    assert out["limits"] == {"asking": 180, "answering": 600, "followup": 120}
    rnd = await Round.get(session_id=w.session_id)
    assert (rnd.asking_seconds, rnd.answering_seconds, rnd.followup_seconds) == (None, None, None)


async def test_a_delegate_or_another_councils_staff_may_not(client) -> None:
    w = await setup_world()
    body = {"asking_minutes": 1, "answering_minutes": 1, "followup_minutes": 1}
    for user in (w.delegate, w.other_secretariat, w.other_chair, w.official, w.citizen):
        r = await call(client, user, "PUT", _limits_url(w), json=body)
        assert r.status_code == 403, (user.role, r.text)
    r = await client.put(_limits_url(w), json=body)
    assert r.status_code == 401
    assert await Round.get_or_none(session_id=w.session_id) is None
    assert not await AuditEntry.exists(operation="questioning.limits")


async def test_invalid_limits_are_refused_with_a_clear_error(client) -> None:
    w = await setup_world()
    await _set_limits(client, w, asking_minutes=5)
    bad = [
        ({"asking_minutes": 0}, "asking_minutes", "Số phút nguyên từ 1 đến 60."),
        ({"answering_minutes": 61}, "answering_minutes", "Số phút nguyên từ 1 đến 60."),
        ({"followup_minutes": -2}, "followup_minutes", "Số phút nguyên từ 1 đến 60."),
        ({"asking_minutes": 2.5}, "asking_minutes", "Cần nhập một số nguyên."),
        ({"asking_minutes": "ba"}, "asking_minutes", "Cần nhập một số nguyên."),
        ({"asking_minutes": 2**40}, "asking_minutes", None),
        ({"asking_seconds": 90}, "asking_seconds", None),
    ]
    for body, field, message in bad:
        r = await call(client, w.secretariat, "PUT", _limits_url(w), json=body)
        assert r.status_code == 422, (body, r.text)
        fields = r.json()["error"]["details"]["fields"]
        assert field in fields, (body, fields)
        if message:
            assert fields[field] == message, (body, fields)
    r = await call(
        client, w.secretariat, "PUT", _limits_url(w) + "?lang=en", json={"followup_minutes": 0}
    )
    assert (
        r.json()["error"]["details"]["fields"]["followup_minutes"]
        == "A whole number of minutes from 1 to 60."
    )
    r = await call(client, w.secretariat, "PUT", _limits_url(w), content=b"[1]")
    assert r.status_code in (400, 422)
    rnd = await Round.get(session_id=w.session_id)
    assert rnd.asking_seconds == 300  # nothing refused was written


async def test_the_tablets_hear_the_new_limits(client, live_server) -> None:
    w = await setup_world()
    await _fixed_round(client, w)
    await start_questioning_item(w)
    tablet = await connect_tablet(live_server, w.delegate)
    tablet.sio.on("questioning:update", tablet._recorder("questioning:update"))
    try:
        assert (await tablet.call("session:join", {"session_id": w.session_id}))["ok"]
        await _set_limits(client, w, asking_minutes=2, answering_minutes=8, followup_minutes=1)
        update = await tablet.next("questioning:update")
        assert update["limits"] == {"asking": 120, "answering": 480, "followup": 60}
    finally:
        await tablet.sio.disconnect()


async def test_the_limits_form_on_the_questioning_page(client) -> None:
    w = await setup_world()
    await login(client, w.secretariat)
    url = f"/questioning/sessions/{w.session_id}"
    page = LexborHTMLParser((await client.get(url)).text)
    form = page.css_first("#limits form")
    assert form.attributes["hx-post"] == f"{url}/limits"
    assert form.css_first("input[name=csrf_token]") is not None
    assert form.css_first("#f-asking_minutes").attributes["placeholder"] == "3"
    assert (
        "chất vấn 3 phút, trả lời 10 phút, tranh luận 2 phút"
        in page.css_first("#limits-now").text()
    )

    data = {"asking_minutes": "90", "answering_minutes": "", "followup_minutes": "2"}
    r = await client.post(f"{url}/limits", data=data, headers=htmx())
    assert r.status_code == 422
    card = LexborHTMLParser(r.text)
    assert "Số phút nguyên từ 1 đến 60." in card.css_first("#e-asking_minutes").text()
    assert card.css_first("#f-asking_minutes").attributes["value"] == "90"  # kept to correct
    assert card.css_first("#f-asking_minutes").attributes["aria-invalid"] == "true"
    assert await Round.get_or_none(session_id=w.session_id) is None

    data["asking_minutes"] = "4"
    r = await client.post(f"{url}/limits", data=data, headers=htmx())
    assert r.status_code == 200, r.text
    card = LexborHTMLParser(r.text)
    assert card.css_first("#limits-saved") is not None
    assert (
        "chất vấn 4 phút, trả lời 10 phút, tranh luận 2 phút"
        in card.css_first("#limits-now").text()
    )
    assert card.css_first("#f-answering_minutes").attributes["value"] == ""

    # Without JavaScript: back to the page, at the card.
    r = await client.post(f"{url}/limits", data={**data, "followup_minutes": "3"})
    assert r.status_code == 303 and r.headers["location"].endswith("?limits=saved#limits")
    rnd = await Round.get(session_id=w.session_id)
    assert (rnd.asking_seconds, rnd.answering_seconds, rnd.followup_seconds) == (240, None, 180)
    r = await client.post(f"{url}/limits", data={**data, "followup_minutes": "x"})
    assert r.status_code == 422
    assert (
        "Cần nhập một số nguyên."
        in LexborHTMLParser(r.text).css_first("#e-followup_minutes").text()
    )

    await login(client, w.delegate)
    page = LexborHTMLParser((await client.get(url)).text)
    assert page.css_first("#limits") is None
    r = await client.post(f"{url}/limits", data=data, headers=htmx())
    assert r.status_code == 403
