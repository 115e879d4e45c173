"""Routes of the elections domain: the JSON API (open data included) and the HTML pages.

Each operation's permission is declared once in ``OPERATIONS`` and used by its API route and its page.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Mapping
from typing import Any

from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid, NotFound
from council.i18n import N_
from council.models import Council
from council.officialdoc import render_docx, render_pdf
from council.permissions import public
from council.templating import NavItem, register_nav, render
from council.validation import parse
from council.web import Ctx, api, page
from elections import (
    activity_routes,
    contacts,
    contacts_routes,
    opendata,
    record,
    seats,
    seats_routes,
    services,
    workbook,
    workbook_routes,
)
from elections.models import Candidate, Constituency, Election, Term
from elections.permissions import OPERATIONS
from elections.schemas import (
    AreaIn,
    CandidateIn,
    CandidatePatch,
    ConstituencyIn,
    ConstituencyOut,
    ElectionCandidateOut,
    ElectionIn,
    ElectionList,
    ElectionOut,
    RosterEntryOut,
    RosterOut,
    TermIn,
    TermOut,
)


async def _council(code: str) -> Council:
    council = await Council.get_or_none(code=code[:32])
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council


async def _election(slug: str) -> Election:
    return await services.election_by_slug(slug)


async def _constituency(election: Election, number: int) -> Constituency:
    constituency = await Constituency.get_or_none(election_id=election.id, number=number)
    if constituency is None:
        raise NotFound(N_("No constituency has this number in this election."))
    return constituency


def _candidate_out(c: Candidate, votes: int | None, elected: bool) -> ElectionCandidateOut:
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
                    _candidate_out(
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
        supplementary_needed=result.complete and result.supplementary_needed,
        constituencies=constituencies,
    )


# --- JSON API -----------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/councils/{code}/terms",
    perm=OPERATIONS["term.create"],
    body=TermIn,
    response=TermOut,
    status=201,
    tags=["elections"],
    summary="Create a term of the council",
)
async def term_create(ctx: Ctx) -> TermOut:
    council = await _council(ctx.params["code"])
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
    perm=OPERATIONS["election.create"],
    body=ElectionIn,
    response=ElectionOut,
    status=201,
    tags=["elections"],
    summary="Create an election (regular or by-election)",
)
async def election_create(ctx: Ctx) -> ElectionOut:
    council = await _council(ctx.params["code"])
    body: ElectionIn = ctx.body
    election = await services.election_create(
        ctx.require_user(), council, day=body.day, kind=body.kind, term_number=body.term_number
    )
    return await election_out(election)


@api(
    "GET",
    "/api/v1/elections",
    perm=OPERATIONS["election.list"],
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
    perm=OPERATIONS["election.view"],
    response=ElectionOut,
    tags=["elections"],
    summary="One election by its id, e.g. hdnd.00004.2026-03-15 (open data)",
)
async def election_get(ctx: Ctx) -> ElectionOut:
    return await election_out(await _election(ctx.params["slug"]))


@api(
    "PUT",
    "/api/v1/elections/{slug}/constituencies/{number:int}",
    perm=OPERATIONS["constituency.save"],
    body=ConstituencyIn,
    response=ElectionOut,
    tags=["elections"],
    summary="Create or change a constituency",
)
async def constituency_save(ctx: Ctx) -> ElectionOut:
    election = await _election(ctx.params["slug"])
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
    perm=OPERATIONS["candidate.create"],
    body=CandidateIn,
    response=ElectionCandidateOut,
    status=201,
    tags=["elections"],
    summary="Add a candidate with the source of the profile",
)
async def candidate_create(ctx: Ctx) -> ElectionCandidateOut:
    election = await _election(ctx.params["slug"])
    constituency = await _constituency(election, ctx.params["number"])
    body: CandidateIn = ctx.body
    profile = body.model_dump(exclude={"source"})
    candidate = await services.candidate_create(
        ctx.require_user(), constituency, profile, source=body.source
    )
    return _candidate_out(candidate, None, False)


@api(
    "PATCH",
    "/api/v1/candidates/{candidate_id:int}",
    perm=OPERATIONS["candidate.update"],
    body=CandidatePatch,
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
    return _candidate_out(candidate, None, False)


def _votes(raw: Mapping[str, int]) -> dict[int, int]:
    try:
        return {int(k): int(v) for k, v in raw.items()}
    except (TypeError, ValueError):
        raise Invalid(fields={"votes": str(N_("Votes are given per candidate id."))}) from None


@api(
    "PUT",
    "/api/v1/elections/{slug}/constituencies/{number:int}/areas/{area:int}",
    perm=OPERATIONS["area.save"],
    body=AreaIn,
    response=ElectionOut,
    tags=["elections"],
    summary="Enter a polling area's counts from its polling team's record",
)
async def area_save(ctx: Ctx) -> ElectionOut:
    election = await _election(ctx.params["slug"])
    constituency = await _constituency(election, ctx.params["number"])
    body: AreaIn = ctx.body
    counts = body.model_dump(exclude={"name", "votes"})
    await services.area_save(
        ctx.require_user(),
        constituency,
        number=ctx.params["area"],
        name=body.name,
        counts=counts,
        votes=_votes(body.votes),
    )
    await election.refresh_from_db()
    return await election_out(election)


@api(
    "POST",
    "/api/v1/elections/{slug}/confirm",
    perm=OPERATIONS["election.confirm"],
    response=ElectionOut,
    tags=["elections"],
    summary="Confirm the results once every polling area is counted",
)
async def election_confirm(ctx: Ctx) -> ElectionOut:
    election = await _election(ctx.params["slug"])
    await services.election_confirm(ctx.require_user(), election)
    return await election_out(election)


def _roster_out(term: Term, entries: list[services.RosterEntry]) -> RosterOut:
    return RosterOut(
        term=services.term_label(term),
        delegates=[
            RosterEntryOut(
                candidate_id=e.candidate.id,
                username=e.user.username,
                full_name=e.user.full_name,
                one_time_password=e.password,
            )
            for e in entries
        ],
    )


@api(
    "POST",
    "/api/v1/elections/{slug}/roster",
    perm=OPERATIONS["term.roster"],
    response=RosterOut,
    status=201,
    tags=["elections"],
    summary="Make the term's roster from the confirmed results",
)
async def roster_create(ctx: Ctx) -> RosterOut:
    election = await _election(ctx.params["slug"])
    entries = await services.roster_create(ctx.require_user(), election)
    return _roster_out(await Term.get(id=election.term_id), entries)  # type: ignore[attr-defined]


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
    perm=OPERATIONS["election.view"],
    tags=["elections"],
    summary="Candidates with their published profiles and results, as CSV (open data)",
    raw_response="text/csv",
)
async def candidates_csv(ctx: Ctx) -> Response:
    out = await election_out(await _election(ctx.params["slug"]))
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


@page("/elections", perm=OPERATIONS["election.list"])
async def elections_page(ctx: Ctx) -> Response:
    """Every election, newest first."""
    rows = await Election.all().prefetch_related("council").order_by("-day", "id").limit(500)
    return render(ctx.request, "elections/list.html", {"elections": rows})


@page("/elections/{slug}", perm=OPERATIONS["election.view"])
async def election_page(ctx: Ctx) -> Response:
    """An election's constituencies, candidates' published profiles and results."""
    return await _election_page(ctx, await _election(ctx.params["slug"]))


async def _election_page(
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


@page("/elections/{slug}/counts", perm=OPERATIONS["area.import"], methods=("POST",))
async def counts_import_page(ctx: Ctx) -> Response:
    """The election page's upload form; on a problem the page lists each row's reasons."""
    election = await _election(ctx.params["slug"])
    try:
        data = await workbook_routes.upload_bytes(ctx)
        n = await workbook.import_counts(ctx.require_user(), election, data)
    except DomainError as exc:
        return await _election_page(ctx, election, import_error=exc)
    return RedirectResponse(f"/elections/{election.slug}?imported={n}#import", status_code=303)


def _int(value: Any) -> int:
    try:
        return int(str(value).strip() or "0")
    except ValueError:
        raise Invalid(fields={"counts": str(N_("Counts are whole numbers."))}) from None


@page(
    "/elections/{slug}/constituencies/{number:int}/areas",
    perm=OPERATIONS["area.save"],
    methods=("GET", "POST"),
)
async def area_page(ctx: Ctx) -> Response:
    """The secretariat enters a polling area's counts from the polling team's record."""
    election = await _election(ctx.params["slug"])
    constituency = await _constituency(election, ctx.params["number"])
    candidates = await Candidate.filter(constituency_id=constituency.id, withdrawn=False).order_by(
        "id"
    )
    error: DomainError | None = None
    values: dict[str, Any] = {}
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            body = parse(
                AreaIn,
                {
                    "name": values.get("name", ""),
                    **{f: _int(values.get(f)) for f in services.COUNT_FIELDS},
                    "votes": {str(c.id): _int(values.get(f"votes_{c.id}")) for c in candidates},
                },
            )
            await services.area_save(
                ctx.require_user(),
                constituency,
                number=_int(values.get("number")),
                name=body.name,
                counts=body.model_dump(exclude={"name", "votes"}),
                votes=_votes(body.votes),
            )
            return RedirectResponse(f"/elections/{election.slug}?saved=1", status_code=303)
        except DomainError as exc:
            error = exc
    areas = await constituency.areas.all().order_by("number")  # type: ignore[attr-defined]
    return render(
        ctx.request,
        "elections/area.html",
        {
            "election": election,
            "constituency": constituency,
            "candidates": candidates,
            "areas": areas,
            "values": values,
            "error": error,
            "next_number": (max((a.number for a in areas), default=0) + 1),
        },
        status=error.status if error else 200,
    )


@page("/elections/{slug}/confirm", perm=OPERATIONS["election.confirm"], methods=("POST",))
async def confirm_page(ctx: Ctx) -> Response:
    """Confirm the results (asks first in the page)."""
    election = await _election(ctx.params["slug"])
    await services.election_confirm(ctx.require_user(), election)
    return RedirectResponse(f"/elections/{election.slug}", status_code=303)


@page("/elections/{slug}/roster", perm=OPERATIONS["term.roster"], methods=("POST",))
async def roster_page(ctx: Ctx) -> Response:
    """Make the new term's roster; the one-time passwords are shown once, here."""
    election = await _election(ctx.params["slug"])
    entries = await services.roster_create(ctx.require_user(), election)
    term = await Term.get(id=election.term_id)  # type: ignore[attr-defined]
    return render(
        ctx.request,
        "elections/roster.html",
        {"election": election, "roster": _roster_out(term, entries)},
        status=201,
    )


