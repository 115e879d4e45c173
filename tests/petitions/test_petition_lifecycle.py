"""End to end: file → escalate → assign → answer → publish → track (SQLite and PostgreSQL)."""

from __future__ import annotations

from petitions.models import PetitionEvent
from tests.factories import bearer
from tests.html import refusal
from tests.petitions.helpers import (
    PERSONAL_VALUES,
    PETITION,
    act,
    act_ok,
    escalate_assign_answer_publish,
    file_petition,
    setup_world,
)


async def test_petition_from_filing_to_published_answer(client, anon) -> None:
    w = await setup_world()
    filed = await file_petition(anon)
    assert filed["status"] == "received" and filed["due_at"]
    code, token = filed["code"], filed["token"]

    state = await act_ok(client, w.commune_sec, code, "escalate")
    assert state["status"] == "escalated" and state["handler_code"] == "HN"
    assert state["hops"][0]["ended_at"] and state["hops"][-1]["owner"] == w.city.name

    state = await act_ok(client, w.city_sec, code, "assign", agency_code="SO-XD")
    assert state["status"] == "assigned" and state["agency_code"] == "SO-XD"

    r = await anon.get(f"/api/v1/petitions/{code}", params={"token": token})
    assert r.status_code == 200 and r.json()["answer"] is None

    state = await act_ok(client, w.city_officer, code, "answer", text="Đã đưa vào kế hoạch duy tu.")
    assert state["status"] == "answered"
    r = await anon.get(f"/api/v1/petitions/{code}", params={"token": token})
    assert r.json()["answer"] is None  # not before the secretariat publishes it

    state = await act_ok(client, w.city_sec, code, "publish")
    assert state["status"] == "published"
    await act_ok(
        client, w.city_officer, code, "resolution", resolution="roadmap", roadmap_date="2026-09-30"
    )

    view = (await anon.get(f"/api/v1/petitions/{code}", params={"token": token})).json()
    assert view["status"] == "published"
    assert view["answer"] == "Đã đưa vào kế hoạch duy tu."
    assert view["resolution"] == "roadmap" and view["roadmap_date"] == "2026-09-30"
    assert [h["action"] for h in view["history"]] == [
        "file",
        "escalate",
        "assign",
        "answer",
        "publish",
        "resolution",
    ]
    assert not any(v in str(view) for v in PERSONAL_VALUES)

    r = await anon.post(
        f"/api/v1/petitions/{code}/feedback",
        json={"token": token, "satisfied": False, "comment": "Chậm quá"},
    )
    assert r.status_code == 200
    state = await act_ok(client, w.city_sec, code, "reopen", reason="Cử tri chưa hài lòng")
    assert state["status"] == "assigned"
    await act_ok(client, w.city_officer, code, "answer", text="Sẽ sửa trong tháng 7.")
    await act_ok(client, w.city_sec, code, "publish")
    state = await act_ok(client, w.city_sec, code, "close")
    assert state["status"] == "closed"


async def test_wrong_token_and_unknown_code(anon) -> None:
    await setup_world()
    filed = await file_petition(anon)
    r = await anon.get(f"/api/v1/petitions/{filed['code']}", params={"token": "WRONG-TOKEN"})
    assert refusal(r) == (404, "not_found")
    r = await anon.get("/api/v1/petitions/KN-2026-0000000", params={"token": filed["token"]})
    assert refusal(r) == (404, "not_found")


async def test_commune_competent_path_and_central_escalation(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon, category="administration"))["code"]
    await act_ok(client, w.commune_sec, code, "accept")
    state = await act_ok(client, w.commune_sec, code, "assign", agency_code="UB-BADINH")
    assert state["agency_code"] == "UB-BADINH"
    r = await act(client, w.commune_sec, code, "assign", agency_code="SO-XD")
    assert refusal(r) == (422, "invalid")  # a commune assigns only its own agencies

    code2 = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code2, "escalate")
    r = await act(client, w.city_sec, code2, "escalate")
    assert refusal(r) == (422, "invalid")  # the central body must be named
    state = await act_ok(client, w.city_sec, code2, "escalate", central_body="Bộ Xây dựng")
    assert state["level"] == "central" and state["hops"][-1]["stage"] == "central"
    assert state["hops"][-1]["owner"] == "Bộ Xây dựng"
    state = await act_ok(client, w.city_sec, code2, "answer", text="Bộ Xây dựng đã trả lời.")
    assert state["status"] == "answered"


