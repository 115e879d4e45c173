"""Who may act on elections: the managers' roles and the resolvers that find the council a
target belongs to (``elections.operations`` declares each operation with them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from council.errors import NotFound
from council.i18n import N_
from council.models import Council, User
from council.permissions import Scope
from elections.models import Candidate, Constituency, Election, TermSeat

MANAGERS = ("admin", "secretariat")


def _int(params: Mapping[str, Any], key: str) -> int:
    try:
        return int(params.get(key))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


async def council_scope(params: Mapping[str, Any]) -> Scope:
    council = await Council.get_or_none(code=str(params.get("code", ""))[:32])
    if council is None:
        raise NotFound(N_("No council has this code."))
    return Scope.council(council.id)


async def election_scope(params: Mapping[str, Any]) -> Scope:
    election = await Election.get_or_none(slug=str(params.get("slug", ""))[:64])
    if election is None:
        raise NotFound(N_("No election has this id."))
    return Scope.council(election.council_id)  # type: ignore[attr-defined]


async def candidate_scope(params: Mapping[str, Any]) -> Scope:
    candidate = await Candidate.get_or_none(id=_int(params, "candidate_id"))
    if candidate is None:
        raise NotFound(N_("No such candidate."))
    constituency = await Constituency.get(id=candidate.constituency_id)  # type: ignore[attr-defined]
    election = await Election.get(id=constituency.election_id)  # type: ignore[attr-defined]
    return Scope.council(election.council_id)  # type: ignore[attr-defined]


async def seat_scope(params: Mapping[str, Any]) -> Scope:
    rows = await TermSeat.filter(id=_int(params, "seat_id")).values_list(
        "term__council_id", flat=True
    )
    if not rows:
        raise NotFound(N_("No such seat."))
    return Scope.council(*cast(list[int], rows))


async def delegate_scope(params: Mapping[str, Any]) -> Scope:
    """A delegate's account: its council."""
    rows = await User.filter(id=_int(params, "user_id")).values_list("council_id", flat=True)
    if not rows or rows[0] is None:
        raise NotFound(N_("No such delegate."))
    return Scope.council(*cast(list[int], rows))
