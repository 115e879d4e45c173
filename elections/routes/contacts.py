"""Voter-contact meetings over the API and on a page: the public sees them, the secretariat
schedules coming ones and links those petitions recorded to the delegates' accounts."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid
from council.i18n import N_
from council.models import Council
from council.permissions import check
from council.templating import render
from council.validation import parse
from council.web import Ctx, api, page
from elections import contacts, services
from elections import operations as ops
from elections.models import TermSeat
from elections.schemas import (
    ContactDelegateOut,
    ContactLinkIn,
    ContactList,
    ContactOut,
    ContactScheduleIn,
    RaisedOut,
)

_council = services.council_by_code


def contact_out(council: Council, v: contacts.ContactView) -> ContactOut:
    m = v.meeting
    return ContactOut(
        id=m.id,
        council_code=council.code,
        day=m.day,
        time=m.time,
        place=m.place,
        constituency=v.constituency,
        delegates=[ContactDelegateOut(user_id=u.id, full_name=u.full_name) for u in v.delegates],
        voter_meeting_id=m.voter_meeting_id,  # type: ignore[attr-defined]
        coming=v.coming,
        petitions=v.petitions,
        raised=[
            RaisedOut(code=p.code, outcome=p.outcome, title=p.title, source=p.source)  # type: ignore[arg-type]
            for p in v.raised
        ],
    )


@api(
    "GET",
    "/api/v1/councils/{code}/contact-meetings",
    perm=ops.CONTACT_LIST,
    response=ContactList,
    tags=["elections"],
    summary="The council's voter-contact meetings, coming and held, with their delegates",
    query={"coming": "1: only the coming ones"},
)
async def contact_list(ctx: Ctx) -> ContactList:
    council = await _council(ctx.params["code"])
    rows = await contacts.of_council(council, coming_only=ctx.query.get("coming") == "1")
    return ContactList(items=[contact_out(council, v) for v in rows])


@api(
    "POST",
    "/api/v1/councils/{code}/contact-meetings",
    perm=ops.CONTACT_SCHEDULE,
    response=ContactOut,
    status=201,
    tags=["elections"],
    summary="Schedule a voter-contact meeting: day, time, place, constituency, delegates",
)
async def contact_schedule(ctx: Ctx) -> ContactOut:
    council = await _council(ctx.params["code"])
    body: ContactScheduleIn = ctx.body
    meeting = await contacts.contact_schedule(
        ctx.require_user(),
        council,
        day=body.day,
        time=body.time,
        place=body.place,
        constituency=body.constituency,
        delegate_ids=list(body.delegate_ids),
    )
    (view,) = await contacts.views([meeting])
    return contact_out(council, view)


@api(
    "POST",
    "/api/v1/councils/{code}/contact-meetings/link",
    perm=ops.CONTACT_LINK,
    response=ContactOut,
    status=201,
    tags=["elections"],
    summary="Link a voter-contact meeting recorded in petitions to its delegates and constituency",
)
async def contact_link(ctx: Ctx) -> ContactOut:
    council = await _council(ctx.params["code"])
    body: ContactLinkIn = ctx.body
    meeting = await contacts.contact_link(
        ctx.require_user(),
        council,
        voter_meeting_id=body.voter_meeting_id,
        constituency=body.constituency,
        delegate_ids=list(body.delegate_ids),
        scheduled_id=body.scheduled_id,
    )
    (view,) = await contacts.views([meeting])
    return contact_out(council, view)


def _ints(values: list[Any]) -> list[int]:
    try:
        return [int(v) for v in values if str(v).strip()]
    except ValueError:
        raise Invalid(
            fields={"delegate_ids": str(N_("Choose the delegates taking part."))}
        ) from None


@page(
    "/councils/{code}/contact-meetings",
    perm=ops.CONTACT_LIST,
    methods=("GET", "POST"),
)
async def contacts_page(ctx: Ctx) -> Response:
    """The council's voter-contact meetings; the secretariat schedules and links them here."""
    council = await _council(ctx.params["code"])
    may_manage = services.may_manage(ctx.user, council.id)
    error: DomainError | None = None
    values: dict[str, Any] = {}
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        action = values.get("action", "schedule")
        await check(
            (ops.CONTACT_LINK if action == "link" else ops.CONTACT_SCHEDULE).permission,
            ctx.user,
            ctx.params,
        )
        try:
            delegate_ids = _ints(form.getlist("delegate_ids"))
            constituency = values.get("constituency") or None
            if action == "link":
                body_link = parse(
                    ContactLinkIn,
                    {
                        "voter_meeting_id": values.get("voter_meeting_id") or 0,
                        "constituency": constituency,
                        "delegate_ids": delegate_ids,
                        "scheduled_id": values.get("scheduled_id") or None,
                    },
                )
                await contacts.contact_link(
                    ctx.require_user(),
                    council,
                    voter_meeting_id=body_link.voter_meeting_id,
                    constituency=body_link.constituency,
                    delegate_ids=list(body_link.delegate_ids),
                    scheduled_id=body_link.scheduled_id,
                )
            else:
                body = parse(
                    ContactScheduleIn,
                    {
                        "day": values.get("day") or None,
                        "time": values.get("time", ""),
                        "place": values.get("place", ""),
                        "constituency": constituency,
                        "delegate_ids": delegate_ids,
                    },
                )
                await contacts.contact_schedule(
                    ctx.require_user(),
                    council,
                    day=body.day,
                    time=body.time,
                    place=body.place,
                    constituency=body.constituency,
                    delegate_ids=list(body.delegate_ids),
                )
            return RedirectResponse(
                f"/councils/{council.code}/contact-meetings?saved=1", status_code=303
            )
        except DomainError as exc:
            error = exc
    rows = await contacts.of_council(council)
    seated: list[TermSeat] = []
    unlinked: list[Any] = []
    if may_manage:
        view = await services.term_view(council)
        seated = (
            sorted(
                view.held,
                key=lambda s: (s.constituency.number if s.constituency else 0, s.user.full_name),
            )
            if view
            else []
        )
        unlinked = await contacts.unlinked(council)
    return render(
        ctx.request,
        "elections/contacts.html",
        {
            "council": council,
            "coming": [v for v in rows if v.coming],
            "past": [v for v in rows if not v.coming],
            "may_manage": may_manage,
            "seated": seated,
            "unlinked": unlinked,
            "scheduled": [v for v in rows if v.meeting.voter_meeting_id is None],  # type: ignore[attr-defined]
            "values": values,
            "error": error,
            "today": contacts.today(),
            "min_day": contacts.today().isoformat(),
        },
        status=error.status if error else 200,
    )


routes = [contact_list, contact_schedule, contact_link, contacts_page]