register_nav(NavItem(N_("Elections"), "/elections", order=70, public=True))

routes = [
    term_create,
    election_create,
    election_list,
    election_get,
    constituency_save,
    candidate_create,
    candidate_update,
    area_save,
    election_confirm,
    roster_create,
    candidates_csv,
    elections_page,
    election_page,
    area_page,
    confirm_page,
    roster_page,
    counts_import_page,
    *workbook_routes.routes,
    *contacts_routes.routes,
    *activity_routes.routes,
    *opendata.routes,
    *seats_routes.routes,
]


# --- your delegates -----------------------------------------------------------------------------


async def _seated(council: Council) -> list[dict[str, Any]]:
    """The current term's constituencies of a council, each with its delegates and vacancies."""
    view = await services.term_view(council)
    if view is None:
        return []
    by_constituency: dict[int, dict[str, Any]] = {}
    for seat in [*view.held, *view.vacant]:
        c = seat.constituency
        key = c.number if c else 0
        entry = by_constituency.setdefault(
            key, {"number": key, "area": c.area if c else "", "delegates": [], "vacant": []}
        )
        candidate = await Candidate.get_or_none(id=seat.candidate_id) if seat.candidate_id else None  # type: ignore[attr-defined]
        if seat.until is None:
            entry["delegates"].append(
                {"name": seat.user.full_name, "candidate": candidate, "user_id": seat.user.id}
            )
        else:
            entry["vacant"].append(
                {
                    "name": seat.user.full_name,
                    "until": seat.until,
                    "reason": services.END_REASON_LABELS.get(seat.end_reason or "other"),
                }
            )
    for v in await contacts.of_council(council, coming_only=True):
        key = v.constituency or 0
        if key in by_constituency:
            by_constituency[key].setdefault("meetings", []).append(v)
    return [by_constituency[k] for k in sorted(by_constituency)]


