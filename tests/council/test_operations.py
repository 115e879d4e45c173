"""The operation registry (``council.registry``): one declaration per name, and the docs page
that lists every operation, checked against it the way the settings table is.

docs/operation-list.md holds the table between `<!-- operations:start -->` and
`<!-- operations:end -->`. After adding or changing an operation, rewrite it with:

    .venv/bin/python -m tests.council.test_operations --write
"""

from __future__ import annotations

import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route

from council import operations as core_ops
from council import registry as operations
from council import routes as council_routes
from council import scopes
from council.admin import routes as admin_routes
from council.app import _routes, domain_modules
from council.models import Council
from council.realtime import EVENTS
from council.registry import REGISTRY, DuplicateOperation, Operation, operation
from council.signing import operations as signing_ops
from council.validation import Schema
from tests.factories import make_council, make_user
from tests.operations import assert_permission_matrix

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operation-list.md"
START, END = "<!-- operations:start -->", "<!-- operations:end -->"


def _load() -> None:
    """Every package's routes and events, which declare (or import) the operations."""
    domain_modules("events")
    _routes()


def _reached_by() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for route in _routes():
        if isinstance(route, Route) and route.name:
            name = route.name.split(":")[0]
            methods = "/".join(sorted(m for m in route.methods or () if m != "HEAD"))
            found.setdefault(name, []).append(f"`{methods} {route.path}`")
    for event, spec in EVENTS.items():
        found.setdefault(spec.perm.name, []).append(f"`{event}` (Socket.IO)")
    return found


def _who(op: Operation) -> str:
    perm = op.permission
    if perm.public:
        return "anyone"
    if perm.roles is None:
        return "any logged-in user"
    roles = ", ".join(sorted(perm.roles))
    if perm.scope == "any":
        return roles
    resolver = perm.resolve.__name__ if perm.resolve else "the user's own"
    return f"{roles}; {perm.scope}: `{resolver}`"


def table() -> str:
    _load()
    reached = _reached_by()
    lines = [
        "| operation | who (roles; scope: resolver) | input | service | reached by | what |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(REGISTRY):
        op = REGISTRY[name]
        service = f"`{op.service.__module__}.{op.service.__name__}`" if op.service else "—"
        body = f"`{op.body.__name__}`" if op.body else "—"
        routes = "<br>".join(sorted(reached.get(name, []))) or "—"
        lines.append(f"| `{name}` | {_who(op)} | {body} | {service} | {routes} | {op.summary} |")
    return "\n".join(lines)


def block(text: str) -> str | None:
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else None


def test_every_operation_is_documented() -> None:
    documented = block(DOC.read_text(encoding="utf-8"))
    assert documented is not None, f"{DOC.name} has no {START} … {END} block"
    assert documented == table(), (
        f"{DOC.name} differs from the registry: run .venv/bin/python -m "
        "tests.council.test_operations --write"
    )


def test_a_second_declaration_of_a_name_is_refused() -> None:
    _load()
    with pytest.raises(DuplicateOperation, match="ballot.cast"):
        operation("ballot.cast", "delegate")
    assert "nobody.here" not in REGISTRY


def test_a_route_may_not_declare_another_input_schema_than_its_operation() -> None:
    _load()

    class Other(Schema):
        choice: int

    with pytest.raises(DuplicateOperation, match="input schema"):
        operations.body_of(REGISTRY["ballot.cast"], Other)


def test_declarations_say_who() -> None:
    with pytest.raises(ValueError, match="no role"):
        operation("test.nobody")
    with pytest.raises(ValueError, match="unknown roles"):
        operation("test.unknown", "mayor")
    assert "test.nobody" not in REGISTRY and "test.unknown" not in REGISTRY


if __name__ == "__main__" and "--write" in sys.argv:
    text = DOC.read_text(encoding="utf-8")
    old = block(text)
    assert old is not None
    DOC.write_text(text.replace(old, table()), encoding="utf-8")
    print(f"rewrote {DOC.relative_to(ROOT)}")


CORE_OPS = sorted(
    (
        op
        for module in (core_ops, signing_ops)
        for op in vars(module).values()
        if isinstance(op, Operation)
    ),
    key=lambda o: o.name,
)


async def _council_target(council: Council) -> dict[str, Any]:
    return {"council_id": council.id}


async def _user_target(council: Council) -> dict[str, Any]:
    return {"user_id": (await make_user("delegate", council)).id}


async def _nothing(council: Council) -> dict[str, Any]:
    return {}


TARGETS: dict[Any, Callable[[Council], Awaitable[dict[str, Any]]]] = {
    None: _nothing,
    scopes.council_scope: _council_target,
    scopes.user_scope: _user_target,
    scopes.council_by_id_or_code: _council_target,
}


@pytest.mark.parametrize("op", CORE_OPS, ids=lambda op: op.name)
async def test_permission_matrix(settings: Any, op: Operation) -> None:
    own, other = await make_council(), await make_council()
    make = TARGETS.get(op.permission.resolve)
    assert make is not None, f"{op.name}: add a target for its resolver to TARGETS"
    await assert_permission_matrix(op, await make(own), own, other)


def test_every_core_route_points_at_a_registered_operation() -> None:
    names = {
        route.name.split(":")[0]
        for route in [*council_routes.routes, *admin_routes]
        if isinstance(route, Route)
        and route.name
        and route.path.startswith(("/api", "/admin"))
        or isinstance(route, Route)
        and route.path in ("/", "/login", "/logout")
    }
    assert names <= set(REGISTRY), sorted(names - set(REGISTRY))
    assert {op.name for op in CORE_OPS} <= names, {op.name for op in CORE_OPS} - names


def test_every_operation_is_in_a_module_whose_permission_matrix_is_tested() -> None:
    """Each package's test_operations parametrizes its matrix over its operations module (its
    Operation attributes, and dicts of them such as petitions' actions): an operation declared
    anywhere else would have no matrix test."""
    import importlib  # the packages' operation modules, named here as the matrix tests take them

    covered: set[str] = set()
    packages = ("council", "council.signing", "meetings", "petitions", "assistant", "elections")
    for package in (*packages, "questioning"):
        module = importlib.import_module(f"{package}.operations")
        for value in vars(module).values():
            if isinstance(value, Operation):
                covered.add(value.name)
            elif isinstance(value, dict):
                covered |= {v.name for v in value.values() if isinstance(v, Operation)}
    assert sorted(set(REGISTRY) - covered) == []
