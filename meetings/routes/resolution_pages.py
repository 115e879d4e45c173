"""The resolutions' pages: the secretariat issues and edits, the chair signs, the secretariat
publishes (``/meetings/…``); the public list, each resolution's page and its signed PDF
(``/public/resolutions``). Plain forms: they work without JavaScript."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid
from council.i18n import N_
from council.models import Council
from council.signing import SigningConfig
from council.templating import NavItem, register_nav, render
from council.web import Ctx, page
from meetings import operations as ops
from meetings.resolutions import services, signing
from meetings.resolutions.models import Resolution
from meetings.routes.resolutions import public_rows, signed_file

register_nav(NavItem(N_("Resolutions"), "/public/resolutions", order=65, public=True))


async def _form(ctx: Ctx, name: str) -> str | None:
    value = (await ctx.form()).get(name)
    return value if isinstance(value, str) else None


def _to(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@page("/meetings/sessions/{session_id:int}/resolutions", perm=ops.RESOLUTION_LIST)
async def session_resolutions_page(ctx: Ctx, error: DomainError | None = None) -> Response:
    data = await services.resolutions_of_session(ctx.require_user(), ctx.params["session_id"])
    return render(
        ctx.request,
        "meetings/resolutions.html",
        {**data, "error": error, "label": services.number_label},
        status=error.status if error else 200,
    )


@page("/meetings/items/{item_id:int}/resolution", perm=ops.RESOLUTION_ISSUE, methods=("POST",))
async def resolution_issue_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    resolution = await services.resolution_issue(user, ctx.params["item_id"])
    return _to(f"/meetings/resolutions/{resolution.id}")


async def _resolution_page(
    ctx: Ctx, resolution: Resolution, error: DomainError | None = None
) -> Response:
    council = await Council.get(id=resolution.council_id)
    config = SigningConfig.for_signer(ctx.settings, ctx.require_user().username)
    return render(
        ctx.request,
        "meetings/resolution.html",
        {
            "r": resolution,
            "council": council,
            "label": services.number_label(resolution),
            "can_sign": config.can_sign,
            "uses_token": config.uses_token,
            "error": error,
        },
        status=error.status if error else 200,
    )


@page("/meetings/resolutions/{resolution_id:int}", perm=ops.RESOLUTION_VIEW)
async def resolution_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    resolution = await services.resolution_for_staff(user, ctx.params["resolution_id"])
    return await _resolution_page(ctx, resolution)


async def _acting(ctx: Ctx, run: Any) -> Response:
    """Run the form's operation; its refusal is shown on the resolution's page."""
    user = ctx.require_user()
    rid = ctx.params["resolution_id"]
    try:
        await run(user, rid)
    except DomainError as exc:
        return await _resolution_page(ctx, await services.resolution_for_staff(user, rid), exc)
    return _to(f"/meetings/resolutions/{rid}")


@page(
    "/meetings/resolutions/{resolution_id:int}/edit",
    perm=ops.RESOLUTION_UPDATE,
    methods=("POST",),
)
async def resolution_edit_page(ctx: Ctx) -> Response:
    title, text = await _form(ctx, "title"), await _form(ctx, "text")
    return await _acting(ctx, lambda u, r: services.resolution_update(u, r, title, text))


@page("/meetings/resolutions/{resolution_id:int}/sign", perm=ops.RESOLUTION_SIGN, methods=("POST",))
async def resolution_sign_page(ctx: Ctx) -> Response:
    pin = (await _form(ctx, "pin")) or None
    if pin is not None and len(pin) > 64:  # as the API's ResolutionSignIn: a PIN, not a payload
        raise Invalid(fields={"pin": str(N_("A PIN has at most 64 characters."))})
    return await _acting(ctx, lambda u, r: signing.resolution_sign(u, r, ctx.settings, pin))


@page(
    "/meetings/resolutions/{resolution_id:int}/publish",
    perm=ops.RESOLUTION_PUBLISH,
    methods=("POST",),
)
async def resolution_publish_page(ctx: Ctx) -> Response:
    return await _acting(ctx, services.resolution_publish)


@page("/public/resolutions", perm=ops.RESOLUTION_PUBLIC)
async def public_list_page(ctx: Ctx) -> Response:
    rows, total = await public_rows(ctx)
    councils = await Council.filter(
        id__in=await Resolution.filter(status="published").values_list("council_id", flat=True)
    ).order_by("name")
    return render(
        ctx.request,
        "meetings/resolutions_public.html",
        {
            "rows": rows,
            "label": services.number_label,
            "total": total,
            "q": str(ctx.query.get("q", ""))[:200],
            "council_code": str(ctx.query.get("council_code", ""))[:32],
            "councils": councils,
        },
    )


@page("/public/resolutions/{resolution_id:int}", perm=ops.RESOLUTION_PUBLIC)
async def public_resolution_page(ctx: Ctx) -> Response:
    resolution = await services.public_resolution(ctx.params["resolution_id"])
    council = await Council.get(id=resolution.council_id)
    return render(
        ctx.request,
        "meetings/resolution_public.html",
        {"r": resolution, "council": council, "label": services.number_label(resolution)},
    )


@page("/public/resolutions/{resolution_id:int}/pdf", perm=ops.RESOLUTION_PUBLIC)
async def public_resolution_file(ctx: Ctx) -> Response:
    return await signed_file(ctx)


routes = [
    session_resolutions_page,
    resolution_issue_page,
    resolution_page,
    resolution_edit_page,
    resolution_sign_page,
    resolution_publish_page,
    public_list_page,
    public_resolution_page,
    public_resolution_file,
]
