"""People (admin: everyone; a secretariat: its own council's delegates and displays): user.list,
user.create, user.update, user.deactivate, user.reactivate, user.reset_password."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from council import operations as ops
from council import services
from council.admin.agencies import council_options
from council.admin.common import (
    PER_PAGE,
    ROLE_LABELS,
    active_filter,
    council_or_404,
    field_errors,
    filters,
    here,
    labels,
    no_store,
    page_number,
    parse_form,
    redirect,
    safe_back,
    search_text,
    user_or_404,
)
from council.admin.forms import UserCreateForm, UserEditForm
from council.auth import unlock_device
from council.errors import DomainError, Forbidden, Invalid
from council.i18n import N_
from council.models import Agency, Council, User
from council.templating import render
from council.web import Ctx, page

LIST = "/admin/users"
COUNCIL_ROLES = ("secretariat", "chair", "delegate")
MANAGERS = ("admin", "secretariat")


async def _user_council(user: User) -> Council | None:
    return await Council.get_or_none(id=user.council_id) if user.council_id else None


async def _agency_options() -> list[tuple[str, str]]:
    rows = await Agency.filter(is_active=True).order_by("code").values_list("code", "name")
    return [(code, f"{name} ({code})") for code, name in rows]


def _role_options(roles: list[str] | tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(r, ROLE_LABELS[r]) for r in roles]


async def _listing(ctx: Ctx, council: Council | None, base: str, notice: bool = False) -> Response:
    actor = ctx.require_user()
    query = ctx.query
    role = query.get("role") if query.get("role") in ROLE_LABELS else None
    listing = (
        None
        if notice
        else await services.users_listing(
            actor,
            council=council,
            role=role,
            q=search_text(query),
            active=active_filter(query),
            page=page_number(query),
            per_page=PER_PAGE,
        )
    )
    roles = await services.roles_manageable(actor, council)
    return render(
        ctx.request,
        "council/admin/users.html",
        {
            **labels(),
            "listing": listing,
            "council": council,
            "notice": notice,
            "base": base,
            "councils": await council_options() if council is None else [],
            "roles": _role_options(roles),
            "params": filters(query, "q", "council", "role", "status"),
            "back": here(ctx),
            "is_admin": actor.role == "admin",
            "can_create": council is not None and any(r in COUNCIL_ROLES for r in roles),
        },
        fragment="council/admin/_user_list.html",
    )


@page(LIST, perm=ops.USER_MANAGE)
async def user_list(ctx: Ctx) -> Response:
    """Everyone for an admin (filter by council, role, status; search); a secretariat goes to
    its own council's list."""
    actor = ctx.require_user()
    if actor.role != "admin":
        return redirect(f"/admin/councils/{actor.council_id or 0}/users")
    council = None
    if code := ctx.query.get("council"):
        council = await Council.get_or_none(code=code[:32])
    return await _listing(
        ctx, council, LIST, notice=bool(ctx.query.get("council")) and council is None
    )


@page(
    "/admin/councils/{council_id:int}/users",
    perm=ops.USER_MANAGE_COUNCIL,
)
async def council_user_list(ctx: Ctx) -> Response:
    """One council's people; a secretariat sees only those it may manage."""
    council = await council_or_404(ctx.params["council_id"])
    return await _listing(ctx, council, f"/admin/councils/{council.id}/users")


async def _create(ctx: Ctx, council: Council | None, roles: list[str]) -> Response:
    actor = ctx.require_user()
    query = ctx.query
    values: dict[str, Any] = {
        "role": query.get("role", roles[0] if roles else ""),
        "council_code": query.get("council", "")[:32],
        "agency_code": query.get("agency", "")[:32],
    }
    error = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "password"}
        try:
            extra = {"council_code": council.code} if council else {}
            data = parse_form(UserCreateForm, form, extra)
            # a role that signs: the service refuses it with its reason, and audits the attempt
            if data.role not in roles and data.role not in services.SIGNING_ROLES:
                raise Invalid(fields={"role": str(N_("You may not give this role here."))})
            password = data.password or services.generate_password()
            user = await services.user_create(
                actor,
                username=data.username,
                password=password,
                role=data.role,
                full_name=data.full_name,
                title=data.title or "",
                council_code=data.council_code,
                agency_code=data.agency_code if data.role == "agency" else None,
                email=data.email,
                phone=data.phone,
            )
            return no_store(
                render(
                    ctx.request,
                    "council/admin/user_created.html",
                    {
                        **labels(),
                        "created": user,
                        "council": council,
                        "password": None if data.password else password,
                    },
                )
            )
        except DomainError as exc:
            error = exc
    return render(
        ctx.request,
        "council/admin/user_form.html",
        {
            **labels(),
            "target": None,
            "council": council,
            "values": values,
            "roles": _role_options(roles),
            "councils": await council_options() if council is None else [],
            "agencies": await _agency_options() if council is None else [],
            "error": error,
            "errors": field_errors(error),
        },
        status=error.status if error else 200,
    )


@page(f"{LIST}/new", perm=ops.USER_NEW, methods=("GET", "POST"))
async def user_new(ctx: Ctx) -> Response:
    """Create anyone: an administrator, a council's people, an agency officer or a citizen."""
    return await _create(ctx, None, list(ROLE_LABELS))


