"""Every questioning operation in the registry (``questioning/operations.py``): its permission
matrix through ``assert_permission_matrix`` (each role of the target's council and of another,
and no one logged in), on a real target of each kind its resolver reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from council.registry import REGISTRY, Operation
from questioning import operations as ops
from questioning import scopes
from tests.operations import assert_permission_matrix
from tests.questioning.helpers import World, file_question, ok, setup_world


async def _session(client, w: World) -> dict[str, Any]:
    return {"session_id": w.session_id}


async def _form(client, w: World) -> dict[str, Any]:
    return {"form_id": (await file_question(client, w))["id"]}


async def _group(client, w: World) -> dict[str, Any]:
    group = await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/groups",
        json={"title": "Giao thông", "criterion": "pressing"},
    )
    return {"group_id": group["id"]}


async def _commitment(client, w: World) -> dict[str, Any]:
    made = await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/commitments",
        json={
            "agency_code": "SO-XD-Q",
            "official_name": "Nguyễn Văn Giám",
            "official_title": "Giám đốc Sở Xây dựng",
            "measure": "Sửa xong mặt đường",
            "deadline": "2027-06-30",
        },
    )
    return {"commitment_id": made["id"]}


async def _code(client, w: World) -> dict[str, Any]:
    return {"code": w.council.code}


async def _nothing(client, w: World) -> dict[str, Any]:
    return {}


TARGETS: dict[Any, Callable[[Any, World], Awaitable[dict[str, Any]]]] = {
    None: _nothing,
    scopes.session_scope: _session,
    scopes.form_scope: _form,
    scopes.group_scope: _group,
    scopes.commitment_scope: _commitment,
    scopes.council_code_scope: _code,
}
ALL = sorted(ops.OPERATIONS.values(), key=lambda op: op.name)


def test_every_operation_is_in_the_registry() -> None:
    assert len(ALL) == 34
    assert all(REGISTRY[op.name] is op for op in ALL)


@pytest.mark.parametrize("op", ALL, ids=lambda op: op.name)
async def test_permission_matrix(client, op: Operation) -> None:
    w = await setup_world()
    make = TARGETS.get(op.permission.resolve)
    assert make is not None, f"{op.name}: add a target for its resolver to TARGETS"
    await assert_permission_matrix(op, await make(client, w), w.council, w.other)
