"""Core routes: health, auth (pages and tokens), councils, agencies, users, dashboard."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from council import auth, devices, health, services
from council import operations as ops
from council.admin import routes as admin_routes
from council.admin.common import user_or_404
from council.dashboard import widgets_for
from council.errors import DomainError, Invalid, RateLimited
from council.i18n import N_
from council.models import ROLES, Agency, Council, User
from council.schemas import (
    AgencyList,
    AgencyOut,
    CouncilList,
    CouncilOut,
    DeviceUnlockOut,
    MeOut,
    OkOut,
    TokenOut,
    UserList,
    UserOut,
)
from council.seats import routes as seats_routes
from council.security import new_token
from council.signing.routes import routes as signing_routes
from council.templating import STATIC_DIR, render
from council.throttle import LoginPolicy
from council.web import CSRF_COOKIE, Ctx, api, page

log = logging.getLogger(__name__)

# --- health ---------------------------------------------------------------------------------------


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Each dependency's state; 503 only when the node cannot serve (see ``council.health``)."""
    status, states = await health.report()
    return JSONResponse(
        {"status": status, **states}, status_code=503 if status == "unavailable" else 200
    )


async def favicon(request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


async def metrics(request: Request) -> Response:
    await health.report()  # the dependency gauges are as fresh as the scrape
    return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)


# --- auth -----------------------------------------------------------------------------------------


def _policy(ctx: Ctx) -> LoginPolicy:
    return LoginPolicy.of(ctx.settings)


@api(
    "POST",
    "/api/v1/auth/token",
    perm=ops.AUTH_TOKEN,
    response=TokenOut,
    tags=["auth"],
    summary="Exchange a username and password for a bearer token",
)
async def auth_token(ctx: Ctx) -> TokenOut:
    user = await auth.authenticate(
        ctx.body.username,
        ctx.body.password,
        ip=ctx.ip,
        device=devices.verify(ctx.request.cookies.get(devices.COOKIE)),
        policy=_policy(ctx),
    )
    token = await auth.issue_token(user, "api", ctx.settings.token_ttl_hours)
    return TokenOut(access_token=token, expires_in=ctx.settings.token_ttl_hours * 3600)


@api(
    "POST",
    "/api/v1/auth/revoke",
    perm=ops.AUTH_REVOKE,
    response=OkOut,
    tags=["auth"],
    summary="Revoke the bearer token used for this request",
)
async def auth_revoke(ctx: Ctx) -> OkOut:
    header = ctx.request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        await auth.revoke_token(header[7:].strip(), ctx.user)
    elif cookie := ctx.request.cookies.get(auth.SESSION_COOKIE):
        await auth.revoke_token(cookie, ctx.user)
    return OkOut()


@api(
    "GET",
    "/api/v1/me",
    perm=ops.USER_ME,
    response=MeOut,
    tags=["auth"],
    summary="The logged-in user",
)
async def me(ctx: Ctx) -> MeOut:
    user = ctx.require_user()
    council = await Council.get_or_none(id=user.council_id) if user.council_id else None
    agency = await Agency.get_or_none(id=user.agency_id) if user.agency_id else None
    return MeOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        title=user.title,
        role=user.role,
        council_code=council.code if council else None,
        agency_code=agency.code if agency else None,
    )


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@page("/login", perm=ops.AUTH_LOGIN, methods=("GET", "POST"))
async def login_page(ctx: Ctx) -> Response:
    next_url = _safe_next(ctx.query.get("next"))
    device, cookie = devices.from_request(ctx.request)
    if ctx.request.method == "GET":
        page_ = render(ctx.request, "council/login.html", {"next": next_url, "error": None})
        devices.set_cookie(ctx.request, page_, cookie)
        return page_
    form = await ctx.form()
    username = str(form.get("username") or "")
    try:
        user = await auth.authenticate(
            username,
            str(form.get("password") or ""),
            ip=ctx.ip,
            device=device,
            policy=_policy(ctx),
        )
    except DomainError as exc:
        locked = isinstance(exc, auth.AccountLocked)
        failed = render(
            ctx.request,
            "council/login.html",
            {
                "next": next_url,
                "error": exc,
                "username": username,
                "device_code": devices.show_code(devices.key(device)) if locked else None,
            },
            status=exc.status,
        )
        if isinstance(exc, RateLimited):
            failed.headers["Retry-After"] = str(exc.retry_after)
        devices.set_cookie(ctx.request, failed, cookie)
        return failed
    token = await auth.issue_token(user, "session", ctx.settings.token_ttl_hours)
    response: Response = RedirectResponse(
        _safe_next(str(form.get("next") or next_url)), status_code=303
    )
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=ctx.settings.token_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=ctx.request.url.scheme == "https",
        path="/",
    )
    devices.set_cookie(ctx.request, response, cookie)
    rotate_csrf(ctx, response)
    return response


def rotate_csrf(ctx: Ctx, response: Response) -> None:
    """A new CSRF token at each change of who is logged in: a token planted or read before the
    login (on a shared tablet, say) forges nothing after it."""
    response.set_cookie(
        CSRF_COOKIE,
        new_token(),
        httponly=True,
        samesite="lax",
        secure=ctx.request.url.scheme == "https",
        path="/",
    )


