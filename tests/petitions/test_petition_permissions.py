"""The permission matrix: each role, own and other council, each agency."""

from __future__ import annotations

import pytest

from tests.factories import bearer, error_code
from tests.html import refusal
from tests.petitions.helpers import PERSONAL_VALUES, World, act, act_ok, file_petition, setup_world


async def _codes(client, user) -> set[str]:
    r = await client.get("/api/v1/petitions", headers=await bearer(user))
    assert r.status_code == 200, r.text
    return {i["code"] for i in r.json()["items"]}


async def test_list_scope_per_role(client, anon) -> None:
    w = await setup_world()
    mine = (await file_petition(anon))["code"]
    other = (await file_petition(anon, council_code="HN-HOANKIEM"))["code"]
    escalated = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, escalated, "escalate")
    await act_ok(client, w.city_sec, escalated, "assign", agency_code="SO-XD")

    assert await _codes(client, w.admin) == {mine, other, escalated}
    assert await _codes(client, w.commune_sec) == {mine, escalated}
    assert await _codes(client, w.commune_chair) == {mine, escalated}
    assert await _codes(client, w.commune_delegate) == {mine, escalated}
    assert await _codes(client, w.other_sec) == {other}
    assert await _codes(client, w.city_sec) == {escalated}  # the city sees what reaches it
    assert await _codes(client, w.city_officer) == {escalated}
    assert await _codes(client, w.commune_officer) == set()
    assert await _codes(client, w.other_officer) == set()
    r = await client.get("/api/v1/petitions", headers=await bearer(w.citizen))
    assert refusal(r) == (403, "forbidden")
    assert refusal(await anon.get("/api/v1/petitions")) == (401, "unauthorized")


async def _detail(client, user, code):
    return await client.get(f"/api/v1/petitions/{code}/detail", headers=await bearer(user))


async def test_detail_and_personal_data_per_role(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "escalate")
    await act_ok(client, w.city_sec, code, "assign", agency_code="SO-XD")

    for user in (w.admin, w.commune_sec, w.city_sec, w.city_officer):
        r = await _detail(client, user, code)
        assert r.status_code == 200 and r.json()["personal"]["name"] == "Nguyễn Thị Hoa", user.role
    for user in (w.commune_chair, w.commune_delegate):
        r = await _detail(client, user, code)
        assert r.status_code == 200 and r.json()["personal"] is None
        assert not any(v in r.text for v in PERSONAL_VALUES)
    for user in (w.other_sec, w.commune_officer, w.other_officer, w.citizen):
        assert refusal(await _detail(client, user, code)) == (403, "forbidden"), user.role
    assert refusal(await _detail(client, w.admin, "KN-2026-0000000")) == (404, "not_found")


@pytest.mark.parametrize(
    ("who", "action", "args", "status"),
    [
        ("commune_sec", "accept", {}, 200),
        ("commune_chair", "accept", {}, 403),
        ("commune_delegate", "accept", {}, 403),
        ("other_sec", "accept", {}, 403),
        ("city_sec", "accept", {}, 403),  # not escalated: the commune handles it
        ("commune_officer", "accept", {}, 403),
        ("citizen", "accept", {}, 403),
        ("admin", "accept", {}, 200),
    ],
)
async def test_action_matrix_on_a_received_petition(
    client, anon, who, action, args, status
) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    r = await act(client, getattr(w, who), code, action, **args)
    assert r.status_code == status, r.text
    if status == 403:  # the action's own operation, or the handling council's rule
        assert error_code(r) == "forbidden"


async def test_only_the_assigned_agency_answers(client, anon) -> None:
    w: World = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "escalate")
    r = await act(client, w.commune_sec, code, "assign", agency_code="SO-XD")
    assert refusal(r) == (403, "forbidden")  # after escalation the city handles it
    await act_ok(client, w.city_sec, code, "assign", agency_code="SO-XD")
    for user in (w.commune_officer, w.other_officer):
        r = await act(client, user, code, "answer", text="Không phải việc của chúng tôi")
        assert refusal(r) == (403, "forbidden")
    r = await act(client, w.city_officer, code, "publish")
    assert refusal(r) == (403, "forbidden")  # agencies answer, the secretariat publishes
    await act_ok(client, w.city_officer, code, "answer", text="Đã xử lý")
    r = await client.post(f"/api/v1/petitions/{code}/actions", json={"action": "publish"})
    assert refusal(r) == (401, "unauthorized")


async def test_merge_keeps_every_petitioner_informed(client, anon) -> None:
    w = await setup_world()
    first = await file_petition(anon)
    second = await file_petition(anon, email="second@example.vn")
    await act_ok(client, w.commune_sec, second["code"], "merge", into_code=first["code"])
    r = await act(client, w.commune_sec, first["code"], "merge", into_code=second["code"])
    assert refusal(r) == (409, "invalid_merge")  # a merged petition cannot take others
    state = await act_ok(client, w.commune_sec, first["code"], "escalate")
    assert state["weight"] == 2
    view = (
        await anon.get(f"/api/v1/petitions/{second['code']}", params={"token": second["token"]})
    ).json()
    assert view["status"] == "merged" and view["merged_into"] == first["code"]
    from petitions.models import Notification, Petition

    merged = await Petition.get(code=second["code"])
    subjects = await Notification.filter(petition_id=merged.id, recipient="petitioner").values_list(
        "subject", flat=True
    )
    assert any(
        first["code"] in s and "→" in s for s in subjects
    )  # told about the survivor's change


async def test_support_adds_weight(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    r = await anon.post(f"/api/v1/petitions/{code}/support", json={"name": "Trần Văn Nam"})
    assert r.status_code == 200 and r.json()["weight"] == 2
    r = await anon.post(f"/api/v1/petitions/{code}/support", json={"website": "http://spam"})
    assert refusal(r) == (422, "invalid")
    await act_ok(client, w.commune_sec, code, "reject", reason="Không thuộc thẩm quyền")
    r = await anon.post(f"/api/v1/petitions/{code}/support", json={})
    assert refusal(r) == (409, "not_open")
