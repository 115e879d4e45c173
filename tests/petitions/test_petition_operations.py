"""Every petitions operation: declared once in the registry, pointed at by its routes and pages,
its permission matrix (roles × own and other council) as declared, and the audit entries the
services write named after operations."""

from __future__ import annotations

import ast
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route

from council.models import Agency, Council
from council.registry import REGISTRY, Operation
from petitions import operations as ops
from petitions.codes import new_tracking_code
from petitions.models import Petition
from petitions.routes import routes as petitions_routes
from petitions.services.cycles import current_cycle
from petitions.services.scope import petition_scope
from petitions.workflow import ACTION_ROLES, Action
from tests.factories import make_agency, make_council
from tests.operations import assert_permission_matrix
from tests.petitions.helpers import act, file_petition, setup_world

PETITIONS_OPS = sorted(
    [
        *(op for op in vars(ops).values() if isinstance(op, Operation)),
        *ops.ACTIONS.values(),
        *ops.EXTENSION_DECISIONS.values(),
    ],
    key=lambda o: o.name,
)


async def _petition(council: Council) -> dict[str, Any]:
    """A petition received and handled by ``council``, assigned to an agency of it."""
    agency = await make_agency(council, f"A-{council.code}")
    cycle = await current_cycle(council.id)
    p = await Petition.create(
        code=new_tracking_code(2026),
        token_hash="x" * 64,
        council_id=council.id,
        handler_id=council.id,
        agency_id=agency.id,
        cycle_id=cycle.id,
        status="assigned",
        category="transport",
        title="Đề nghị sửa đường",
        body="Mặt đường hư hỏng.",
    )
    return {"code": p.code, "_agency": agency}


async def _nothing(council: Council) -> dict[str, Any]:
    return {}


# The target each scope resolver reads, made in a given council.
TARGETS: dict[Any, Callable[[Council], Awaitable[dict[str, Any]]]] = {
    None: _nothing,
    petition_scope: _petition,
}


@pytest.mark.parametrize("op", PETITIONS_OPS, ids=lambda op: op.name)
async def test_permission_matrix(settings: Any, op: Operation) -> None:
    own, other = await make_council(), await make_council()
    make = TARGETS.get(op.permission.resolve)
    assert make is not None, f"{op.name}: add a target for its resolver to TARGETS"
    target = await make(own)
    agency: Agency | None = target.get("_agency")
    params = {k: v for k, v in target.items() if not k.startswith("_")}
    await assert_permission_matrix(op, params, own, other, own_agency=agency)


def test_every_petitions_route_points_at_a_registered_operation() -> None:
    names = {route.name.split(":")[0] for route in petitions_routes if isinstance(route, Route)}
    assert names <= set(REGISTRY), sorted(names - set(REGISTRY))
    # Every operation is reached by some route, the actions and decisions through their gate's.
    through_gate = {op.name for op in (*ops.ACTIONS.values(), *ops.EXTENSION_DECISIONS.values())}
    declared = {op.name for op in PETITIONS_OPS}
    assert declared - names == through_gate, declared - names ^ through_gate
    assert {ops.PETITION_ACT.name, ops.PETITION_EXTENSION_DECIDE.name} <= names


def test_each_action_is_an_operation_with_its_roles() -> None:
    assert set(ops.ACTIONS) == set(Action)
    for action, op in ops.ACTIONS.items():
        assert op.name == f"petition.{action.value}"
        assert op.roles == ACTION_ROLES[action], op.name
        assert op.roles is not None and op.roles <= ops.PETITION_ACT.roles  # type: ignore[operator]
        assert op.body is ops.PETITION_ACT.body and op.permission.resolve is petition_scope


# Audit entries written under another name than a registered operation's (none).
SYSTEM_ENTRIES: set[str] = set()


def test_audit_entries_are_named_after_operations() -> None:
    """Every audit entry the petitions code writes carries a registered operation's name; the
    actions' and the extension decisions' names are built from their value."""
    root = Path(__file__).resolve().parents[2] / "petitions"
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        for call in ast.walk(ast.parse(path.read_text())):
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "audit.record":
                first = call.args[0]
                where = f"{path.name}:{call.lineno}"
                if isinstance(first, ast.Constant):
                    found[str(first.value)] = where
                else:  # f"petition.{action.value}", f"petition.extension_{…}"
                    found[ast.unparse(first)] = where
    assert len(found) >= 12  # the scan sees the services' entries
    built = {
        "f'petition.{action.value}'": {op.name for op in ops.ACTIONS.values()},
        "f\"petition.extension_{('approve' if approve else 'refuse')}\"": {
            op.name for op in ops.EXTENSION_DECISIONS.values()
        },
    }
    unknown = {}
    for name, where in found.items():
        names = built.get(name, {name})
        if not names <= set(REGISTRY):
            unknown[name] = where
    assert set(unknown) == SYSTEM_ENTRIES, unknown


async def test_an_action_is_checked_against_its_own_operation(client: Any, anon: Any) -> None:
    """The gate (petition.act) lets an agency officer in; the action's operation refuses what
    its role may not do, naming that operation, over the API and on the staff page."""
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    r = await act(client, w.commune_officer, code, "accept")
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "forbidden" and error["details"]["operation"] == "petition.accept"
    r = await act(client, w.commune_chair, code, "accept")  # not even through the gate
    assert r.status_code == 403
    assert r.json()["error"]["details"]["operation"] == "petition.act"
