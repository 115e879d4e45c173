"""Request plumbing shared by every domain: the ``api`` and ``page`` route decorators.

Each decorator declares the operation's permission as data, authenticates the caller (session cookie
or bearer token), checks CSRF on unsafe cookie-authenticated requests, validates the body, calls the
handler and turns a ``DomainError`` into the right answer (JSON error, HTML page or htmx fragment).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from council import audit, faults, permissions
from council.auth import SESSION_COOKIE, user_for_token
from council.errors import DomainError, Forbidden, Invalid, NotFound, Unauthorized
from council.i18n import N_, get_language
from council.models import AuthToken, User
from council.permissions import Permission, Scope
from council.registry import Operation, body_of, permission_of
from council.security import csrf_matches
from council.settings import Settings
from council.templating import render
from council.validation import MAX_INT, parse

log = logging.getLogger("council.web")

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_JSON_BYTES = 1_000_000
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class CsrfFailed(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "csrf_failed", N_("The form has expired. Please reload the page and try again.")
        )


@dataclass
class Ctx:
    """What a handler gets: the request, the caller, the validated body and the path parameters."""

    request: Request
    user: User | None
    token: AuthToken | None
    via: str | None  # "cookie" | "bearer" | None
    params: dict[str, Any]
    body: Any = None
    form_data: FormData | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.request.app.state.settings

    @property
    def query(self) -> QueryParams:
        return self.request.query_params

    @property
    def lang(self) -> str:
        return get_language()

    @property
    def ip(self) -> str:
        return audit.client_ip.get()

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    async def form(self) -> FormData:
        if self.form_data is None:
            form = await self.request.form(max_files=10, max_fields=500)
            _refuse_unstorable([v for _, v in form.multi_items() if isinstance(v, str)])
            self.form_data = form
        return self.form_data

    def require_user(self) -> User:
        if self.user is None:
            raise Unauthorized()
        return self.user


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True)
class ApiMeta:
    """What the OpenAPI document says about one JSON route."""

    method: str
    path: str
    name: str
    perm: Permission
    summary: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    tags: tuple[str, ...]
    multipart: dict[str, str] | None
    query: dict[str, str] | None
    raw_response: str | None
    json_alt: type[BaseModel] | None = None


API_REGISTRY: list[ApiMeta] = []


async def _identify(request: Request) -> tuple[User | None, AuthToken | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = await user_for_token(header[7:].strip(), kind="api")
        if found is None:
            raise Unauthorized(N_("The access token is invalid or has expired."))
        return found[0], found[1], "bearer"
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = await user_for_token(cookie, kind="session")
        if found is not None:
            return found[0], found[1], "cookie"
    return None, None, None


async def _check_csrf(ctx: Ctx, always: bool) -> None:
    """Unsafe requests must carry the CSRF token: forms always (login CSRF too), JSON API calls
    when a session cookie authenticates them. Bearer tokens are not ambient, so need none."""
    request = ctx.request
    if request.method not in UNSAFE or ctx.via == "bearer":
        return
    if not always and ctx.via != "cookie":
        return
    expected = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    ctype = request.headers.get("content-type", "")
    if not given and ("form" in ctype):
        given = str((await ctx.form()).get(CSRF_FIELD) or "")

    if not csrf_matches(expected, given):
        raise CsrfFailed()


async def _deny(ctx: Ctx, perm: Permission, exc: DomainError) -> None:
    if isinstance(exc, Forbidden):
        await audit.record_denied(
            ctx.user,
            "operation",
            perm.name,
            ctx.user.council_id if ctx.user else None,
            {"path": ctx.request.url.path, "method": ctx.request.method},
        )


async def page_user(request: Request) -> User | None:
    """The user of a browser's session cookie, or None; never raises. For pages rendered outside
    a route (the error page of an unknown path), so that their header still shows who is in."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        found = await user_for_token(cookie, kind="session")
    except Exception:  # noqa: BLE001 — an error page must render even when the database cannot
        log.debug("session cookie not resolved for an error page", exc_info=True)
        return None
    return found[0] if found is not None else None


async def _prepare(request: Request, perm: Permission, *, csrf_always: bool) -> Ctx:
    # An id no database key can hold names nothing: 404, before the driver fails on it.
    if any(isinstance(v, int) and not 0 <= v <= MAX_INT for v in request.path_params.values()):
        raise NotFound()
    _refuse_unstorable([*request.path_params.values(), *request.query_params.values()])
    user, token, via = await _identify(request)
    ctx = Ctx(request=request, user=user, token=token, via=via, params=dict(request.path_params))
    request.state.user = user
    await _check_csrf(ctx, csrf_always)
    return ctx


