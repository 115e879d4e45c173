"""Agencies (admin; a secretariat may view its own council's): agency.list, agency.create,
agency.update, agency.deactivate, agency.reactivate."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.responses import Response

from council import operations as ops
from council import services
from council.admin.common import (
    PER_PAGE,
    active_filter,
    agency_or_404,
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
from council.admin.forms import AgencyCreateForm, AgencyEditForm
from council.errors import DomainError
from council.models import Agency, Council
from council.templating import render
from council.web import Ctx, page

LIST = "/admin/agencies"


async def council_options() -> list[tuple[str, str]]:
    rows = await Council.all().order_by("code").values_list("code", "name")
    return [(code, f"{name} ({code})") for code, name in rows]


async def known_categories() -> list[str]:
    """Every category some agency already handles: offered as checkboxes."""
    found: set[str] = set()
    for cats in await Agency.all().values_list("categories", flat=True):
        found.update(c for c in (cats or []) if isinstance(c, str))
    return sorted(found)


async def _listing(ctx: Ctx, council: Council | None, base: str, notice: bool = False) -> Response:
    user = ctx.require_user()
    query = ctx.query
    listing = (
        None
        if notice
        else await services.agencies_listing(
            user,
            council=council,
            q=search_text(query),
            active=active_filter(query),
            page=page_number(query),
            per_page=PER_PAGE,
        )
    )
    return render(
        ctx.request,
        "council/admin/agencies.html",
        {
            **labels(),
            "listing": listing,
            "council": council,
            "notice": notice,
            "base": base,
            "councils": await council_options() if council is None else [],
            "params": filters(query, "q", "council", "status"),
            "back": here(ctx),
            "can_edit": user.role == "admin",
        },
        fragment="council/admin/_agency_list.html",
    )


@page(LIST, perm=ops.AGENCY_MANAGE)
async def agency_list(ctx: Ctx) -> Response:
    """All agencies for an admin (filter by council); a secretariat goes to its own council's."""
    user = ctx.require_user()
    if user.role != "admin":
        return redirect(f"/admin/councils/{user.council_id or 0}/agencies")
    council = None
    if code := ctx.query.get("council"):
        council = await Council.get_or_none(code=code[:32])
    return await _listing(
        ctx, council, LIST, notice=bool(ctx.query.get("council")) and council is None
    )


@page(
    "/admin/councils/{council_id:int}/agencies",
    perm=ops.AGENCY_MANAGE_COUNCIL,
)
async def council_agency_list(ctx: Ctx) -> Response:
    """One council's agencies."""
    council = await council_or_404(ctx.params["council_id"])
    return await _listing(ctx, council, f"/admin/councils/{council.id}/agencies")


def _categories(form: FormData) -> list[str]:
    chosen = [v for v in form.getlist("categories") if isinstance(v, str)]
    extra = form.get("categories_extra")
    if isinstance(extra, str):
        chosen += [part for part in extra.replace(";", ",").split(",")]
    return sorted({c.strip().lower() for c in chosen if c.strip()})


async def _form_page(ctx: Ctx, template_ctx: dict[str, Any], error: DomainError | None) -> Response:
    return render(
        ctx.request,
        "council/admin/agency_form.html",
        {
            **labels(),
            "error": error,
            "errors": field_errors(error),
            "known": await known_categories(),
            **template_ctx,
        },
        status=error.status if error else 200,
    )


@page(f"{LIST}/new", perm=ops.AGENCY_CREATE, methods=("GET", "POST"))
async def agency_new(ctx: Ctx) -> Response:
    """Create an agency of a council with the categories it handles."""
    values: dict[str, Any] = {"council_code": ctx.query.get("council", "")[:32], "categories": []}
    error = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        values["categories"] = _categories(form)
        try:
            data = parse_form(AgencyCreateForm, form, {"categories": values["categories"]})
            agency = await services.agency_create(ctx.require_user(), **data.model_dump())
            return redirect(f"{LIST}/{agency.id}/edit?saved=1")
        except DomainError as exc:
            error = exc
    return await _form_page(
        ctx, {"agency": None, "values": values, "councils": await council_options()}, error
    )


@page(LIST + "/{agency_id:int}/edit", perm=ops.AGENCY_UPDATE, methods=("GET", "POST"))
async def agency_edit(ctx: Ctx) -> Response:
    """Edit an agency's name and the categories it handles."""
    agency = await agency_or_404(ctx.params["agency_id"])
    await agency.fetch_related("council")
    values: dict[str, Any] = {"name": agency.name, "categories": list(agency.categories or [])}
    error = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {"name": form.get("name") or "", "categories": _categories(form)}
        try:
            data = parse_form(AgencyEditForm, form, {"categories": values["categories"]})
            await services.agency_update(
                ctx.require_user(), agency, name=data.name, categories=data.categories
            )
            return redirect(f"{LIST}/{agency.id}/edit?saved=1")
        except DomainError as exc:
            error = exc
    return await _form_page(
        ctx, {"agency": agency, "values": values, "saved": ctx.query.get("saved") == "1"}, error
    )


async def _set_active(ctx: Ctx, active: bool) -> Response:
    agency = await agency_or_404(ctx.params["agency_id"])
    await services.agency_update(ctx.require_user(), agency, is_active=active)
    back = safe_back((await ctx.form()).get("next"), LIST)
    if not ctx.is_htmx:
        return redirect(back)
    await agency.fetch_related("council")
    return render(
        ctx.request,
        "council/admin/_agency_row.html",
        {**labels(), "a": agency, "back": back, "can_edit": True},
    )


@page(
    LIST + "/{agency_id:int}/deactivate",
    perm=ops.AGENCY_DEACTIVATE,
    methods=("POST",),
)
async def agency_deactivate(ctx: Ctx) -> Response:
    """Deactivate an agency (kept with its history; it can be reactivated)."""
    return await _set_active(ctx, False)


@page(
    LIST + "/{agency_id:int}/reactivate",
    perm=ops.AGENCY_REACTIVATE,
    methods=("POST",),
)
async def agency_reactivate(ctx: Ctx) -> Response:
    """Reactivate an agency."""
    return await _set_active(ctx, True)


routes = [
    agency_list,
    council_agency_list,
    agency_new,
    agency_edit,
    agency_deactivate,
    agency_reactivate,
]
