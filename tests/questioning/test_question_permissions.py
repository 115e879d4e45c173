"""Every questioning operation's permission matrix: each role, in the sitting's council and in
another, through the API routes that declare it (``questioning/operations.py`` read with the
route registry). A cell the permission refuses is a 403 audited as ``permission.denied``; a cell it
allows is never refused by it (the service may still refuse, e.g. someone else's form)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from council.models import AuditEntry
from council.web import API_REGISTRY
from questioning import operations as ops
from questioning import routes as questioning_routes
from tests.factories import bearer
from tests.questioning.helpers import World, file_question, form_body, ok, setup_world

assert questioning_routes.routes  # imported for API_REGISTRY, which the cases read
OPERATIONS = {name: op.permission for name, op in ops.OPERATIONS.items()}
ROLES = ("secretariat", "chair", "delegate", "agency", "citizen")

BODIES: dict[str, Any] = {
    "question.file": form_body(),
    "question.edit": form_body(),
    "question_group.create": {"title": "Giao thông", "criterion": "pressing"},
    "question_group.edit": {"title": "Giao thông", "criterion": "violations"},
    "question_group.choose": {"chosen": True},
    "answer.request": {"working_days": 5},
    "answer.submit": {"text": "Sở đã bố trí vốn sửa chữa trong quý I."},
    "answer.assess": {"verdict": "satisfactory"},
    "commitment.report": {"percent": 10, "note": "Đã khảo sát hiện trạng."},
    "selection.open": {"max_choices": 1},
    "questioning.limits": {"asking_minutes": 4, "answering_minutes": 12, "followup_minutes": 2},
    "selection.close": {"prefer": []},
    "commitment.create": {
        "agency_code": "SO-XD-Q",
        "official_name": "Nguyễn Văn Giám",
        "official_title": "Giám đốc Sở Xây dựng",
        "measure": "Sửa xong mặt đường",
        "deadline": "2027-06-30",
    },
}


async def _targets(client, w: World) -> dict[str, Any]:
    form = await file_question(client, w)
    base = f"/api/v1/questioning/sessions/{w.session_id}"
    group = await ok(
        client, w.chair, "POST", f"{base}/groups", json=BODIES["question_group.create"]
    )
    await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/forms/{form['id']}/answer-request",
        json={"working_days": 5},
    )
    second = await ok(
        client, w.chair, "POST", f"{base}/groups", json=BODIES["question_group.create"]
    )
    await ok(client, w.chair, "POST", f"{base}/selection", json={"max_choices": 1})
    commitment = await ok(
        client, w.chair, "POST", f"{base}/commitments", json=BODIES["commitment.create"]
    )
    return {
        "session_id": w.session_id,
        "form_id": form["id"],
        "group_id": group["id"],
        "second_group_id": second["id"],
        "commitment_id": commitment["id"],
        "code": w.council.code,
        "fmt": "xlsx",
    }


def _cases() -> list[tuple[str, str, str]]:
    out = []
    for meta in API_REGISTRY:
        if meta.name in OPERATIONS and not OPERATIONS[meta.name].public:
            out.append((meta.name, meta.method, meta.path))
    return out


def test_every_guarded_operation_has_a_route() -> None:
    guarded = {n for n, p in OPERATIONS.items() if not p.public and n != "questioning.inbox"}
    assert guarded <= {name for name, _m, _p in _cases()}


@pytest.mark.parametrize(("name", "method", "path"), _cases(), ids=lambda v: str(v))
async def test_permission_matrix(client, anon, name: str, method: str, path: str) -> None:
    w = await setup_world()
    targets = await _targets(client, w)
    url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(targets[m.group(1)]), path)
    body = BODIES.get(name)
    if name == "question_group.move":
        body = {"form_ids": [targets["form_id"]], "group_id": targets["group_id"]}
    if name in ("questioning.call", "questioning.answer", "questioning.followup"):
        body = {"session_id": targets["session_id"], "form_id": targets["form_id"]}
    if name == "questioning.conclude":
        body = {
            "session_id": targets["session_id"],
            "group_id": targets["group_id"],
            "text": "Kết luận",
        }
    if name == "selection.vote":
        body = {"group_ids": [targets["group_id"]]}
    perm = OPERATIONS[name]
    r = await anon.request(method, url, json=body)
    assert r.status_code == 401, (name, r.text)
    for role in ROLES:
        for own in (True, False):
            user = w.by_role(role, own)
            before = await AuditEntry.filter(operation="permission.denied").count()
            r = await client.request(method, url, json=body, headers=await bearer(user))
            denied = await AuditEntry.filter(operation="permission.denied").count() > before
            allowed = role in (perm.roles or ()) and (own or perm.scope == "any")
            if allowed:
                assert not denied and r.status_code not in (401, 500), (name, role, own, r.text)
            else:
                assert denied and r.status_code == 403, (name, role, own, r.status_code, r.text)
