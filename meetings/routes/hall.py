"""The hall screen (a projector) and its kiosk links: the hall page of a sitting, the landing page
of a display account, the kiosk link that signs a projector in as one, and the secretariat's page
and API to create and revoke them."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from council import auth
from council.errors import DomainError, NotFound
from council.i18n import N_
from council.models import Council, User
from council.templating import render
from council.web import Ctx, api, page
from meetings import operations as ops
from meetings.models import HallDisplay
from meetings.routes.api import TAGS
from meetings.routes.pages import _form_str, _tablet_context
from meetings.routes.panels import live_panels
from meetings.schemas import DisplayCreatedOut, DisplayListOut, DisplayOut
from meetings.services import displays
from meetings.services.common import session_for


async def _display_out(display: HallDisplay) -> dict[str, Any]:
    account = await User.get(id=display.user_id)
    return {
        "id": display.id,
        "council_id": display.council_id,
        "label": display.label,
        "username": account.username,
        "created_at": display.created_at.isoformat(),
        "revoked_at": display.revoked_at.isoformat() if display.revoked_at else None,
        "last_opened_at": display.last_opened_at.isoformat() if display.last_opened_at else None,
    }


# --- the hall screen ----------------------------------------------------------------------------


@page("/meetings/sessions/{session_id:int}/hall", perm=ops.HALL_VIEW)
async def hall_page(ctx: Ctx) -> Response:
    """The projector's view: fits one screen, nothing personal (no account, no menu)."""
    session = await session_for(ctx.user, ctx.params["session_id"])
    context = await _tablet_context(ctx, session)
    context["kiosk"] = ctx.require_user().role == "display"
    context["panels"] = await live_panels(ctx, session, "hall", context["current"])
    return render(ctx.request, "meetings/hall.html", context, headers={"Cache-Control": "no-store"})


@page("/meetings/hall", perm=ops.HALL_HOME)
async def hall_home(ctx: Ctx) -> Response:
    """Where a display account lands: the council's sitting in progress, else the next one."""
    session = await displays.hall_session_for(ctx.require_user())
    if session is not None:
        url = f"/meetings/sessions/{session.id}/hall"
        if ctx.is_htmx:  # the idle screen asking again: the whole page moves on
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)
    council = await Council.get_or_none(id=ctx.require_user().council_id or 0)
    return render(
        ctx.request,
        "meetings/hall_idle.html",
        {"council": council},
        headers={"Cache-Control": "no-store"},
    )


# --- kiosk links --------------------------------------------------------------------------------


@page("/hall/k/{key:str}", perm=ops.DISPLAY_OPEN, methods=("GET", "POST"))
async def kiosk_page(ctx: Ctx) -> Response:
    """A display's kiosk link. GET asks to confirm (so that no other page can sign a browser in
    behind its back); POST signs this browser in as the display account. A browser already
    signed in as that account goes straight to the hall."""
    display = await displays.display_for_key(ctx.params["key"])
    if ctx.user is not None and ctx.user.id == display.user_id:
        return RedirectResponse("/meetings/hall", status_code=303)
    if ctx.request.method == "GET":
        council = await Council.get(id=display.council_id)
        return render(
            ctx.request,
            "meetings/kiosk.html",
            {"display": display, "council": council},
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )
    account = await displays.display_open(ctx.params["key"])
    token = await auth.issue_token(account, "session", ctx.settings.token_ttl_hours)
    response = RedirectResponse("/meetings/hall", status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=ctx.settings.token_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=ctx.request.url.scheme == "https",
        path="/",
    )
    return response


# --- managing displays --------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/councils/{council_code:str}/displays",
    perm=ops.DISPLAY_CREATE,
    status=201,
    response=DisplayCreatedOut,
    tags=TAGS,
    summary="Create a hall display and its kiosk link (the link is shown once)",
)
async def display_create_api(ctx: Ctx) -> dict[str, Any]:
    made = await displays.display_create(
        ctx.require_user(), ctx.params["council_code"], ctx.body.label
    )
    return {
        **await _display_out(made.display),
        "url": str(ctx.request.base_url).rstrip("/") + made.path,
    }


@api(
    "GET",
    "/api/v1/councils/{council_code:str}/displays",
    perm=ops.DISPLAY_LIST,
    response=DisplayListOut,
    tags=TAGS,
    summary="A council's hall displays",
)
async def display_list_api(ctx: Ctx) -> dict[str, Any]:
    found = await displays.displays_of(ctx.require_user(), ctx.params["council_code"])
    return {"items": [await _display_out(d) for d in found]}


@api(
    "POST",
    "/api/v1/displays/{display_id:int}/revoke",
    perm=ops.DISPLAY_REVOKE,
    response=DisplayOut,
    tags=TAGS,
    summary="Revoke a hall display: its link stops working and the screen closes at once",
)
async def display_revoke_api(ctx: Ctx) -> dict[str, Any]:
    display = await displays.display_revoke(ctx.require_user(), ctx.params["display_id"])
    return await _display_out(display)


async def _displays_page(
    ctx: Ctx, council: Council, *, made: Any = None, error: DomainError | None = None
) -> Response:
    found = await displays.displays_of(ctx.require_user(), council.code)
    return render(
        ctx.request,
        "meetings/displays.html",
        {
            "council": council,
            "displays": found,
            "made": made,
            "kiosk_url": str(ctx.request.base_url).rstrip("/") + made.path if made else None,
            "error": error,
        },
        status=error.status if error else 200,
        headers={"Cache-Control": "no-store"},
    )


async def _council(code: str) -> Council:
    council = await Council.get_or_none(code=code)
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council


@page("/meetings/councils/{council_code:str}/displays", perm=ops.DISPLAY_LIST)
async def displays_page(ctx: Ctx) -> Response:
    return await _displays_page(ctx, await _council(ctx.params["council_code"]))


@page(
    "/meetings/councils/{council_code:str}/displays",
    perm=ops.DISPLAY_CREATE,
    methods=("POST",),
    name="display.create:page",
)
async def display_create_page(ctx: Ctx) -> Response:
    council = await _council(ctx.params["council_code"])
    try:
        made = await displays.display_create(
            ctx.require_user(), council.code, await _form_str(ctx, "label")
        )
    except DomainError as exc:
        return await _displays_page(ctx, council, error=exc)
    return await _displays_page(ctx, council, made=made)


@page("/meetings/displays/{display_id:int}/revoke", perm=ops.DISPLAY_REVOKE, methods=("POST",))
async def display_revoke_page(ctx: Ctx) -> Response:
    display = await displays.display_revoke(ctx.require_user(), ctx.params["display_id"])
    council = await Council.get(id=display.council_id)
    return RedirectResponse(f"/meetings/councils/{council.code}/displays", status_code=303)


routes = [
    hall_page,
    hall_home,
    kiosk_page,
    display_create_api,
    display_list_api,
    display_revoke_api,
    displays_page,
    display_create_page,
    display_revoke_page,
]
