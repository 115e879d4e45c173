"""What the elections pages and API share: finding a council, an election and a constituency
from the path, and an election as the API and pages show it."""

from __future__ import annotations

from starlette.responses import Response

from council.errors import DomainError, NotFound
from council.i18n import N_
from council.models import Council
from council.templating import render
from council.web import Ctx
from elections import (
    services,
)
from elections.models import Candidate, Constituency, Election, Term
from elections.schemas import (
    ConstituencyOut,
    ElectionCandidateOut,
    ElectionOut,
)

council_of = services.council_by_code


async def election_of(slug: str) -> Election:
    return await services.election_by_slug(slug)


async def constituency_of(election: Election, number: int) -> Constituency:
    constituency = await Constituency.get_or_none(election_id=election.id, number=number)
    if constituency is None:
        raise NotFound(N_("No constituency has this number in this election."))
    return constituency


def candidate_out(c: Candidate, votes: int | None, elected: bool) -> ElectionCandidateOut:
    return ElectionCandidateOut(
        id=c.id,
        full_name=c.full_name,
        birth_date=c.birth_date,
        gender=c.gender,
        ethnicity=c.ethnicity,
        religion=c.religion,
        hometown=c.hometown,
        education=c.education,
        political_theory=c.political_theory,
        occupation=c.occupation,
        workplace=c.workplace,
        party_joined=c.party_joined,
        nominated_by=c.nominated_by,
        withdrawn=c.withdrawn,
        votes=votes,
        elected=elected,
    )


async def election_out(election: Election) -> ElectionOut:
    council = await Council.get(id=election.council_id)  # type: ignore[attr-defined]
    term = await Term.get(id=election.term_id)  # type: ignore[attr-defined]
    result = await services.outcome(election)
    show_votes = election.status != "preparing"
    constituencies = []
    for o in result.constituencies:
        r = o.result
        constituencies.append(
            ConstituencyOut(
                number=o.constituency.number,
                area=o.constituency.area,
                division_codes=list(o.constituency.division_codes),
                seats=o.constituency.seats,
                registered=o.constituency.registered,
                candidates=[
                    candidate_out(
                        c,
                        r.votes.get(c.id) if show_votes else None,
                        election.status == "confirmed" and c.id in r.winners,
                    )
                    for c in o.candidates
                ],
                list_problem=await services.list_problems(o.constituency),
                counted=o.counted,
                voted=r.voted,
                valid=r.valid,
                turnout_valid=r.turnout_valid,
                repeat_needed=o.counted and r.repeat_needed,
                unfilled=r.unfilled if o.counted else o.constituency.seats,
                tie_broken_by_age=r.tie_broken_by_age,
            )
        )
    return ElectionOut(
        id=election.slug,
        council_code=council.code,
        council_name=council.name,
        division_code=council.division_code,
        day=election.day,
        kind=election.kind,
        status=election.status,
        term=services.term_label(term),
        seats=result.council_seats,
        filled=result.filled,
        provisional=election.status == "counting",
        supplementary_needed=result.complete and result.supplementary_needed,
        constituencies=constituencies,
    )


async def election_page_of(
    ctx: Ctx, election: Election, import_error: DomainError | None = None
) -> Response:
    return render(
        ctx.request,
        "elections/election.html",
        {
            "e": await election_out(election),
            "may_manage": services.may_manage(ctx.user, election.council_id),  # type: ignore[attr-defined]
            "import_error": import_error,
            "import_rows": import_error.details.get("rows", []) if import_error else [],
            "imported": ctx.query.get("imported"),
        },
        status=import_error.status if import_error else 200,
    )
