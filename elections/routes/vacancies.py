"""Vacancies: the secretariat records that a seat ended (death, dismissal, resignation), with its
date; the seat shows as vacant on /delegates and can be filled by a by-election."""

from __future__ import annotations

from council.errors import NotFound
from council.i18n import N_
from council.web import Ctx, api
from elections import operations as ops
from elections import services
from elections.models import TermSeat
from elections.schemas import SeatOut, VacancyIn


@api(
    "POST",
    "/api/v1/term-seats/{seat_id:int}/vacate",
    perm=ops.SEAT_VACATE,
    response=SeatOut,
    tags=["elections"],
    summary="Record a vacancy: the seat ends on a day, for a reason; the account closes",
)
async def seat_vacate(ctx: Ctx) -> SeatOut:
    body: VacancyIn = ctx.body
    seat = await TermSeat.get_or_none(id=ctx.params["seat_id"])
    if seat is None:  # an admin passes every scope, so the resolver did not look it up
        raise NotFound(N_("No seat has this number."))
    seat = await services.vacancy_record(
        ctx.require_user(), seat, day=body.day, reason=body.reason, note=body.note
    )
    await seat.fetch_related("user")
    return SeatOut(
        id=seat.id,
        user_id=seat.user.id,
        full_name=seat.user.full_name,
        since=seat.since,
        until=seat.until,
        end_reason=seat.end_reason,
    )


routes = [seat_vacate]
