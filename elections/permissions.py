"""Every operation of the elections domain with its permission, declared once here and used by its
API route, its page and its audit entry (the operation's name)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from council.errors import NotFound
from council.i18n import N_
from council.models import Council
from council.permissions import Permission, Scope, allow, public
from elections.models import Candidate, Constituency, Election

MANAGERS = ("admin", "secretariat")


async def _council_scope(params: Mapping[str, Any]) -> Scope:
    council = await Council.get_or_none(code=str(params.get("code", ""))[:32])
    if council is None:
        raise NotFound(N_("No council has this code."))
    return Scope.council(council.id)


async def _election_scope(params: Mapping[str, Any]) -> Scope:
    election = await Election.get_or_none(slug=str(params.get("slug", ""))[:64])
    if election is None:
        raise NotFound(N_("No election has this id."))
    return Scope.council(election.council_id)  # type: ignore[attr-defined]


async def _candidate_scope(params: Mapping[str, Any]) -> Scope:
    try:
        candidate = await Candidate.get_or_none(id=int(params.get("candidate_id")))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        candidate = None
    if candidate is None:
        raise NotFound(N_("No such candidate."))
    constituency = await Constituency.get(id=candidate.constituency_id)  # type: ignore[attr-defined]
    election = await Election.get(id=constituency.election_id)  # type: ignore[attr-defined]
    return Scope.council(election.council_id)  # type: ignore[attr-defined]


OPERATIONS: dict[str, Permission] = {
    "election.list": public("election.list"),
    "election.view": public("election.view"),
    "term.create": allow("term.create", *MANAGERS, scope="council", resolve=_council_scope),
    "election.create": allow("election.create", *MANAGERS, scope="council", resolve=_council_scope),
    "constituency.save": allow(
        "constituency.save", *MANAGERS, scope="council", resolve=_election_scope
    ),
    "candidate.create": allow(
        "candidate.create", *MANAGERS, scope="council", resolve=_election_scope
    ),
    "candidate.update": allow(
        "candidate.update", *MANAGERS, scope="council", resolve=_candidate_scope
    ),
    "area.save": allow("area.save", *MANAGERS, scope="council", resolve=_election_scope),
    "contact.list": public("contact.list"),
    "delegate.activity": public("delegate.activity"),
    "term.seats_reading": allow(
        "term.seats_reading", *MANAGERS, scope="council", resolve=_council_scope
    ),
    "contact.schedule": allow(
        "contact.schedule", *MANAGERS, scope="council", resolve=_council_scope
    ),
    "contact.link": allow("contact.link", *MANAGERS, scope="council", resolve=_council_scope),
    "area.import": allow("area.import", *MANAGERS, scope="council", resolve=_election_scope),
    "election.confirm": allow(
        "election.confirm", *MANAGERS, scope="council", resolve=_election_scope
    ),
    "term.roster": allow("term.roster", *MANAGERS, scope="council", resolve=_election_scope),
    "election.manage": allow(
        "election.manage", *MANAGERS, scope="council", resolve=_election_scope
    ),
}
