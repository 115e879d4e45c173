"""Open data of a council's current term: its constituencies and its delegates, as JSON and CSV.
Nothing beyond the published candidate profiles and the seats (no account details)."""

from __future__ import annotations

from typing import Any

from council.models import Council
from elections import services
from elections.models import Candidate, Constituency, Election, TermSeat
from elections.schemas import (
    OpenConstituencies,
    OpenConstituencyOut,
    OpenDelegateOut,
    OpenDelegates,
)

PROFILE = (
    "birth_date",
    "gender",
    "ethnicity",
    "religion",
    "hometown",
    "education",
    "political_theory",
    "occupation",
    "workplace",
    "party_joined",
    "nominated_by",
)


_council = services.council_by_code


async def constituencies(council: Council) -> OpenConstituencies:
    term = await services.current_term(council.id)
    items: list[OpenConstituencyOut] = []
    if term is not None:
        election = (
            await Election.filter(term_id=term.id, kind="regular").order_by("-day", "-id").first()
        )
        seats = await TermSeat.filter(term_id=term.id).prefetch_related("constituency")
        if election is not None:
            for c in await Constituency.filter(election_id=election.id).order_by("number"):
                mine = [s for s in seats if s.constituency and s.constituency.number == c.number]
                items.append(
                    OpenConstituencyOut(
                        council_code=council.code,
                        election_id=election.slug,
                        number=c.number,
                        area=c.area,
                        division_codes=list(c.division_codes),
                        seats=c.seats,
                        registered=c.registered,
                        in_office=sum(1 for s in mine if s.until is None),
                        vacant=sum(1 for s in mine if s.until is not None),
                    )
                )
    return OpenConstituencies(
        council_code=council.code, term=services.term_label(term) if term else None, items=items
    )


async def delegates(council: Council) -> OpenDelegates:
    term = await services.current_term(council.id)
    items: list[OpenDelegateOut] = []
    if term is not None:
        seats = await TermSeat.filter(term_id=term.id).prefetch_related("user", "constituency")
        for s in sorted(
            seats, key=lambda s: (s.constituency.number if s.constituency else 0, s.user.full_name)
        ):
            candidate = await Candidate.get_or_none(id=s.candidate_id) if s.candidate_id else None  # type: ignore[attr-defined]
            profile: dict[str, Any] = (
                {k: getattr(candidate, k) for k in PROFILE} if candidate else {}
            )
            items.append(
                OpenDelegateOut(
                    user_id=s.user.id,
                    full_name=s.user.full_name,
                    council_code=council.code,
                    constituency=s.constituency.number if s.constituency else None,
                    since=s.since,
                    until=s.until,
                    end_reason=s.end_reason,
                    activity=f"/delegates/{s.user.id}",
                    **profile,
                )
            )
    return OpenDelegates(
        council_code=council.code, term=services.term_label(term) if term else None, items=items
    )
