"""Every assistant operation: declared once in the registry, pointed at by its routes and
pages, its permission matrix (roles × own and other council) as declared, and the usage log's
actions named after operations."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Route

from assistant import operations as ops
from assistant.routes import routes as assistant_routes
from assistant.services import grouping, question, summary, usage
from council.registry import REGISTRY, Operation
from tests.factories import make_council
from tests.operations import assert_permission_matrix

ASSISTANT_OPS = sorted(
    (op for op in vars(ops).values() if isinstance(op, Operation)), key=lambda o: o.name
)


@pytest.mark.parametrize("op", ASSISTANT_OPS, ids=lambda op: op.name)
async def test_permission_matrix(settings: Any, op: Operation) -> None:
    # No resolver: the role is the gate; meetings' reader rules decide inside the services.
    assert op.permission.resolve is None and op.scope == "any"
    own, other = await make_council(), await make_council()
    await assert_permission_matrix(op, {}, own, other)


def test_every_assistant_route_points_at_a_registered_operation() -> None:
    names = {route.name.split(":")[0] for route in assistant_routes if isinstance(route, Route)}
    assert names == {op.name for op in ASSISTANT_OPS}
    assert names <= set(REGISTRY)


def test_usage_entries_are_named_after_operations() -> None:
    assert {summary.ACTION, question.ACTION, grouping.ACTION} == set(usage.ACTIONS)
    assert set(usage.ACTIONS) <= {op.name for op in ASSISTANT_OPS}