@page("/delegates", perm=public("delegates.view"))
async def your_delegates(ctx: Ctx) -> Response:
    """A voter picks their commune or ward and sees its delegates and those of its city, by
    constituency; no JavaScript needed."""
    communes = await Council.filter(level="commune", is_active=True).prefetch_related("parent")
    chosen = None
    sections: list[dict[str, Any]] = []
    if code := ctx.query.get("council"):
        chosen = await Council.get_or_none(code=code[:32], level="commune")
        if chosen is None:
            raise NotFound(N_("No council has this code."))
        term = await services.current_term(chosen.id)
        sections.append(
            {
                "council": chosen,
                "term": services.term_label(term) if term else None,
                "constituencies": await _seated(chosen),
                "total": await seats.total(chosen),
            }
        )
        if chosen.parent_id:  # type: ignore[attr-defined]
            city = await Council.get(id=chosen.parent_id)  # type: ignore[attr-defined]
            city_term = await services.current_term(city.id)
            rows = await _seated(city)
            # The city's constituencies that take in this commune, when their areas say so.
            mine = [
                r
                for r in rows
                if chosen.division_code
                and chosen.division_code in (await _codes(city, r["number"]))
            ]
            sections.append(
                {
                    "council": city,
                    "term": services.term_label(city_term) if city_term else None,
                    "constituencies": mine or rows,
                    "total": await seats.total(city),
                }
            )
    return render(
        ctx.request,
        "elections/delegates.html",
        {
            "communes": sorted(communes, key=lambda c: (c.parent.name if c.parent else "", c.name)),
            "chosen": chosen,
            "sections": sections,
        },
    )


