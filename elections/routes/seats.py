"""The council setting for reading "tổng số đại biểu": API and page (with its worked figures)."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from council.errors import DomainError
from council.models import Council
from council.permissions import check
from council.templating import render
from council.validation import parse
from council.web import Ctx, api, page
from elections import operations as ops
from elections import rules, seats, services
from elections.schemas import SeatsReadingIn, SeatsReadingOut

_council = services.council_by_code


def out(council: Council, t: seats.Total) -> SeatsReadingOut:
    return SeatsReadingOut(
        council_code=council.code,
        reading=t.reading,
        legal_seats=t.legal_seats,
        in_office=t.in_office,
        total=t.total,
        more_than_half=t.more_than_half,
        two_thirds=t.two_thirds,
        applied_by_meetings=True,
    )


@api(
    "GET",
    "/api/v1/councils/{code}/seats-reading",
    perm=ops.TERM_SEATS_TOTAL,
    response=SeatsReadingOut,
    tags=["elections"],
    summary='How the council reads "tổng số đại biểu", and the totals it gives',
)
async def reading_get(ctx: Ctx) -> SeatsReadingOut:
    council = await _council(ctx.params["code"])
    return out(council, await seats.total(council))


@api(
    "PUT",
    "/api/v1/councils/{code}/seats-reading",
    perm=ops.TERM_SEATS_READING,
    response=SeatsReadingOut,
    tags=["elections"],
    summary='Set how the council reads "tổng số đại biểu": legal seats or delegates in office',
)
async def reading_put(ctx: Ctx) -> SeatsReadingOut:
    council = await _council(ctx.params["code"])
    body: SeatsReadingIn = ctx.body
    return out(council, await seats.reading_set(ctx.require_user(), council, body.reading))


@page("/councils/{code}/seats-reading", perm=ops.TERM_SEATS_TOTAL, methods=("GET", "POST"))
async def reading_page(ctx: Ctx) -> Response:
    """The setting with both readings' figures side by side; the secretariat changes it here."""
    council = await _council(ctx.params["code"])
    error: DomainError | None = None
    if ctx.request.method == "POST":
        await check(ops.TERM_SEATS_READING.permission, ctx.user, ctx.params, write=True)
        form = await ctx.form()
        try:
            body = parse(SeatsReadingIn, {"reading": form.get("reading")})
            await seats.reading_set(ctx.require_user(), council, body.reading)
            return RedirectResponse(f"/councils/{council.code}/seats-reading?saved=1", 303)
        except DomainError as exc:
            error = exc
    t = await seats.total(council)

    both = {
        r: (
            n := rules.total_delegates(r, t.legal_seats, t.in_office),
            rules.more_than_half(n),
            rules.two_thirds(n),
        )
        for r in ("in_office", "legal")
    }
    return render(
        ctx.request,
        "elections/seats_reading.html",
        {
            "council": council,
            "t": t,
            "both": both,
            "may_manage": services.may_manage(ctx.user, council.id),
            "error": error,
        },
        status=error.status if error else 200,
    )


routes = [reading_get, reading_put, reading_page]
