"""Staff pages for filing on a citizen's behalf, voter-contact meetings, dashboards, the city's
screen, reports and notifications."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import Response

from council.errors import DomainError, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import Agency, Council
from council.templating import render
from council.validation import field_errors, int_param
from council.web import Ctx, page
from petitions import operations as ops
from petitions.models import Cycle, Notification, Petition
from petitions.routes.public_pages import FILING_FIELDS, form_values, receipt_redirect
from petitions.routes.staff_pages import staff_helpers
from petitions.schemas import BatchPetitionIn, MeetingIn, PetitionIn
from petitions.services import (
    cycle_label,
    file_petition,
    meeting_petitions,
    meeting_record,
    open_next_cycle,
    petition_count,
)
from petitions.services.dashboards import (
    agency_dashboard,
    city_clusters,
    city_overview,
    council_dashboard,
)


async def _councils_for(ctx: Ctx) -> list[Council]:
    user = ctx.require_user()
    if user.role == "admin":
        return await Council.filter(is_active=True).order_by("level", "name")
    return await Council.filter(id=user.council_id)


@page("/petitions/staff/file", perm=ops.PETITION_FILE_ON_BEHALF, methods=("GET", "POST"))
async def staff_file(ctx: Ctx) -> Response:
    context: dict[str, Any] = {**staff_helpers(), "councils": await _councils_for(ctx)}
    if ctx.request.method == "GET":
        return render(ctx.request, "petitions/staff_file.html", {**context, "values": {}})
    form = await ctx.form()
    values = form_values(form, (*FILING_FIELDS, "channel"))
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    consent = form.get("consent")
    try:
        data = PetitionIn.model_validate({k: v for k, v in values.items() if v != ""})
        filed = await file_petition(
            data,
            actor=ctx.user,
            ip=ctx.ip,
            settings=ctx.settings,
            files=files,
            consent=consent if isinstance(consent, UploadFile) else None,
        )
    except ValidationError as exc:
        return render(
            ctx.request,
            "petitions/staff_file.html",
            {**context, "values": values, "errors": field_errors(exc)},
            status=422,
        )
    except DomainError as exc:
        fields = exc.details.get("fields") if exc.details else None
        return render(
            ctx.request,
            "petitions/staff_file.html",
            {
                **context,
                "values": values,
                "errors": fields or {"": str(exc.message)},
                "error_message": str(exc.message),
                "error_code": exc.code,
            },
            status=exc.status,
        )
    return receipt_redirect(ctx, [filed], "/petitions/staff/file")


@page("/petitions/meetings/new", perm=ops.MEETING_RECORD, methods=("GET", "POST"))
async def meeting_new(ctx: Ctx) -> Response:
    user = ctx.require_user()
    rows = min(int_param(ctx.query, "rows", 5, minimum=0), 50)
    context: dict[str, Any] = {
        **staff_helpers(),
        "councils": await _councils_for(ctx),
        "rows": rows,
        "values": {},
    }
    if ctx.request.method == "GET":
        return render(ctx.request, "petitions/meeting.html", context)
    form = await ctx.form()
    rows = min(int_param(form, "rows", 5, minimum=0), 50)
    values = form_values(form, ("council_code", "held_on", "place", "delegates", "attendees"))
    try:
        meeting_in = MeetingIn.model_validate(values)
        items = []
        for i in range(rows):
            row = {
                k: str(form.get(f"p{i}-{k}") or "") for k in ("category", "title", "body", "name")
            }
            if row["title"].strip() or row["body"].strip():
                items.append(BatchPetitionIn.model_validate({k: v for k, v in row.items() if v}))
    except ValidationError as exc:
        return render(
            ctx.request,
            "petitions/meeting.html",
            {**context, "rows": rows, "values": values, "errors": field_errors(exc)},
            status=422,
        )
    if not items:
        raise Invalid(N_("Enter at least one petition raised at the meeting."))
    meeting = await meeting_record(user, meeting_in)
    filed = await meeting_petitions(user, meeting.id, items, ctx.settings)
    return receipt_redirect(ctx, filed, "/petitions/meetings/new")


@page("/petitions/dashboard", perm=ops.PETITION_DASHBOARD)
async def dashboard(ctx: Ctx) -> Response:
    user = ctx.require_user()
    is_city = False
    if code := ctx.query.get("agency_code"):
        agency = await Agency.get_or_none(code=code)
        if agency is None:
            raise NotFound()
        d = await agency_dashboard(user, agency)
    elif user.role == "agency" and user.agency_id:
        d = await agency_dashboard(user, await Agency.get(id=user.agency_id))
    else:
        code = ctx.query.get("council_code")
        council = (
            await Council.get_or_none(code=code)
            if code
            else (await Council.get_or_none(id=user.council_id) if user.council_id else None)
        )
        if council is None:
            raise NotFound(N_("No council has this code."))
        d = await council_dashboard(user, council)
        is_city = council.level == "city" and (
            user.role == "admin" or user.council_id == council.id
        )
    return render(
        ctx.request,
        "petitions/dashboard.html",
        {**staff_helpers(), "d": d, "is_city": is_city},
        fragment="petitions/_dashboard_body.html",
    )


@page("/petitions/city", perm=ops.PETITION_CITY)
async def city(ctx: Ctx) -> Response:
    user = ctx.require_user()
    code = ctx.query.get("council_code")
    council = (
        await Council.get_or_none(code=code)
        if code
        else (await Council.get_or_none(id=user.council_id) if user.council_id else None)
    )
    if council is None or council.level != "city":
        raise NotFound(N_("No council has this code."))
    lights = await city_overview(user, council)
    clusters = await city_clusters(user, council)
    return render(
        ctx.request,
        "petitions/city.html",
        {
            **staff_helpers(),
            "city": council,
            "lights": lights,
            "clusters": clusters,
        },
    )


@page("/petitions/reports", perm=ops.PETITION_REPORT)
async def reports(ctx: Ctx) -> Response:
    user = ctx.require_user()
    qs = Cycle.all() if user.role == "admin" else Cycle.filter(council_id=user.council_id)
    cycles = []
    for c in await qs.order_by("council_id", "-id").limit(200):
        cycles.append(
            {
                "id": c.id,
                "label": f"{cycle_label(c)}"
                + (
                    f" — {(await Council.get(id=c.council_id)).name}"
                    if user.role == "admin"
                    else ""
                ),
                "open": c.closed_at is None,
                "count": await petition_count(c),
            }
        )
    return render(
        ctx.request,
        "petitions/reports.html",
        {"cycles": cycles, "can_open": user.role == "secretariat"},
    )


@page(
    "/petitions/reports/next-cycle",
    perm=ops.CYCLE_OPEN,
    methods=("POST",),
)
async def next_cycle(ctx: Ctx) -> Response:
    user = ctx.require_user()
    if user.council_id is None:
        raise Forbidden(N_("Only the council's secretariat can open a new cycle."))
    await open_next_cycle(user, await Council.get(id=user.council_id))
    from starlette.responses import RedirectResponse

    return RedirectResponse("/petitions/reports", status_code=303)


@page("/petitions/notifications", perm=ops.PETITION_NOTIFICATIONS)
async def notifications(ctx: Ctx) -> Response:
    user = ctx.require_user()
    notes = await Notification.filter(user_id=user.id).order_by("-created_at").limit(100)
    codes = dict(
        await Petition.filter(id__in={n.petition_id for n in notes}).values_list("id", "code")
    )
    return render(
        ctx.request,
        "petitions/notifications.html",
        {**staff_helpers(), "notes": notes, "codes": codes},
    )


routes = [staff_file, meeting_new, dashboard, city, reports, next_cycle, notifications]
