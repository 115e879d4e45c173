"""The app factory: the only place that wires the domain packages together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import socketio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from council import assets, db, faults, i18n, ratelimit, realtime, storage, workers
from council.compression import CompressionMiddleware
from council.errors import DomainError
from council.i18n import N_
from council.middleware import CouncilMiddleware
from council.openapi import build
from council.search import engine as search_engine
from council.settings import Settings
from council.templating import render
from council.web import page_user

log = logging.getLogger("council.app")

DOMAINS = ("council", "meetings", "petitions", "assistant", "elections", "questioning")


def _optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def domain_modules(kind: str) -> list[ModuleType]:
    """Each domain's ``routes``, ``events``, ``hooks`` or ``demo`` module, where it has one."""
    found = []
    for domain in DOMAINS:
        module = _optional(f"{domain}.{kind}")
        if module is not None:
            found.append(module)
    return found


def _routes() -> list[BaseRoute]:
    collected: list[BaseRoute] = []
    for module in domain_modules("routes"):
        collected.extend(getattr(module, "routes", []))
    collected.append(Route("/api/v1/openapi.json", openapi_json, methods=["GET"], name="openapi"))
    collected.append(Mount("/static", assets.StaticAssets(assets.STATIC), name="static"))
    return collected


async def openapi_json(request: Request) -> Response:

    return JSONResponse(build())


async def _not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    message = {404: N_("Not found."), 405: N_("This method is not allowed here.")}.get(
        status, N_("The request could not be handled.")
    )
    error = DomainError(code, message, status=status)
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": error.to_dict()}, status_code=status)

    if getattr(request.state, "user", None) is None:
        request.state.user = await page_user(request)
    return render(request, "error.html", {"error": error}, status=status)


async def _server_error(request: Request, exc: Exception) -> Response:
    if faults.is_unavailable(exc):
        log.warning("database fault on %s: %s: %s", request.url.path, type(exc).__name__, exc)
        unavailable = faults.Unavailable()
        return JSONResponse(
            {"error": unavailable.to_dict()},
            status_code=503,
            headers={"Retry-After": str(unavailable.retry_after)},
        )
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    error = DomainError(
        "internal", N_("Something went wrong on our side. Please try again."), status=500
    )
    return JSONResponse({"error": error.to_dict()}, status_code=500)


# The collector's thresholds once the start-up heap is frozen. Python's (700, 10, 10) collect
# the young generation every 700 new container objects: a burst of 300 ballots ran 10-15 young
# and 1-2 middle collections in each worker, 10-40 ms each on a loaded machine, and now and
# then a full one over the connections' objects (2,000 delegates: 186-399 ms, measured with
# gc.callbacks in bench/cityday.py), in the middle of the burst. With 20,000, 20 and 100 the
# same bursts ran none; a young collection walks at most 20,000 objects (a few milliseconds),
# and cyclic garbage is still collected, later.
GC_THRESHOLDS = (20_000, 20, 100)


def create_app(
    settings: Settings | None = None, *, manage_db: bool = True, freeze_heap: bool = False
) -> Any:
    """Build an isolated app. ``manage_db=False`` leaves Tortoise set-up to the caller (tests).

    ``freeze_heap`` (the served app, ``asgi``): once started, move every object alive (modules,
    classes, templates, translations: some 200,000) out of the cyclic garbage collector's reach
    with ``gc.freeze``. Otherwise each full collection walks them all, a pause of 150 ms or more
    that lands at random, in the middle of a vote as anywhere else; frozen, it takes a few
    milliseconds. Objects alive at start-up live as long as the process, so freezing them loses
    nothing. The collector's thresholds are then raised (``GC_THRESHOLDS``)."""
    settings = settings or Settings.from_env()
    storage.configure(settings)
    workers.configure(settings)
    ratelimit.configure(settings.redis_url)
    search_engine.configure_for(settings)
    for module in domain_modules("events"):
        log.debug("events loaded from %s", module.__name__)
    hub = realtime.Hub(
        settings.redis_url,
        settings.lang,
        origins=(settings.base_url,),
        channel=settings.redis_channel,
    )
    realtime.install(hub)
    hooks = domain_modules("hooks")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await db.init(settings, shared=True)
        tasks: list[asyncio.Task[Any]] = []
        for module in hooks:
            if hasattr(module, "startup"):
                started = await module.startup(settings)
                if isinstance(started, asyncio.Task):
                    tasks.append(started)
        i18n.warm()
        if freeze_heap:
            gc.collect()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLDS)
            log.info("start-up heap frozen: %d objects", gc.get_freeze_count())
        try:
            yield
        finally:
            for module in hooks:
                if hasattr(module, "shutdown"):
                    await module.shutdown(settings)
            for task in tasks:
                task.cancel()
            await hub.close()
            await workers.shutdown()
            if manage_db:
                await db.close()

    app = Starlette(
        routes=_routes(),
        middleware=[
            Middleware(CompressionMiddleware),
            Middleware(
                CouncilMiddleware,
                default_lang=settings.lang,
                max_body=max(settings.max_upload_mb, 60) * (1 << 20) + (1 << 20),
            ),
        ],
        exception_handlers={
            HTTPException: _not_found,
            404: _not_found,
            405: _not_found,
            500: _server_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.hub = hub
    return socketio.ASGIApp(hub.sio, other_asgi_app=app, socketio_path="/socket.io")


def asgi() -> Any:
    """Entry point for ``uvicorn --factory council.app:asgi`` (Procfile, workers)."""
    return create_app(freeze_heap=True)
