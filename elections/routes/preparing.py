"""Terms, elections, constituencies and candidates: the API and the election pages."""

from __future__ import annotations

import csv
import io

from starlette.responses import Response

from council.errors import NotFound
from council.i18n import N_
from council.templating import render
from council.web import Ctx, api, page
from elections import operations as ops
from elections import (
    services,
)
from elections.models import Candidate, Election
from elections.routes.common import (
    candidate_out,
    constituency_of,
    council_of,
    election_of,
    election_out,
    election_page_of,
)
from elections.schemas import (
    CandidateIn,
    CandidatePatch,
    ConstituencyIn,
    ElectionCandidateOut,
    ElectionIn,
    ElectionList,
    ElectionOut,
    TermIn,
    TermOut,
)

# --- JSON API -----------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/councils/{code}/terms",
    perm=ops.TERM_CREATE,
    response=TermOut,
    status=201,
    tags=["elections"],
    summary="Create a term of the council",
)
async def term_create(ctx: Ctx) -> TermOut:
    council = await council_of(ctx.params["code"])
    body: TermIn = ctx.body
    term = await services.term_create(
        ctx.require_user(), council, number=body.number, starts_on=body.starts_on
    )
    return TermOut(
        id=term.id,
        number=term.number,
        label=services.term_label(term),
        starts_on=term.starts_on,
        ends_on=term.ends_on,
    )


@api(
    "POST",
    "/api/v1/councils/{code}/elections",
    perm=ops.ELECTION_CREATE,
    response=ElectionOut,
    status=201,
    tags=["elections"],
    summary="Create an election (regular or by-election)",
)
async def election_create(ctx: Ctx) -> ElectionOut:
    council = await council_of(ctx.params["code"])
    body: ElectionIn = ctx.body
    election = await services.election_create(
        ctx.require_user(), council, day=body.day, kind=body.kind, term_number=body.term_number
    )
    return await election_out(election)


@api(
    "GET",
    "/api/v1/elections",
    perm=ops.ELECTION_LIST,
    response=ElectionList,
    tags=["elections"],
    summary="Every election, with constituencies, candidates and results (open data)",
    query={"council_code": "Only the elections of this council"},
)
async def election_list(ctx: Ctx) -> ElectionList:
    qs = Election.all().order_by("-day", "id")
    if code := ctx.query.get("council_code"):
        qs = qs.filter(council__code=code[:32])
    return ElectionList(items=[await election_out(e) for e in await qs.limit(200)])


@api(
    "GET",
    "/api/v1/elections/{slug}",
    perm=ops.ELECTION_VIEW,
    response=ElectionOut,
    tags=["elections"],
    summary="One election by its id, e.g. hdnd.00004.2026-03-15 (open data)",
)
async def election_get(ctx: Ctx) -> ElectionOut:
    return await election_out(await election_of(ctx.params["slug"]))


@api(
    "PUT",
    "/api/v1/elections/{slug}/constituencies/{number:int}",
    perm=ops.CONSTITUENCY_SAVE,
    response=ElectionOut,
    tags=["elections"],
    summary="Create or change a constituency",
)
async def constituency_save(ctx: Ctx) -> ElectionOut:
    election = await election_of(ctx.params["slug"])
    body: ConstituencyIn = ctx.body
    await services.constituency_save(
        ctx.require_user(),
        election,
        number=ctx.params["number"],
        area=body.area,
        seats=body.seats,
        registered=body.registered,
        division_codes=list(body.division_codes),
    )
    return await election_out(election)


@api(
    "POST",
    "/api/v1/elections/{slug}/constituencies/{number:int}/candidates",
    perm=ops.CANDIDATE_CREATE,
    response=ElectionCandidateOut,
    status=201,
    tags=["elections"],
    summary="Add a candidate with the source of the profile",
)
async def candidate_create(ctx: Ctx) -> ElectionCandidateOut:
    election = await election_of(ctx.params["slug"])
    constituency = await constituency_of(election, ctx.params["number"])
    body: CandidateIn = ctx.body
    profile = body.model_dump(exclude={"source"})
    candidate = await services.candidate_create(
        ctx.require_user(), constituency, profile, source=body.source
    )
    return candidate_out(candidate, None, False)


@api(
    "PATCH",
    "/api/v1/candidates/{candidate_id:int}",
    perm=ops.CANDIDATE_UPDATE,
    response=ElectionCandidateOut,
    tags=["elections"],
    summary="Change a candidate's profile, naming the source of the change",
)
async def candidate_update(ctx: Ctx) -> ElectionCandidateOut:
    candidate = await Candidate.get_or_none(id=ctx.params["candidate_id"])
    if candidate is None:
        raise NotFound(N_("No such candidate."))
    body: CandidatePatch = ctx.body
    changes = body.model_dump(exclude={"source"}, exclude_unset=True)
    candidate = await services.candidate_update(
        ctx.require_user(), candidate, changes, source=body.source
    )
    return candidate_out(candidate, None, False)


# --- open data as CSV ---------------------------------------------------------------------------

# The published profile's fields, in the order of the form, then the results.
CSV_COLUMNS = (
    "election_id",
    "constituency",
    "seats",
    "candidate_id",
    *(f for f in services.PROFILE_FIELDS if f != "withdrawn"),
    "votes",
    "elected",
)


@api(
    "GET",
    "/api/v1/elections/{slug}/candidates.csv",
    perm=ops.ELECTION_VIEW,
    tags=["elections"],
    summary="Candidates with their published profiles and results, as CSV (open data)",
    raw_response="text/csv",
)
async def candidates_csv(ctx: Ctx) -> Response:
    out = await election_out(await election_of(ctx.params["slug"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for c in out.constituencies:
        for cand in c.candidates:
            row = cand.model_dump(mode="json")
            writer.writerow(
                [out.id, c.number, c.seats]
                + [row["id"]]
                + [row[k] if row[k] is not None else "" for k in CSV_COLUMNS[4:]]
            )
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{out.id}.candidates.csv"'},
    )


# --- pages --------------------------------------------------------------------------------------


@page("/elections", perm=ops.ELECTION_LIST)
async def elections_page(ctx: Ctx) -> Response:
    """Every election, newest first."""
    rows = await Election.all().prefetch_related("council").order_by("-day", "id").limit(500)
    return render(ctx.request, "elections/list.html", {"elections": rows})


@page("/elections/{slug}", perm=ops.ELECTION_VIEW)
async def election_page(ctx: Ctx) -> Response:
    """An election's constituencies, candidates' published profiles and results."""
    return await election_page_of(ctx, await election_of(ctx.params["slug"]))


routes = [
    term_create,
    election_create,
    election_list,
    election_get,
    constituency_save,
    candidate_create,
    candidate_update,
    candidates_csv,
    elections_page,
    election_page,
]