@page("/logout", perm=ops.AUTH_LOGOUT, methods=("POST",))
async def logout_page(ctx: Ctx) -> Response:
    cookie = ctx.request.cookies.get(auth.SESSION_COOKIE)
    if cookie:
        await auth.revoke_token(cookie, ctx.user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    rotate_csrf(ctx, response)
    # The browser drops what it kept for this user: pages and documents saved for offline
    # reading (the service worker's cache and registration) and its HTTP cache.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@page("/", perm=ops.DASHBOARD_VIEW)
async def dashboard(ctx: Ctx) -> Response:
    if ctx.user is None:
        return render(ctx.request, "council/home.html", {})
    council = await Council.get_or_none(id=ctx.user.council_id) if ctx.user.council_id else None
    agency = await Agency.get_or_none(id=ctx.user.agency_id) if ctx.user.agency_id else None

    return render(
        ctx.request,
        "council/dashboard.html",
        {"council": council, "agency": agency, "widgets": await widgets_for(ctx)},
    )


# --- councils, agencies, users (JSON) -----------------------------------------------------------


async def _council_out(c: Council) -> CouncilOut:
    parent = await Council.get_or_none(id=c.parent_id) if c.parent_id else None  # type: ignore[attr-defined]
    return CouncilOut(**services.council_dict(c, parent.code if parent else None))


@api(
    "POST",
    "/api/v1/councils",
    perm=ops.COUNCIL_CREATE,
    response=CouncilOut,
    status=201,
    tags=["councils"],
    summary="Create a council",
)
async def council_create(ctx: Ctx) -> CouncilOut:
    council = await services.council_create(ctx.user, **ctx.body.model_dump())
    return await _council_out(council)


@api(
    "GET",
    "/api/v1/councils",
    perm=ops.COUNCIL_LIST,
    response=CouncilList,
    tags=["councils"],
    summary="List councils",
)
async def council_list(ctx: Ctx) -> CouncilList:
    councils = await Council.all().prefetch_related("parent").order_by("id")
    return CouncilList(
        items=[
            CouncilOut(**services.council_dict(c, c.parent.code if c.parent else None))
            for c in councils
        ]
    )


@api(
    "POST",
    "/api/v1/agencies",
    perm=ops.AGENCY_CREATE,
    response=AgencyOut,
    status=201,
    tags=["councils"],
    summary="Create an agency",
)
async def agency_create(ctx: Ctx) -> AgencyOut:
    agency = await services.agency_create(ctx.require_user(), **ctx.body.model_dump())
    return AgencyOut(**services.agency_dict(agency, ctx.body.council_code))


@api(
    "GET",
    "/api/v1/agencies",
    perm=ops.AGENCY_LIST,
    response=AgencyList,
    tags=["councils"],
    summary="List agencies",
    query={"council_code": "Only the agencies of this council"},
)
async def agency_list(ctx: Ctx) -> AgencyList:
    qs = Agency.all().prefetch_related("council").order_by("id")
    if code := ctx.query.get("council_code"):
        qs = qs.filter(council__code=code)
    return AgencyList(
        items=[AgencyOut(**services.agency_dict(a, a.council.code)) for a in await qs]
    )


async def _user_out(u: User) -> UserOut:
    council = await Council.get_or_none(id=u.council_id) if u.council_id else None
    agency = await Agency.get_or_none(id=u.agency_id) if u.agency_id else None
    return UserOut(
        **services.user_dict(
            u,
            council.code if council else None,
            agency.code if agency else None,
        )
    )


@api(
    "POST",
    "/api/v1/users",
    perm=ops.USER_CREATE,
    response=UserOut,
    status=201,
    tags=["councils"],
    summary="Create a user (admin; a secretariat for its own council's delegates)",
)
async def user_create(ctx: Ctx) -> UserOut:
    user = await services.user_create(ctx.user, **ctx.body.model_dump())
    return await _user_out(user)


@api(
    "GET",
    "/api/v1/users",
    perm=ops.USER_LIST,
    response=UserList,
    tags=["councils"],
    summary="List users (scoped to the caller's council)",
    query={
        "role": "Only users with this role",
        "council_code": "Only users of this council (admin)",
    },
)
async def user_list(ctx: Ctx) -> UserList:
    user = ctx.require_user()
    qs = User.all().order_by("id")
    if user.role != "admin":
        qs = qs.filter(council_id=user.council_id)
    elif code := ctx.query.get("council_code"):
        qs = qs.filter(council__code=code)
    if role := ctx.query.get("role"):
        if role not in ROLES:
            raise Invalid(fields={"role": str(N_("This value is not one of the allowed choices."))})
        qs = qs.filter(role=role)
    users = await qs.limit(2000)
    return UserList(items=[await _user_out(u) for u in users])


@api(
    "POST",
    "/api/v1/users/{user_id:int}/devices/unlock",
    perm=ops.DEVICE_UNLOCK,
    response=DeviceUnlockOut,
    tags=["auth"],
    summary="Unlock an account for one device (the code it shows when logins are paused)",
)
async def device_unlock(ctx: Ctx) -> DeviceUnlockOut:
    user = await user_or_404(ctx.params["user_id"])
    row = await auth.unlock_device(ctx.require_user(), user, ctx.body.code)
    return DeviceUnlockOut(user_id=user.id, code=devices.show_code(row.device_key))


routes: list[Route] = [
    Route("/healthz", healthz, methods=["GET"], name="healthz"),
    Route("/readyz", readyz, methods=["GET"], name="readyz"),
    Route("/metrics", metrics, methods=["GET"], name="metrics"),
    Route("/favicon.ico", favicon, methods=["GET"], name="favicon"),
    auth_token,
    auth_revoke,
    me,
    login_page,
    logout_page,
    dashboard,
    council_create,
    council_list,
    agency_create,
    agency_list,
    user_create,
    user_list,
    device_unlock,
    *admin_routes,
    *signing_routes,
    *seats_routes,
]
