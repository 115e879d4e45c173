"""council.seats: the secretariat sets its council's number of seats and quorum rule.

A council created from the official list of divisions (``council import-divisions``) starts without
seats; sittings and polls are refused until they are set. The dashboard shows the secretariat a form
for it until then. Admins keep the full council form (``/admin/councils/{id}/edit``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from council import operations as ops
from council import services
from council.admin.common import field_errors, parse_form
from council.dashboard import Widget, register_widget
from council.errors import DomainError, NotFound
from council.i18n import N_
from council.models import Council
from council.schemas import CouncilOut, SeatsIn
from council.templating import render
from council.web import Ctx, api, page


@api(
    "PUT",
    "/api/v1/councils/{code}/seats",
    perm=ops.COUNCIL_SEATS,
    response=CouncilOut,
    tags=["councils"],
    summary="Set the council's seats and quorum rule",
)
async def seats_api(ctx: Ctx) -> CouncilOut:
    council = await Council.get_or_none(code=ctx.params["code"])
    if council is None:  # an admin passes the scope check without a lookup
        raise NotFound(N_("No council has this code."))
    body: SeatsIn = ctx.body
    council = await services.council_update(
        ctx.require_user(), council, seats=body.seats, quorum=body.quorum
    )
    parent = await Council.get_or_none(id=council.parent_id) if council.parent_id else None  # type: ignore[attr-defined]
    return CouncilOut(**services.council_dict(council, parent.code if parent else None))


@page(
    "/councils/{council_id:int}/seats",
    perm=ops.COUNCIL_SEATS,
    methods=("GET", "POST"),
)
async def seats_page(ctx: Ctx) -> Response:
    """The secretariat's form for its council's seats and quorum rule."""
    council = await Council.get_or_none(id=ctx.params["council_id"])
    if council is None:
        raise NotFound(N_("No such council."))
    values: dict[str, Any] = {"seats": council.seats or "", "quorum": council.quorum}
    error: DomainError | None = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            data = parse_form(SeatsIn, form)
            await services.council_update(
                ctx.require_user(), council, seats=data.seats, quorum=data.quorum
            )
            return RedirectResponse(f"/councils/{council.id}/seats?saved=1", status_code=303)
        except DomainError as exc:
            error = exc
    return render(
        ctx.request,
        "council/seats.html",
        {
            "council": council,
            "values": values,
            "error": error,
            "errors": field_errors(error),
            "saved": ctx.query.get("saved") == "1",
        },
        status=error.status if error else 200,
    )


@register_widget
async def seats_widget(ctx: Ctx) -> list[Widget]:
    """Until its seats are set, the first thing a council's secretariat sees."""
    user = ctx.user
    if user is None or user.role != "secretariat" or not user.council_id:
        return []
    council = await Council.get_or_none(id=user.council_id)
    if council is None or council.seats:
        return []
    return [Widget("council/_seats_widget.html", {"council": council}, order=0)]


routes = [seats_api, seats_page]