@page(
    "/admin/councils/{council_id:int}/users/new",
    methods=("GET", "POST"),
    perm=ops.USER_NEW_IN_COUNCIL,
)
async def council_user_new(ctx: Ctx) -> Response:
    """Create one of a council's people (a secretariat: a delegate or the chair)."""
    council = await council_or_404(ctx.params["council_id"])
    roles = [
        r
        for r in await services.roles_manageable(ctx.require_user(), council)
        if r in COUNCIL_ROLES
    ]
    if not roles:
        raise Forbidden()
    return await _create(ctx, council, roles)


async def _manageable(actor: User, user: User) -> tuple[Council | None, list[str]]:
    """The user's council and the roles the actor may move them between; Forbidden when the
    actor may not manage this user at all."""
    council = await _user_council(user)
    roles = await services.roles_manageable(actor, council)
    if user.role not in roles:
        raise Forbidden(N_("You may only manage delegates of your own council."))
    return council, [r for r in roles if r in COUNCIL_ROLES] if user.role in COUNCIL_ROLES else []


@page(
    LIST + "/{user_id:int}/edit",
    methods=("GET", "POST"),
    perm=ops.USER_UPDATE,
)
async def user_edit(ctx: Ctx) -> Response:
    """Edit a person's full name, role, e-mail and phone; deactivate or reset the password."""
    actor = ctx.require_user()
    user = await user_or_404(ctx.params["user_id"])
    council, roles = await _manageable(actor, user)
    values: dict[str, Any] = {
        "full_name": user.full_name,
        "title": user.title,
        "role": user.role,
        "email": user.email,
        "phone": user.phone,
    }
    error = None
    if ctx.request.method == "POST":
        form = await ctx.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            data = parse_form(UserEditForm, form)
            role = data.role if roles and data.role and data.role != user.role else None
            if role is not None and role not in roles and role not in services.SIGNING_ROLES:
                raise Invalid(fields={"role": str(N_("You may not give this role here."))})
            await services.user_update(
                actor,
                user,
                full_name=data.full_name,
                title=data.title or "",
                role=role,
                email=data.email or "",
                phone=data.phone or "",
            )
            return redirect(f"{LIST}/{user.id}/edit?saved=1")
        except DomainError as exc:
            error = exc
    await user.fetch_related("agency")
    return render(
        ctx.request,
        "council/admin/user_form.html",
        {
            **labels(),
            "target": user,
            "council": council,
            "values": values,
            "roles": _role_options(roles),
            "error": error,
            "errors": field_errors(error),
            "saved": ctx.query.get("saved") == "1",
            "unlocked": ctx.query.get("unlocked") == "1",
            "is_self": user.id == actor.id,
        },
        status=error.status if error else 200,
    )


async def _set_active(ctx: Ctx, active: bool) -> Response:
    actor = ctx.require_user()
    user = await user_or_404(ctx.params["user_id"])
    await services.user_set_active(actor, user, active)
    back = safe_back((await ctx.form()).get("next"), f"{LIST}/{user.id}/edit")
    if not ctx.is_htmx:
        return redirect(back)
    await user.fetch_related("council", "agency")
    return render(
        ctx.request, "council/admin/_user_row.html", {**labels(), "u": user, "back": back}
    )


@page(
    LIST + "/{user_id:int}/deactivate",
    methods=("POST",),
    perm=ops.USER_DEACTIVATE,
)
async def user_deactivate(ctx: Ctx) -> Response:
    """Deactivate a person: they can no longer log in and every session of theirs ends."""
    return await _set_active(ctx, False)


@page(
    LIST + "/{user_id:int}/reactivate",
    methods=("POST",),
    perm=ops.USER_REACTIVATE,
)
async def user_reactivate(ctx: Ctx) -> Response:
    """Reactivate a person."""
    return await _set_active(ctx, True)


@page(
    LIST + "/{user_id:int}/reset-password",
    methods=("POST",),
    perm=ops.USER_RESET_PASSWORD,
)
async def user_reset_password(ctx: Ctx) -> Response:
    """Give a person a new generated password, shown once; every session of theirs ends."""
    user = await user_or_404(ctx.params["user_id"])
    password = await services.user_reset_password(
        ctx.require_user(), user, services.generate_password()
    )
    return no_store(
        render(
            ctx.request,
            "council/admin/password.html",
            {**labels(), "target": user, "password": password},
            fragment="council/admin/_password.html",
        )
    )


@page(
    LIST + "/{user_id:int}/unlock-device",
    methods=("POST",),
    perm=ops.DEVICE_UNLOCK,
)
async def device_unlock(ctx: Ctx) -> Response:
    """Unlock a person's account for the one device showing the code they read out."""
    user = await user_or_404(ctx.params["user_id"])
    form = await ctx.form()
    await unlock_device(ctx.require_user(), user, str(form.get("code") or ""))
    return redirect(f"{LIST}/{user.id}/edit?unlocked=1")


routes = [
    user_list,
    council_user_list,
    user_new,
    council_user_new,
    user_edit,
    user_deactivate,
    user_reactivate,
    user_reset_password,
    device_unlock,
]
