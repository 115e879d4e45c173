"""The whole questioning flow from named helpers: forms → proposed groups → chosen and fixed →
held → written answer → assessment → commitments → progress → overdue → re-questioning offered
at the next sitting. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from council.models import AuditEntry
from questioning.models import Commitment
from tests.questioning.helpers import (
    World,
    coming_sitting,
    file_question,
    ok,
    setup_world,
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
        ids.append((await file_question(client, w, user=user, field=field, text=text))["id"])
    return ids


async def _propose_choose_fix_hold(client, w: World, session_id: int) -> dict[str, Any]:
    base = f"/api/v1/questioning/sessions/{session_id}"
    rnd = await ok(client, w.chair, "POST", f"{base}/groups/propose")
    assert all(g["machine_made"] for g in rnd["groups"])
    first = rnd["groups"][0]
    await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/groups/{first['id']}/choose",
        json={"chosen": True},
    )
    await ok(client, w.chair, "POST", f"{base}/groups/fix")
    return await ok(client, w.chair, "POST", f"{base}/hold")


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


async def test_questioning_from_forms_to_requestioning(client, anon) -> None:
    w = await setup_world()
    a, b, c = await _file_forms(client, w)
    rnd = await _propose_choose_fix_hold(client, w, w.session_id)
    traffic = rnd["groups"][0]
    assert set(traffic["form_ids"]) == {a, b}  # the two on the same road, together
    assert await visible_ids(client, None, w.session_id) == {a, b}

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
    } <= ops
