"""The whole questioning flow from named helpers: forms → proposed groups → the delegates'
selection ballot → fixed → the live questioning over Socket.IO (real uvicorn and python-socketio
clients) → held → written answer → assessment → commitments → progress → overdue → re-questioning offered
at the next sitting. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import docx

from council.models import AuditEntry
from questioning.models import Commitment
from tests.meetings.live import connect_tablet
from tests.questioning.helpers import (
    World,
    call,
    coming_sitting,
    file_question,
    ok,
    setup_world,
    start_questioning_item,
    visible_ids,
)


async def _file_forms(client, w: World) -> list[int]:
    texts = (
        (
            "Giao thông",
            "Đề nghị cho biết tiến độ sửa chữa mặt đường Hoàng Hoa Thám bị hư hỏng nặng.",
        ),
        ("Giao thông", "Vì sao việc sửa chữa mặt đường Hoàng Hoa Thám hư hỏng chậm tiến độ?"),
        ("Môi trường", "Giải pháp thu gom rác thải tại các ngõ nhỏ vào buổi tối là gì?"),
    )
    ids = []
    for n, (field, text) in enumerate(texts):
        user = w.delegate if n % 2 == 0 else w.delegate2
        form = await file_question(
            client, w, user=user, field=field, text=text, official_name="Trần Văn Sở"
        )
        ids.append(form["id"])
    return ids


async def _propose(client, w: World, session_id: int) -> list[dict[str, Any]]:
    rnd = await ok(
        client, w.chair, "POST", f"/api/v1/questioning/sessions/{session_id}/groups/propose"
    )
    assert all(g["machine_made"] for g in rnd["groups"]) and len(rnd["groups"]) >= 2
    return rnd["groups"]


async def _select_and_fix(client, w: World, session_id: int, want: int) -> dict[str, Any]:
    """The delegates choose 1 of the groups by ballot (no sitting, no quorum); the chair fixes."""
    base = f"/api/v1/questioning/sessions/{session_id}"
    await ok(client, w.chair, "POST", f"{base}/selection", json={"max_choices": 1})
    for user in (w.delegate, w.delegate2):
        await ok(client, user, "POST", f"{base}/selection/votes", json={"group_ids": [want]})
    closed = await ok(client, w.chair, "POST", f"{base}/selection/close", json={})
    assert closed["status"] == "closed"
    await ok(client, w.chair, "POST", f"{base}/groups/fix")
    return await ok(client, w.chair, "GET", f"{base}/groups")


async def _minutes_text(client, w: World) -> str:
    """The sitting's minutes (meetings' DOCX), as text."""
    r = await call(client, w.chair, "GET", f"/api/v1/sessions/{w.session_id}/minutes.docx")
    assert r.status_code == 200, r.text
    return "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)


async def _live_questioning(live_server: str, w: World, form_id: int, group_id: int) -> None:
    """The sitting's questioning item over Socket.IO: a delegate's tablet follows the chair's
    console calling the question, the official answering, a follow-up and the conclusion."""
    item_id = await start_questioning_item(w)
    tablet = await connect_tablet(live_server, w.delegate)
    tablet.sio.on("questioning:update", tablet._recorder("questioning:update"))
    console = await connect_tablet(live_server, w.chair)
    sid = w.session_id
    try:
        assert (await tablet.call("session:join", {"session_id": sid}))["ok"]
        steps = (
            ("questioning:call", "asking", w.delegate.full_name),
            ("questioning:answer", "answering", "Trần Văn Sở, Giám đốc Sở Xây dựng"),
            ("questioning:followup", "followup", w.delegate.full_name),
        )
        for event, phase, speaker in steps:
            ack = await console.call(event, {"session_id": sid, "form_id": form_id})
            assert ack["ok"], ack
            update = await tablet.next("questioning:update")
            turn = update["turn"]
            assert (turn["phase"], turn["speaker"], turn["item_id"]) == (phase, speaker, item_id)
        ack = await console.call(
            "questioning:conclude",
            {"session_id": sid, "group_id": group_id, "text": "Đề nghị Sở hoàn thành trong quý I."},
        )
        assert ack["ok"], ack
        assert (await tablet.next("questioning:update"))["concluded"]["group_id"] == group_id
    finally:
        await tablet.sio.disconnect()
        await console.sio.disconnect()


async def _written_answer(client, w: World, form_id: int, verdict: str) -> None:
    path = f"/api/v1/questioning/forms/{form_id}"
    await ok(client, w.secretariat, "POST", f"{path}/answer-request", json={"working_days": 10})
    await ok(
        client, w.official, "POST", f"{path}/answer", json={"text": "Sở sẽ sửa xong trong quý I."}
    )
    await ok(client, w.delegate, "POST", f"{path}/assessment", json={"verdict": verdict})


async def _commitment(client, w: World, form_id: int, deadline: date) -> dict[str, Any]:
    return await ok(
        client,
        w.secretariat,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/commitments",
        json={
            "agency_code": "SO-XD-Q",
            "official_name": "Nguyễn Văn Giám",
            "official_title": "Giám đốc Sở Xây dựng",
            "measure": "Sửa xong mặt đường Hoàng Hoa Thám",
            "deadline": deadline.isoformat(),
            "form_id": form_id,
            "milestones": [
                {"title": "Khảo sát", "due_on": (deadline - timedelta(days=10)).isoformat()}
            ],
        },
    )


async def _report(client, w: World, cid: int, percent: int) -> dict[str, Any]:
    return await ok(
        client,
        w.official,
        "POST",
        f"/api/v1/questioning/commitments/{cid}/reports",
        json={"percent": percent, "note": "Đang thi công"},
    )


async def test_questioning_from_forms_to_requestioning(client, anon, live_server) -> None:
    w = await setup_world()
    await w.official.update_from_dict({"title": "Giám đốc Sở Xây dựng"}).save()
    a, b, c = await _file_forms(client, w)
    proposed = await _propose(client, w, w.session_id)
    traffic = next(g for g in proposed if a in g["form_ids"])
    assert set(traffic["form_ids"]) == {a, b}  # the two on the same road, together
    fixed = await _select_and_fix(client, w, w.session_id, traffic["id"])
    assert [g["id"] for g in fixed["groups"] if g["chosen"]] == [traffic["id"]]

    await _live_questioning(live_server, w, a, traffic["id"])
    held = await ok(client, w.chair, "POST", f"/api/v1/questioning/sessions/{w.session_id}/hold")
    assert held["held"]
    assert await visible_ids(client, None, w.session_id) == {a, b}
    record = await ok(
        client, w.delegate, "GET", f"/api/v1/questioning/sessions/{w.session_id}/live"
    )
    assert [t["phase"] for t in record["record"]] == ["asking", "answering", "followup"]

    await _written_answer(client, w, a, "unsatisfactory")
    commitment = await _commitment(client, w, a, date.today() + timedelta(days=30))
    assert (await _report(client, w, commitment["id"], 40))["state"] == "in_progress"
    # Time passes: the deadline is behind us and it is not done.
    await Commitment.filter(id=commitment["id"]).update(deadline=date.today() - timedelta(days=1))
    tracked = (await anon.get(f"/api/v1/public/commitments/{commitment['id']}")).json()
    assert tracked["state"] == "overdue" and tracked["history"][0]["percent"] == 40

    next_sitting = await coming_sitting(w.secretariat, w.council, days=120)
    offered = await ok(
        client, w.chair, "POST", f"/api/v1/questioning/sessions/{next_sitting}/groups/requestion"
    )
    group = offered["groups"][0]
    assert group["criterion"] == "requestioning" and group["machine_made"]
    assert len(group["form_ids"]) == 2  # the overdue commitment and the rejected answer
    carried = await ok(
        client, w.delegate, "GET", f"/api/v1/questioning/sessions/{next_sitting}/forms"
    )
    assert any("quá hạn" in f["text"] for f in carried["items"])
    ops = set(await AuditEntry.filter(operation__contains=".").values_list("operation", flat=True))
    assert {
        "question.file",
        "question_group.propose",
        "question_group.fix",
        "answer.submit",
        "answer.assess",
        "commitment.create",
        "commitment.report",
        "question_group.requestion",
        "selection.open",
        "selection.close",
        "questioning.call",
        "questioning.answer",
        "questioning.conclude",
    } <= ops