async def _codes(city: Council, number: int) -> list[str]:
    term = await services.current_term(city.id)
    if term is None:
        return []
    constituency = await Constituency.filter(
        election__term_id=term.id, election__kind="regular", number=number
    ).first()
    return list(constituency.division_codes) if constituency else []


routes.append(your_delegates)
register_nav(NavItem(N_("Your delegates"), "/delegates", order=65, public=True))


async def _record_file(ctx: Ctx, fmt: str) -> Response:
    election = await _election(ctx.params["slug"])
    if election.status != "confirmed" and not services.may_manage(ctx.user, election.council_id):  # type: ignore[attr-defined]
        raise NotFound(N_("The record is published once the results are confirmed."))
    doc = record.record(await election_out(election))
    render = render_pdf if fmt == "pdf" else render_docx
    data = await asyncio.to_thread(render, doc)
    media = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{election.slug}.bien-ban.{fmt}"'},
    )


@api(
    "GET",
    "/api/v1/elections/{slug}/record.pdf",
    perm=OPERATIONS["election.view"],
    tags=["elections"],
    summary="The record of the results in the official layout (PDF)",
    raw_response="application/pdf",
)
async def record_pdf(ctx: Ctx) -> Response:
    return await _record_file(ctx, "pdf")


@api(
    "GET",
    "/api/v1/elections/{slug}/record.docx",
    perm=OPERATIONS["election.view"],
    tags=["elections"],
    summary="The record of the results in the official layout (DOCX)",
    raw_response="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
async def record_docx(ctx: Ctx) -> Response:
    return await _record_file(ctx, "docx")


routes.extend([record_pdf, record_docx])
