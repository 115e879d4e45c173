"""question.file, question.edit, question.withdraw and who sees the forms (issue 20 item 1)."""

from __future__ import annotations

from council.models import AuditEntry
from tests.factories import error_code
from tests.questioning.helpers import call, file_question, form_body, ok, setup_world, visible_ids


async def test_a_delegate_files_edits_and_withdraws_a_form(client) -> None:
    w = await setup_world()
    form = await file_question(client, w)
    assert form["state"] == "filed"
    assert form["official_title"] == "Giám đốc Sở Xây dựng"
    assert form["agency_code"] == "SO-XD-Q"
    assert await AuditEntry.exists(operation="question.file", target_id=str(form["id"]))

    changed = await ok(
        client,
        w.delegate,
        "PUT",
        f"/api/v1/questioning/forms/{form['id']}",
        json=form_body(field="Đô thị", text="Đề nghị cho biết vì sao dự án chậm tiến độ hai năm."),
    )
    assert changed["field"] == "Đô thị"

    r = await call(client, w.delegate2, "POST", f"/api/v1/questioning/forms/{form['id']}/withdraw")
    assert r.status_code == 403  # only the asker

    gone = await ok(client, w.delegate, "POST", f"/api/v1/questioning/forms/{form['id']}/withdraw")
    assert gone["state"] == "withdrawn"
    assert await AuditEntry.exists(operation="question.withdraw", target_id=str(form["id"]))


async def test_the_agency_must_be_on_the_councils_list(client) -> None:
    w = await setup_world()
    r = await call(
        client,
        w.delegate,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/forms",
        json=form_body(agency_code="SO-XD-O"),
    )
    assert r.status_code == 422
    assert "agency_code" in r.json()["error"]["details"]["fields"]


async def test_petition_codes_must_name_petitions(client) -> None:
    w = await setup_world()
    r = await call(
        client,
        w.delegate,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/forms",
        json=form_body(petition_codes=["not a code"]),
    )
    assert r.status_code == 422
    assert "petition_codes" in r.json()["error"]["details"]["fields"]


async def test_who_sees_which_forms(client, anon) -> None:
    w = await setup_world()
    mine = (await file_question(client, w))["id"]
    theirs = (await file_question(client, w, user=w.delegate2))["id"]
    both = {mine, theirs}
    assert await visible_ids(client, w.secretariat, w.session_id) == both
    assert await visible_ids(client, w.chair, w.session_id) == both
    assert await visible_ids(client, w.delegate, w.session_id) == {mine}
    assert await visible_ids(client, w.other_secretariat, w.session_id) == set()
    assert await visible_ids(client, w.other_delegate, w.session_id) == set()
    assert await visible_ids(client, None, w.session_id) == set()
    r = await call(client, w.other_secretariat, "GET", f"/api/v1/questioning/forms/{mine}")
    assert r.status_code == 404
    assert (await anon.get(f"/api/v1/questioning/forms/{mine}")).status_code == 404


async def test_the_public_sees_chosen_forms_only_after_the_sitting(client, anon) -> None:
    w = await setup_world()
    chosen = (await file_question(client, w))["id"]
    left_out = (await file_question(client, w, user=w.delegate2))["id"]
    withdrawn = (await file_question(client, w, user=w.delegate2))["id"]
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
        json={"group_id": group["id"], "form_ids": [chosen, withdrawn]},
    )
    await ok(client, w.delegate2, "POST", f"/api/v1/questioning/forms/{withdrawn}/withdraw")
    await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/groups/{group['id']}/choose",
        json={"chosen": True},
    )
    await ok(client, w.chair, "POST", f"{base}/groups/fix")
    assert await visible_ids(client, None, w.session_id) == set()  # not held yet

    r = await call(client, w.delegate, "POST", f"/api/v1/questioning/forms/{chosen}/withdraw")
    assert r.status_code == 409 and error_code(r) == "groups_fixed"

    await ok(client, w.chair, "POST", f"{base}/hold")
    assert await visible_ids(client, None, w.session_id) == {chosen}
    assert await visible_ids(client, w.other_delegate, w.session_id) == {chosen}
    assert left_out not in await visible_ids(client, None, w.session_id)
    r = await anon.get(f"/api/v1/questioning/forms/{withdrawn}")
    assert r.status_code == 404
