"""The live questioning (issue 20 item 3): the chair calls a question, the official answers, a
follow-up, the group concluded; every step reaches tablets over Socket.IO and is recorded."""

from __future__ import annotations

import io

import docx

from meetings.services import sessions as meeting_sessions
from tests.factories import make_user
from tests.meetings.live import connect_tablet
from tests.questioning.helpers import call, file_question, ok, setup_world, start_questioning_item


async def _fixed_round(client, w, **over) -> tuple[int, int]:
    form = await file_question(client, w, **over)
    base = f"/api/v1/questioning/sessions/{w.session_id}"
    group = await ok(
        client,
        w.chair,
        "POST",
        f"{base}/groups",
        json={"title": "Giao thông", "criterion": "pressing"},
    )
    await ok(
        client,
        w.chair,
        "POST",
        f"{base}/groups/move",
        json={"group_id": group["id"], "form_ids": [form["id"]]},
    )
    await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/groups/{group['id']}/choose",
        json={"chosen": True},
    )
    await ok(client, w.chair, "POST", f"{base}/groups/fix")
    return form["id"], group["id"]


async def test_live_questioning_reaches_the_tablets(client, live_server) -> None:
    w = await setup_world()
    form_id, group_id = await _fixed_round(client, w)
    sid = w.session_id
    r = await call(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{sid}/live/call",
        json={"session_id": sid, "form_id": form_id},
    )
    assert r.status_code == 409  # the sitting has not started
    await start_questioning_item(w)

    tablet = await connect_tablet(live_server, w.delegate)
    tablet.sio.on("questioning:update", tablet._recorder("questioning:update"))
    console = await connect_tablet(live_server, w.chair)
    try:
        assert (await tablet.call("session:join", {"session_id": sid}))["ok"]
        ack = await console.call("questioning:call", {"session_id": sid, "form_id": form_id})
        assert ack["ok"], ack
        update = await tablet.next("questioning:update")
        assert update["turn"]["phase"] == "asking" and update["turn"]["limit_seconds"] == 180
        assert update["turn"]["speaker"] == w.delegate.full_name

        await ok(
            client,
            w.chair,
            "POST",
            f"/api/v1/questioning/sessions/{sid}/live/answer",
            json={"session_id": sid, "form_id": form_id},
        )
        update = await tablet.next("questioning:update")
        assert update["turn"]["phase"] == "answering" and update["turn"]["limit_seconds"] == 600
        assert "Giám đốc Sở Xây dựng" in update["turn"]["speaker"]

        denied = await tablet.call("questioning:followup", {"session_id": sid, "form_id": form_id})
        assert not denied["ok"] and denied["error"]["code"] == "forbidden"
        await ok(
            client,
            w.chair,
            "POST",
            f"/api/v1/questioning/sessions/{sid}/live/followup",
            json={"session_id": sid, "form_id": form_id},
        )
        assert (await tablet.next("questioning:update"))["turn"]["phase"] == "followup"
        await ok(
            client,
            w.chair,
            "POST",
            f"/api/v1/questioning/sessions/{sid}/live/conclude",
            json={
                "session_id": sid,
                "group_id": group_id,
                "text": "Đề nghị Sở hoàn thành trong quý I.",
            },
        )
        update = await tablet.next("questioning:update")
        assert update["turn"] is None and update["concluded"]["group_id"] == group_id
    finally:
        await tablet.sio.disconnect()
        await console.sio.disconnect()

    record = await ok(client, w.delegate, "GET", f"/api/v1/questioning/sessions/{sid}/live")
    assert [t["phase"] for t in record["record"]] == ["asking", "answering", "followup"]
    assert all(t["ended_at"] for t in record["record"])
    r = await call(client, w.other_delegate, "GET", f"/api/v1/questioning/sessions/{sid}/live")
    assert r.status_code == 403

    # The record of the sitting goes into the report of its forms and groups.
    report = await call(
        client, w.chair, "GET", f"/api/v1/questioning/sessions/{sid}/forms-report.docx"
    )
    document = docx.Document(io.BytesIO(report.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Tranh luận" in cells and "Trả lời" in cells
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Kết luận nhóm vấn đề “Giao thông”: Đề nghị Sở hoàn thành trong quý I." in text


async def test_the_chair_runs_the_questioning_from_the_page(client) -> None:
    from selectolax.lexbor import LexborHTMLParser

    from tests.factories import login

    w = await setup_world()
    form_id, group_id = await _fixed_round(client, w)
    sid = w.session_id
    await start_questioning_item(w)
    await login(client, w.chair)
    page = LexborHTMLParser((await client.get(f"/questioning/sessions/{sid}")).text)
    assert page.css_first(f"#live button[data-step=call][data-form='{form_id}']") is not None
    r = await client.post(f"/questioning/sessions/{sid}/live/call", data={"form_id": str(form_id)})
    assert r.status_code == 303
    page = LexborHTMLParser((await client.get(f"/questioning/sessions/{sid}")).text)
    assert w.delegate.full_name in page.css_first("#live-turn").text()
    r = await client.post(
        f"/questioning/sessions/{sid}/live/conclude", data={"group_id": str(group_id), "text": ""}
    )
    assert r.status_code == 422
    assert page.css_first(f"#conclusion-{group_id}") is None
    r = await client.post(
        f"/questioning/sessions/{sid}/live/conclude",
        data={"group_id": str(group_id), "text": "Đề nghị Sở hoàn thành trong quý I."},
    )
    assert r.status_code == 303
    # The concluded group shows the conclusion, not the empty form again (as if nothing happened).
    page = LexborHTMLParser((await client.get(f"/questioning/sessions/{sid}")).text)
    assert "Đề nghị Sở hoàn thành trong quý I." in page.css_first(f"#conclusion-{group_id}").text()
    assert page.css_first(f"#live input[name=group_id][value='{group_id}']") is None
    await login(client, w.delegate)
    page = LexborHTMLParser((await client.get(f"/questioning/sessions/{sid}")).text)
    assert page.css_first("#live") is None


async def test_the_questioning_runs_only_in_its_agenda_item(client) -> None:
    w = await setup_world()
    form_id, _group_id = await _fixed_round(client, w)
    sid = w.session_id
    other = await meeting_sessions.item_create(w.secretariat, sid, title="Báo cáo", kind="report")
    await start_questioning_item(w)
    await meeting_sessions.session_set_current(w.secretariat, sid, other.id)
    r = await call(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{sid}/live/call",
        json={"session_id": sid, "form_id": form_id},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_questioning_item"


async def test_an_official_with_an_account_answers_by_name_and_title(client) -> None:
    """The agency role's title field (set on the admin page) names the official who answers."""
    from tests.factories import login

    w = await setup_world()
    await login(client, w.admin)
    r = await client.post(
        f"/admin/users/{w.official.id}/edit",
        data={"full_name": "Trần Văn Sở", "title": "Giám đốc Sở Xây dựng"},
    )
    assert r.status_code == 303, r.text
    await w.official.refresh_from_db()
    assert w.official.title == "Giám đốc Sở Xây dựng"
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    deputy = await make_user(
        "agency", agency=w.agency, full_name="Lê Thị Phó", title="Phó Giám đốc Sở Xây dựng"
    )
    form_id, _group_id = await _fixed_round(client, w, official_name="Trần Văn Sở")
    await start_questioning_item(w)
    base = f"/api/v1/questioning/sessions/{w.session_id}/live"
    body = {"session_id": w.session_id, "form_id": form_id}
    await ok(client, w.chair, "POST", f"{base}/call", json=body)
    out = await ok(client, w.chair, "POST", f"{base}/answer", json=body)
    assert out["turn"]["speaker"] == "Trần Văn Sở, Giám đốc Sở Xây dựng"
    assert out["turn"]["speaker_id"] == w.official.id
    out = await ok(
        client, w.chair, "POST", f"{base}/answer", json={**body, "official_id": deputy.id}
    )
    assert out["turn"]["speaker"] == "Lê Thị Phó, Phó Giám đốc Sở Xây dựng"
    r = await call(
        client, w.chair, "POST", f"{base}/answer", json={**body, "official_id": w.other_official.id}
    )
    assert r.status_code == 422 and "official_id" in r.json()["error"]["details"]["fields"]


async def test_the_live_pages_show_the_questioning(client) -> None:
    """The tablet, the chair's console and the hall screen draw the questioning panel, refreshed
    on questioning:update; the chair's buttons answer with the panel (htmx)."""
    from selectolax.lexbor import LexborHTMLParser

    from tests.factories import htmx, login

    w = await setup_world()
    form_id, group_id = await _fixed_round(client, w)
    sid = w.session_id
    await start_questioning_item(w)
    await login(client, w.delegate)
    page = LexborHTMLParser((await client.get(f"/meetings/sessions/{sid}/tablet")).text)
    panel = page.css_first("#q-live")
    assert panel is not None and "questioning:update" in panel.attributes["data-refresh-on"]
    assert page.css_first("#q-live button[data-step]") is None  # a delegate has no buttons
    hall = LexborHTMLParser((await client.get(f"/meetings/sessions/{sid}/hall")).text)
    assert "hidden" in hall.css_first("[data-fragment=questioning]").attributes

    await login(client, w.chair)
    console = LexborHTMLParser((await client.get(f"/meetings/sessions/{sid}/chair")).text)
    assert console.css_first(f"#q-live button[data-step=call][data-form='{form_id}']") is not None
    r = await client.post(
        f"/questioning/sessions/{sid}/live/call", data={"form_id": str(form_id)}, headers=htmx()
    )
    assert r.status_code == 200
    swapped = LexborHTMLParser(r.text)
    assert w.delegate.full_name in swapped.css_first("#q-turn").text()
    assert swapped.css_first("#q-turn [data-timer]").attributes["data-limit"] == "180"
    r = await client.post(
        f"/questioning/sessions/{sid}/live/conclude",
        data={"group_id": str(group_id), "text": ""},
        headers=htmx(),
    )
    assert r.status_code == 200 and "alert-error" in r.text  # refused, shown in the panel

    await login(client, w.delegate)
    r = await client.get(f"/meetings/sessions/{sid}/fragments/questioning?view=hall")
    hall = LexborHTMLParser(r.text)
    assert "q-live-hall" in hall.css_first("#q-live").attributes["class"]
    assert w.delegate.full_name in hall.css_first(".q-speaker").text()
    r = await client.get(f"/meetings/sessions/{sid}/fragments/questioning?view=chair")
    assert r.status_code == 403