async def _authorize_caller(ctx: Ctx, perm: Permission) -> None:
    """Authentication and role before the body is read: 401 or 403 whatever the body holds."""
    try:
        permissions.check_caller(perm, ctx.user)
    except (Forbidden, Unauthorized) as exc:
        await _deny(ctx, perm, exc)
        raise


def _target_params(
    request: Request, path: Mapping[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    # The path names the target: a body or query field of the same name never points the check
    # at another one.
    return {**dict(request.query_params), **(extra or {}), **path}


def _resolve_early(request: Request, perm: Permission) -> asyncio.Future[Scope] | None:
    """Start reading the target's scope (its council, its date) while the caller is being
    authenticated: the two reads do not depend on each other, and a request waits for both in
    turn otherwise. Only for a request whose target the path and query name (no body), and a
    permission that reads one. ``permissions.check`` awaits it where it would have read it, so
    a caller who may not act still learns nothing from it; ``_settle`` drops it otherwise."""
    if perm.resolve is None or perm.public or perm.scope == "any":
        return None
    # Only for a caller who says who they are: an anonymous request is refused without any read,
    # and a flood of them must not queue reads on the database pool.
    if not request.headers.get("authorization") and SESSION_COOKIE not in request.cookies:
        return None
    if len(_unawaited) >= MAX_UNAWAITED:
        return None
    return asyncio.ensure_future(perm.resolve(_target_params(request, request.path_params)))


# Scope reads the check did not await, left to finish (a query is not cancelled midway); past
# this many at once (refused callers with made-up tokens, say), no read starts early.
_unawaited: set[asyncio.Future[Scope]] = set()
MAX_UNAWAITED = 64


def _settle(early: asyncio.Future[Scope] | None) -> None:
    """Drop a scope read early that the check did not await (the request was refused before):
    its outcome, an unused NotFound say, is retrieved, not logged as an error."""
    if early is None:
        return
    if early.done():
        _retrieve(early)
    else:
        _unawaited.add(early)
        early.add_done_callback(_retrieve)


def _retrieve(early: asyncio.Future[Scope]) -> None:
    _unawaited.discard(early)
    if not early.cancelled():
        early.exception()


async def _authorize(
    ctx: Ctx,
    perm: Permission,
    extra: dict[str, Any] | None = None,
    resolved: asyncio.Future[Scope] | None = None,
) -> None:
    params = _target_params(ctx.request, ctx.params, extra)
    try:
        await permissions.check(
            perm, ctx.user, params, write=ctx.request.method in UNSAFE, resolved=resolved
        )
    except (Forbidden, Unauthorized) as exc:
        await _deny(ctx, perm, exc)
        raise


async def _tolerant(
    request: Request, attempt: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Run ``attempt``; a database fault (``council.faults``) becomes ``Unavailable``, after one
    more try when the request only reads."""
    tries = 2 if request.method in faults.IDEMPOTENT else 1
    for left in range(tries - 1, -1, -1):
        try:
            return await attempt(request)
        except Exception as exc:
            if not faults.is_unavailable(exc):
                raise
            log.warning(
                "database fault on %s %s: %s: %s%s",
                request.method,
                request.url.path,
                type(exc).__name__,
                exc,
                ", trying again" if left else "",
            )
            if left:
                faults.FAULTS.labels("retried").inc()
                await asyncio.sleep(0.05)
                continue
            faults.FAULTS.labels("unavailable").inc()
            raise faults.Unavailable() from exc
    raise AssertionError("unreachable")


def error_response(exc: DomainError) -> JSONResponse:
    headers = {}
    if exc.status in (429, 503) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.status, headers=headers)


async def _read_json(request: Request) -> Any:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_JSON_BYTES:
        raise DomainError("too_large", N_("The request is too large."), status=413)
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise DomainError("too_large", N_("The request is too large."), status=413)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise DomainError(
            "bad_request", N_("The request body is not valid JSON."), status=400
        ) from None
    _refuse_unstorable(data)
    return data


def _refuse_unstorable(value: Any) -> None:
    """Refuse text no database can store: NUL characters and lone UTF-16 surrogates (valid JSON
    escapes both) would otherwise fail in the driver, deep inside a service, as a 500."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise Invalid()
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise Invalid() from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _jsonable(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list):
        return [_jsonable(r) for r in result]
    return result


def api(
    method: str,
    path: str,
    *,
    perm: Permission | Operation,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    summary: str = "",
    tags: Sequence[str] = (),
    multipart: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    raw_response: str | None = None,
    json_alt: type[BaseModel] | None = None,
) -> Callable[[Handler], Route]:
    """Declare a JSON API route. ``multipart`` documents form fields the handler reads itself,
    and ``json_alt`` a JSON body it accepts instead (the handler parses both);
    ``raw_response`` names a non-JSON media type (e.g. a DOCX download). ``perm``: the operation
    (its permission and input schema), or a bare permission."""
    if method in ("POST", "PUT", "PATCH"):
        body = body_of(perm, body)
    perm = permission_of(perm)

    def decorate(handler: Handler) -> Route:
        API_REGISTRY.append(
            ApiMeta(
                method,
                path,
                perm.name,
                perm,
                summary or (handler.__doc__ or "").strip().split("\n")[0],
                body,
                response,
                status,
                tuple(tags),
                multipart,
                query,
                raw_response,
                json_alt,
            )
        )

        async def attempt(request: Request) -> Response:
            early = _resolve_early(request, perm) if body is None else None
            try:
                ctx = await _prepare(request, perm, csrf_always=False)
                await _authorize_caller(ctx, perm)
                extra: dict[str, Any] = {}
                if body is not None:
                    data = await _read_json(request)
                    ctx.body = parse(body, data)
                    extra = ctx.body.model_dump()
                await _authorize(ctx, perm, extra, early)
                result = await handler(ctx)
            except DomainError as exc:
                return error_response(exc)
            finally:
                _settle(early)
            if isinstance(result, Response):
                return result
            return JSONResponse(_jsonable(result), status_code=status)

        async def endpoint(request: Request) -> Response:
            try:
                return await _tolerant(request, attempt)
            except faults.Unavailable as exc:
                return error_response(exc)

        return Route(path, endpoint, methods=[method], name=perm.name)

    return decorate


def page(
    path: str,
    *,
    perm: Permission | Operation,
    methods: Sequence[str] = ("GET",),
    name: str | None = None,
) -> Callable[[Handler], Route]:
    """Declare an HTML page or htmx fragment route (``perm``: its operation, or a permission)."""
    perm = permission_of(perm)

    def decorate(handler: Handler) -> Route:
        async def endpoint(request: Request) -> Response:
            try:
                return await _tolerant(request, attempt)
            except faults.Unavailable as exc:
                return _html_error(request, exc)

        async def attempt(request: Request) -> Response:
            ctx: Ctx | None = None
            try:
                ctx = await _prepare(request, perm, csrf_always=True)
                await _authorize(ctx, perm)
                return await handler(ctx)
            except Unauthorized:
                if request.method == "GET" and request.headers.get("hx-request") != "true":
                    from urllib.parse import quote

                    target = request.url.path + (
                        f"?{request.url.query}" if request.url.query else ""
                    )
                    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
                return _html_error(request, Unauthorized())
            except DomainError as exc:
                return _html_error(request, exc)

        return Route(path, endpoint, methods=list(methods), name=name or f"{perm.name}:{path}")

    return decorate


def _html_error(request: Request, exc: DomainError) -> Response:
    return html_error(request, exc)


def html_error(
    request: Request,
    exc: DomainError,
    *,
    fragment: str = "_error.html",
    context: dict[str, Any] | None = None,
) -> Response:
    """The refusal as a page, or for htmx as a fragment in the page's message area (``fragment``
    may add out-of-band swaps around ``_error.html``, from ``context``)."""
    response = render(
        request,
        "error.html",
        {**(context or {}), "error": exc},
        fragment=fragment,
        status=exc.status,
    )
    if "retry_after" in exc.details:
        response.headers["Retry-After"] = str(exc.details["retry_after"])
    if request.headers.get("hx-request") == "true":
        # htmx ignores 4xx swaps by default; retarget into the page's message area instead.
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


_CONVERTER = re.compile(r"\{(\w+)(:\w+)?\}")


def openapi_path(path: str) -> tuple[str, list[tuple[str, str]]]:
    """``/polls/{poll_id:int}`` → ``/polls/{poll_id}`` and its typed parameters."""
    params = [(m.group(1), (m.group(2) or ":str")[1:]) for m in _CONVERTER.finditer(path)]
    return _CONVERTER.sub(lambda m: "{" + m.group(1) + "}", path), params
