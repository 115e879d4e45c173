"""The whole sitting, from agenda to minutes, as one workflow built from named helpers.

Runs on SQLite, and on PostgreSQL with COUNCIL_TEST_DB=postgres (the core's fixtures).
"""

import io

import docx
from pypdf import PdfReader

from council.models import AuditEntry
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
    upload_document,
)


async def test_whole_sitting_agenda_attendance_poll_result_minutes(client) -> None:
    s = await setup_council(seats=30, delegates=22)
    await create_session(client, s, title="Kỳ họp thứ năm, HĐND khóa XVII")
    items = await add_agenda(client, s)
    doc = await upload_document(client, s, title="Báo cáo kinh tế - xã hội", item_id=items[0])
    assert doc["pages"] == 2
    await start_session(client, s)

    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/current", headers=s.h(s.chair), json={"item_id": items[2]}
    )
    assert r.status_code == 200 and r.json()["item"]["id"] == items[2]

    # Attendance: 19 present of 30 is below the 2/3 quorum (20): opening is refused.
    present = [s.chair, *s.delegates[:18]]
    summary = await check_in(client, s, present)
    assert summary == {
        "session_id": s.session_id,
        "present": 19,
        "seats": 30,
        "quorum": 20,
        "quorum_met": False,
    }
    poll = await create_poll(client, s, item_id=items[2])
    assert poll["status"] == "draft"
    r = await open_poll(client, s, poll["id"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_quorum"

    # The secretariat marks three more present: 22 of 30.
    for d in s.delegates[18:21]:
        r = await client.post(
            f"/api/v1/sessions/{s.session_id}/attendance",
            headers=s.h(s.secretariat),
            json={"user_id": d.id},
        )
        assert r.status_code == 200
    assert r.json()["present"] == 22 and r.json()["quorum_met"] is True
    voters = [s.chair, *s.delegates[:21]]
    assert (await open_poll(client, s, poll["id"])).status_code == 200

    # 15 for, 5 against, 2 abstain: 15 is not more than half of 30 seats → fails.
    choices = ["yes"] * 15 + ["no"] * 5 + ["abstain"] * 2
    for user, choice in zip(voters, choices, strict=True):
        r = await cast(client, s, user, poll["id"], choice)
        assert r.status_code == 201 and r.json() == {"recorded": True}
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert {
        k: result[k] for k in ("yes", "no", "abstain", "not_voted", "seats", "required", "passed")
    } == {
        "yes": 15,
        "no": 5,
        "abstain": 2,
        "not_voted": 8,
        "seats": 30,
        "required": 16,
        "passed": False,
    }
    assert len(result["ballots"]) == 22  # a named poll lists who voted what

    # A second vote with 16 for passes.
    second = await create_poll(client, s, item_id=items[2], title="Biểu quyết lại", secret=True)
    await open_poll(client, s, second["id"])
    for user, choice in zip(voters, ["yes"] * 16 + ["no"] * 6, strict=True):
        assert (await cast(client, s, user, second["id"], choice)).status_code == 201
    closed = await close_poll(client, s, second["id"])
    assert closed["result"]["passed"] is True and "ballots" not in closed["result"]
    assert (
        closed["text"]["vi"]["lines"][0]
        == "16/30 đại biểu tán thành, chiếm 53,33% tổng số đại biểu"
    )

    r = await client.get(f"/api/v1/polls/{second['id']}", headers=s.h(s.delegates[0]))
    body = r.json()
    assert (body["status"], body["voted"], body["eligible"], body["has_voted"]) == (
        "closed",
        22,
        22,
        True,
    )

    assert (
        await client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
    ).status_code == 200

    # Minutes: attendance, items in order, each vote's counts over seats and outcome.
    r = await client.get(f"/api/v1/sessions/{s.session_id}/minutes.pdf", headers=s.h(s.secretariat))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    text = " ".join(text.split())
    assert "Tổng số đại biểu: 30. Có mặt: 22." in text
    assert "15/30 đại biểu tán thành, chiếm 50,00% tổng số đại biểu" in text
    assert "Kết quả: không được thông qua" in text
    assert "16/30 đại biểu tán thành, chiếm 53,33% tổng số đại biểu" in text
    assert text.index("1. Báo cáo tình hình") < text.index("3. Dự thảo Nghị quyết")
    r = await client.get(f"/api/v1/sessions/{s.session_id}/minutes.docx", headers=s.h(s.chair))
    assert r.status_code == 200
    paragraphs = " ".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "Biểu quyết: Biểu quyết lại (bỏ phiếu kín)" in paragraphs
    assert "Đại biểu Số 00: tán thành" in paragraphs  # named vote lists who voted what
    # The minutes anchor the audit chain at the session's close, in both formats.
    closing = await AuditEntry.get(operation="session.close", target_id=str(s.session_id))
    assert closing.chain == closing.council_id  # the council's own chain
    anchor = f"council verify-audit --anchor {closing.chain}:{closing.seq}:{closing.hash}"
    assert anchor in paragraphs
    assert anchor.replace(" ", "") in "".join(text.split())  # the PDF may wrap the line

    ops = [e.operation for e in await AuditEntry.all().order_by("id")]
    assert ops.count("ballot.cast") == 44
    assert {
        "poll.create",
        "poll.open",
        "poll.close",
        "session.start",
        "session.close",
        "attendance.check_in",
    } <= set(ops)
