"""Every elections operation: declared once in the registry, pointed at by its routes, and its
permission matrix (roles × own and other council) as declared: the secretariat manages, the
public reads, other councils are refused."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from council.models import Council
from council.registry import REGISTRY, Operation
from elections import operations as ops
from elections import scopes
from elections.models import Candidate, Constituency, Election, Term, TermSeat
from elections.routes import routes as elections_routes
from tests.factories import make_council, make_user
from tests.operations import assert_permission_matrix

ELECTIONS_OPS = sorted(
    (op for op in vars(ops).values() if isinstance(op, Operation)), key=lambda o: o.name
)
_seq = itertools.count(1)


async def _council_code(council: Council) -> dict[str, Any]:
    return {"code": council.code}


async def _election(council: Council) -> dict[str, Any]:
    term = await Term.create(council_id=council.id, number=next(_seq), starts_on=date(2026, 3, 15))
    election = await Election.create(
        slug=f"hdnd.t{next(_seq)}.2026-03-15", council_id=council.id, term_id=term.id,
        day=date(2026, 3, 15),
    )  # fmt: skip
    return {"slug": election.slug, "_election": election, "_term": term}


async def _candidate(council: Council) -> dict[str, Any]:
    election = (await _election(council))["_election"]
    constituency = await Constituency.create(election=election, number=1, area="Tổ 1", seats=1)
    candidate = await Candidate.create(
        constituency=constituency, full_name="Nguyễn Văn A", birth_date=date(1980, 1, 1),
        gender="male",
    )  # fmt: skip
    return {"candidate_id": candidate.id}


async def _seat(council: Council) -> dict[str, Any]:
    term = (await _election(council))["_term"]
    user = await make_user("delegate", council)
    seat = await TermSeat.create(term_id=term.id, user_id=user.id, since=date(2026, 3, 15))
    return {"seat_id": seat.id}


async def _delegate(council: Council) -> dict[str, Any]:
    return {"user_id": (await make_user("delegate", council)).id}


async def _nothing(council: Council) -> dict[str, Any]:
    return {}


# The target each scope resolver reads, made in a given council.
TARGETS: dict[Any, Callable[[Council], Awaitable[dict[str, Any]]]] = {
    None: _nothing,
    scopes.council_scope: _council_code,
    scopes.election_scope: _election,
    scopes.candidate_scope: _candidate,
    scopes.seat_scope: _seat,
    scopes.delegate_scope: _delegate,
}


@pytest.mark.parametrize("op", ELECTIONS_OPS, ids=lambda op: op.name)
async def test_permission_matrix(settings: Any, op: Operation) -> None:
    own = await make_council()
    other = await make_council()
    make = TARGETS.get(op.permission.resolve)
    assert make is not None, f"{op.name}: add a target for its resolver to TARGETS"
    params = {k: v for k, v in (await make(own)).items() if not k.startswith("_")}
    await assert_permission_matrix(op, params, own, other)


def test_every_elections_route_points_at_a_registered_operation() -> None:
    names = {route.name.split(":")[0] for route in elections_routes}  # type: ignore[attr-defined]
    assert names <= set(REGISTRY), sorted(names - set(REGISTRY))
    for name in names:
        assert REGISTRY[name] in ELECTIONS_OPS, name
    # Every operation is reached by some route.
    declared = {op.name for op in ELECTIONS_OPS}
    assert declared <= names, declared - names