async def test_invalid_transitions_are_409(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    r = await act(client, w.commune_sec, code, "publish")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
    r = await act(client, w.commune_sec, code, "fly")
    assert refusal(r) == (422, "invalid")
    await act_ok(client, w.commune_sec, code, "reject", reason="Trùng nội dung đã trả lời kỳ trước")
    r = await act(client, w.commune_sec, code, "accept")
    assert refusal(r) == (409, "invalid_transition")


async def test_staff_filing_is_not_rate_limited(client, anon, settings) -> None:
    w = await setup_world()
    for _ in range(5):
        await file_petition(anon, name=None, phone=None, email=None)
    r = await anon.post(
        "/api/v1/petitions",
        json={
            "council_code": "HN-BADINH",
            "category": "transport",
            "title": "Một kiến nghị nữa",
            "body": "Nội dung kiến nghị thứ sáu.",
        },
    )
    assert r.status_code == 429 and r.headers["Retry-After"]
    for _ in range(6):
        r = await client.post(
            "/api/v1/petitions",
            headers=await bearer(w.commune_sec),
            json={
                "council_code": "HN-BADINH",
                "category": "transport",
                "channel": "direct",
                "title": "Kiến nghị tại bộ phận một cửa",
                "body": "Cử tri trực tiếp đến phản ánh.",
            },
        )
        assert r.status_code == 201, r.text


async def _feedback(anon, filed: dict, satisfied: bool, comment: str | None = None):
    return await anon.post(
        f"/api/v1/petitions/{filed['code']}/feedback",
        json={"token": filed["token"], "satisfied": satisfied, "comment": comment},
    )


async def test_reopened_answer_can_be_rated_again(client, anon) -> None:
    w = await setup_world()
    filed = await file_petition(anon)
    code = filed["code"]
    await escalate_assign_answer_publish(client, w, code)
    assert (await _feedback(anon, filed, False, "Chậm quá")).status_code == 200
    r = await _feedback(anon, filed, True)
    assert r.status_code == 409 and r.json()["error"]["code"] == "feedback_given"

    state = await act_ok(client, w.city_sec, code, "reopen", reason="Cử tri chưa hài lòng")
    assert state["satisfied"] is None  # the verdict was on the answer now reopened
    await act_ok(client, w.city_officer, code, "answer", text="Sẽ sửa trong tháng 7.")
    await act_ok(client, w.city_sec, code, "publish")
    r = await _feedback(anon, filed, True, "Đã sửa xong")
    assert r.status_code == 200 and r.json()["satisfied"] is True

    view = (await anon.get(f"/api/v1/petitions/{code}", params={"token": filed["token"]})).json()
    assert view["satisfied"] is True and view["answer"] == "Sẽ sửa trong tháng 7."
    assert [h["action"] for h in view["history"]].count("feedback") == 2
    verdicts = await PetitionEvent.filter(petition__code=code, action="feedback").order_by("id")
    assert [(e.details["satisfied"], e.internal_note) for e in verdicts] == [
        (False, "Chậm quá"),
        (True, "Đã sửa xong"),
    ]


async def _track(anon, filed: dict) -> dict:
    r = await anon.get(f"/api/v1/petitions/{filed['code']}", params={"token": filed["token"]})
    assert r.status_code == 200, r.text
    return r.json()


async def test_merged_petitioner_follows_and_rates_the_survivor(client, anon) -> None:
    w = await setup_world()
    first = await file_petition(anon)
    second = await file_petition(
        anon, name="Lê Văn Minh", phone="0987 654 321", email="minh@example.vn", address="Ngõ 7"
    )
    await act_ok(client, w.commune_sec, second["code"], "merge", into_code=first["code"])
    view = await _track(anon, second)
    assert view["status"] == "merged" and view["merged_into"] == first["code"]
    assert view["survivor"]["code"] == first["code"] and view["survivor"]["status"] == "received"
    assert view["survivor"]["body"] is None and view["survivor"]["answer"] is None
    assert view["can_give_feedback"] is False
    r = await _feedback(anon, second, True)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_answer"

    await escalate_assign_answer_publish(client, w, first["code"])
    assert (await _feedback(anon, first, True, "Rất tốt, cảm ơn")).status_code == 200
    view = await _track(anon, second)
    survivor = view["survivor"]
    assert survivor["status"] == "published" and survivor["answer"].startswith("Sở Xây dựng")
    assert survivor["body"] == PETITION["body"] and survivor["weight"] == 2
    assert [h["action"] for h in survivor["history"]] == [
        "file",
        "escalate",
        "assign",
        "answer",
        "publish",
    ]  # not the other petitioner's verdict
    assert all(h["note"] == "" for h in survivor["history"])
    assert not any(v in str(view) for v in PERSONAL_VALUES) and "Rất tốt" not in str(view)
    assert view["can_give_feedback"] is True and view["satisfied"] is None

    r = await _feedback(anon, second, False, "Vẫn còn ổ gà")
    assert r.status_code == 200 and r.json() == {"code": second["code"], "satisfied": False}
    view = await _track(anon, second)
    assert view["satisfied"] is False and view["can_give_feedback"] is False
    assert (await _track(anon, first))["satisfied"] is True  # each verdict is its own
    r = await _feedback(anon, second, True)
    assert r.status_code == 409 and r.json()["error"]["code"] == "feedback_given"

    await act_ok(client, w.city_sec, first["code"], "reopen", reason="Cử tri chưa hài lòng")
    await act_ok(client, w.city_officer, first["code"], "answer", text="Sẽ sửa trong tháng 7.")
    await act_ok(client, w.city_sec, first["code"], "publish")
    view = await _track(anon, second)
    assert view["survivor"]["answer"] == "Sẽ sửa trong tháng 7." and view["satisfied"] is None
    assert (await _feedback(anon, second, True)).status_code == 200
