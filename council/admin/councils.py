"""Councils (admin): council.list, council.create, council.update, council.deactivate,
council.reactivate. A city is listed with its communes, seats, quorum rule and quorum count."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import Response

from council import divisions, services
from council import operations as ops
from council.admin.common import (
    PER_PAGE,
    active_filter,
    council_or_404,
    field_errors,
    filters,
    here,
    labels,
    page_number,
    parse_form,
    redirect,
    safe_back,
    search_text,
)
from council.admin.forms import CouncilCreateForm, CouncilEditForm
from council.errors import DomainError
from council.models import Council, User
from council.templating import render
from council.validation import NFCStr, Schema
from council.web import Ctx, page

LIST = "/admin/councils"


async def _cities() -> list[tuple[str, str]]:
    return [
        (c.code, f"{c.name} ({c.code})")
        for c in await Council.filter(level="city").order_by("code")
    ]


async def _row(council: Council) -> tuple[Council, int, int]:
    communes = await Council.filter(parent_id=council.id).count()
    accounts = await User.filter(
        council_id=council.id, role__in=["delegate", "chair"], is_active=True
    ).count()
    await council.fetch_related("parent")
    return council, communes, accounts


@page(LIST, perm=ops.COUNCIL_MANAGE)
async def council_list(ctx: Ctx) -> Response:
    """Every council, each city followed by its communes; filters by city, text and status."""
    query = ctx.query
    city = None
    notice = None
    if code := query.get("city"):
        city = await Council.get_or_none(code=code[:32], level="city")
        if city is None:
            notice = True
    listing = (
        None
        if notice
        else await services.councils_listing(
            q=search_text(query),
            city=city,
            active=active_filter(query),
            page=page_number(query),
            per_page=PER_PAGE,
        )
    )
    return render(
        ctx.request,
        "council/admin/councils.html",
        {
            **labels(),
            "listing": listing,
            "cities": await _cities(),
            "notice": notice,
            "params": filters(query, "q", "city", "status"),
            "back": here(ctx),
            "saved": query.get("saved") == "1",
        },
        fragment="council/admin/_council_list.html",
    )


async def _form_page(ctx: Ctx, template_ctx: dict[str, Any], error: DomainError | None) -> Response:
    return render(
        ctx.request,
        "council/admin/council_form.html",
        {
            **labels(),
            "cities": await _cities(),
            "error": error,
            "errors": field_errors(error),
            **template_ctx,
        },
        status=error.status if error else 200,
    )


@page(f"{LIST}/new", perm=ops.COUNCIL_CREATE, methods=("GET", "POST"))
async def council_new(ctx: Ctx) -> Response:
    """Create a city council, or a commune/ward council under its city."""
    values: dict[str, Any] = {
        "level": ctx.query.get("level", "city"),
        "parent_code": ctx.query.get("parent", ""),
        "quorum": "2/3",
    }
    error = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            data = parse_form(CouncilCreateForm, form)
            if data.level == "city":
                data.parent_code = None
            council = await services.council_create(ctx.user, **data.model_dump())
            return redirect(f"{LIST}/{council.id}/edit?saved=1")
        except DomainError as exc:
            error = exc
    return await _form_page(ctx, {"council": None, "values": values}, error)


@page(LIST + "/{council_id:int}/edit", perm=ops.COUNCIL_UPDATE, methods=("GET", "POST"))
async def council_edit(ctx: Ctx) -> Response:
    """Edit a council's name, seats and quorum rule."""
    council = await council_or_404(ctx.params["council_id"])
    await council.fetch_related("parent")
    values: dict[str, Any] = {
        "name": council.name,
        "seats": council.seats,
        "quorum": council.quorum,
    }
    error = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            data = parse_form(CouncilEditForm, form)
            await services.council_update(ctx.require_user(), council, **data.model_dump())
            return redirect(f"{LIST}/{council.id}/edit?saved=1")
        except DomainError as exc:
            error = exc
    return await _form_page(
        ctx, {"council": council, "values": values, "saved": ctx.query.get("saved") == "1"}, error
    )


async def _set_active(ctx: Ctx, active: bool) -> Response:
    council = await council_or_404(ctx.params["council_id"])
    await services.council_update(ctx.require_user(), council, is_active=active)
    back = safe_back((await ctx.form()).get("next"), LIST)
    if not ctx.is_htmx:
        return redirect(back)
    return render(
        ctx.request,
        "council/admin/_council_row.html",
        {**labels(), "row": await _row(council), "back": back},
    )


@page(
    LIST + "/{council_id:int}/deactivate",
    perm=ops.COUNCIL_DEACTIVATE,
    methods=("POST",),
)
async def council_deactivate(ctx: Ctx) -> Response:
    """Deactivate a council (kept with its history; it can be reactivated)."""
    return await _set_active(ctx, False)


@page(
    LIST + "/{council_id:int}/reactivate",
    perm=ops.COUNCIL_REACTIVATE,
    methods=("POST",),
)
async def council_reactivate(ctx: Ctx) -> Response:
    """Reactivate a council."""
    return await _set_active(ctx, True)


class DivisionForm(Schema):
    division: NFCStr = Field(min_length=2, max_length=5)
    code: NFCStr | None = Field(default=None, max_length=32)
    seats: int | None = Field(default=None, ge=1, le=1000)


class ProvinceForm(Schema):
    province: NFCStr = Field(min_length=2, max_length=2)


@page(
    f"{LIST}/divisions",
    perm=ops.COUNCIL_IMPORT_DIVISIONS,
    methods=("GET", "POST"),
)
async def council_divisions(ctx: Ctx) -> Response:
    """Councils from the official list of administrative divisions: one by its code, or a whole
    province with all its communes (seats to be set by each secretariat)."""
    error: DomainError | None = None
    values: dict[str, Any] = {}
    done: dict[str, Any] | None = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            if form.get("action") == "province":
                data = parse_form(ProvinceForm, form)
                result = await divisions.import_province(ctx.user, data.province)
                done = {
                    "province": result.province,
                    "created": len(result.created),
                    "existing": result.existing,
                }
            else:
                one = parse_form(DivisionForm, form)
                council = await divisions.council_from_division(
                    ctx.user, one.division, code=one.code or None, seats=one.seats
                )
                return redirect(f"{LIST}/{council.id}/edit?saved=1")
        except DomainError as exc:
            error = exc
    return render(
        ctx.request,
        "council/admin/divisions.html",
        {
            **labels(),
            "provinces": [(d.code, f"{d.code} · {d.name}") for d in divisions.provinces()],
            "data_version": divisions.data_version(),
            "values": values,
            "error": error,
            "errors": field_errors(error),
            "done": done,
        },
        status=error.status if error else 200,
    )


routes = [
    council_list,
    council_new,
    council_divisions,
    council_edit,
    council_deactivate,
    council_reactivate,
]
