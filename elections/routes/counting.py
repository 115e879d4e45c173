"""Counts per polling area, confirmation, the term's roster and the record of the results: the API
and the secretariat's pages."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid, NotFound
from council.i18n import N_
from council.officialdoc import render_docx, render_pdf
from council.templating import render
from council.validation import parse
from council.web import Ctx, api, page
from elections import operations as ops
from elections import (
    record,
    services,
    workbook,
)
from elections.models import Candidate, Term
from elections.routes import workbook as workbook_routes
from elections.routes.common import (
    constituency_of,
    election_of,
    election_out,
    election_page_of,
)
from elections.schemas import (
    AreaIn,
    ElectionOut,
    RosterEntryOut,
    RosterOut,
)


def _votes(raw: Mapping[str, int]) -> dict[int, int]:
    try:
        return {int(k): int(v) for k, v in raw.items()}
    except (TypeError, ValueError):
        raise Invalid(fields={"votes": str(N_("Votes are given per candidate id."))}) from None


@api(
    "PUT",
    "/api/v1/elections/{slug}/constituencies/{number:int}/areas/{area:int}",
    perm=ops.AREA_SAVE,
    response=ElectionOut,
    tags=["elections"],
    summary="Enter a polling area's counts from its polling team's record",
)
async def area_save(ctx: Ctx) -> ElectionOut:
    election = await election_of(ctx.params["slug"])
    constituency = await constituency_of(election, ctx.params["number"])
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
    perm=ops.ELECTION_CONFIRM,
    response=ElectionOut,
    tags=["elections"],
    summary="Confirm the results once every polling area is counted",
)
async def election_confirm(ctx: Ctx) -> ElectionOut:
    election = await election_of(ctx.params["slug"])
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
    perm=ops.TERM_ROSTER,
    response=RosterOut,
    status=201,
    tags=["elections"],
    summary="Make the term's roster from the confirmed results",
)
async def roster_create(ctx: Ctx) -> RosterOut:
    election = await election_of(ctx.params["slug"])
    entries = await services.roster_create(ctx.require_user(), election)
    return _roster_out(await Term.get(id=election.term_id), entries)  # type: ignore[attr-defined]


@page("/elections/{slug}/counts", perm=ops.AREA_IMPORT, methods=("POST",))
async def counts_import_page(ctx: Ctx) -> Response:
    """The election page's upload form; on a problem the page lists each row's reasons."""
    election = await election_of(ctx.params["slug"])
    try:
        data = await workbook_routes.upload_bytes(ctx)
        n = await workbook.import_counts(ctx.require_user(), election, data)
    except DomainError as exc:
        return await election_page_of(ctx, election, import_error=exc)
    return RedirectResponse(f"/elections/{election.slug}?imported={n}#import", status_code=303)


def _int(value: Any) -> int:
    try:
        return int(str(value).strip() or "0")
    except ValueError:
        raise Invalid(fields={"counts": str(N_("Counts are whole numbers."))}) from None


@page(
    "/elections/{slug}/constituencies/{number:int}/areas",
    perm=ops.AREA_SAVE,
    methods=("GET", "POST"),
)
async def area_page(ctx: Ctx) -> Response:
    """The secretariat enters a polling area's counts from the polling team's record."""
    election = await election_of(ctx.params["slug"])
    constituency = await constituency_of(election, ctx.params["number"])
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
    await election.fetch_related("council")  # the breadcrumb names the election by its title
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


@page("/elections/{slug}/confirm", perm=ops.ELECTION_CONFIRM, methods=("POST",))
async def confirm_page(ctx: Ctx) -> Response:
    """Confirm the results (asks first in the page)."""
    election = await election_of(ctx.params["slug"])
    await services.election_confirm(ctx.require_user(), election)
    return RedirectResponse(f"/elections/{election.slug}", status_code=303)


@page("/elections/{slug}/roster", perm=ops.TERM_ROSTER, methods=("POST",))
async def roster_page(ctx: Ctx) -> Response:
    """Make the new term's roster; the one-time passwords are shown once, here."""
    election = await election_of(ctx.params["slug"])
    entries = await services.roster_create(ctx.require_user(), election)
    term = await Term.get(id=election.term_id)  # type: ignore[attr-defined]
    await election.fetch_related("council")  # the breadcrumb names the election by its title
    return render(
        ctx.request,
        "elections/roster.html",
        {"election": election, "roster": _roster_out(term, entries)},
        status=201,
    )


async def _record_file(ctx: Ctx, fmt: str) -> Response:
    election = await election_of(ctx.params["slug"])
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
    perm=ops.ELECTION_RECORD,
    tags=["elections"],
    summary="The record of the results in the official layout (PDF)",
    raw_response="application/pdf",
)
async def record_pdf(ctx: Ctx) -> Response:
    return await _record_file(ctx, "pdf")


@api(
    "GET",
    "/api/v1/elections/{slug}/record.docx",
    perm=ops.ELECTION_RECORD,
    tags=["elections"],
    summary="The record of the results in the official layout (DOCX)",
    raw_response="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
async def record_docx(ctx: Ctx) -> Response:
    return await _record_file(ctx, "docx")


routes = [
    area_save,
    election_confirm,
    roster_create,
    area_page,
    confirm_page,
    roster_page,
    counts_import_page,
    record_pdf,
    record_docx,
]
