"""ASGI middleware: language, CSRF cookie, client address, security headers, body limit, metrics."""

from __future__ import annotations

import secrets
import time
from http.cookies import SimpleCookie

from prometheus_client import Counter, Histogram
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from council import audit
from council.i18n import LANGUAGES, set_language
from council.web import CSRF_COOKIE

LANG_COOKIE = "lang"

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "frame-src 'self'",
        "object-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

REQUESTS = Counter("council_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("council_http_request_seconds", "HTTP request latency", ["method", "route"])


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is ignored, not fatal
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


def _subresource(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media in ("text/css", "text/javascript", "application/javascript")


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


class CouncilMiddleware:
    def __init__(
        self, app: ASGIApp, *, default_lang: str = "vi", max_body: int = 60_000_000
    ) -> None:
        self.app = app
        self.default_lang = default_lang
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query = scope.get("query_string", b"").decode("latin-1")
        chosen = None
        for part in query.split("&"):
            if part.startswith("lang=") and part[5:] in LANGUAGES:
                chosen = part[5:]
        # Vietnamese unless the person chose otherwise: many phones here are set to English, so the
        # browser's Accept-Language is not taken as a choice.
        saved = cookies.get(LANG_COOKIE)
        lang = chosen or (saved if saved in LANGUAGES else self.default_lang)
        set_language(lang)
        audit.client_ip.set(client_ip(scope))

        csrf = cookies.get(CSRF_COOKIE)
        new_csrf = None
        if not csrf or len(csrf) > 100:
            csrf = new_csrf = secrets.token_urlsafe(32)
        scope.setdefault("state", {})
        scope["state"]["csrf_token"] = csrf

        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await _too_large(send)
            return

        secure = scope.get("scheme") == "https"
        static = scope["path"].startswith("/static/") and not scope["path"].endswith("/sw.js")
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                out = MutableHeaders(scope=message)
                out.setdefault("X-Content-Type-Options", "nosniff")
                # Policies for documents; a page's stylesheet or script is no document, and on a
                # slow link their half kilobyte per file adds up. (A worker's script is: its CSP
                # binds the worker, so sw.js keeps it.)
                if not (static and _subresource(out.get("content-type", ""))):
                    out.setdefault("Content-Security-Policy", CSP)
                    out.setdefault("Referrer-Policy", "same-origin")
                    out.setdefault("X-Frame-Options", "SAMEORIGIN")
                    out.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if secure:
                    out.setdefault("Strict-Transport-Security", "max-age=31536000")
                flags = "; Path=/; SameSite=Lax" + ("; Secure" if secure else "")
                # A handler that set the CSRF cookie itself (the login rotates it) has the last word.
                rotated = any(v.startswith(f"{CSRF_COOKIE}=") for v in out.getlist("set-cookie"))
                if new_csrf and not rotated:
                    out.append("Set-Cookie", f"{CSRF_COOKIE}={new_csrf}; HttpOnly{flags}")
                if chosen and chosen != cookies.get(LANG_COOKIE):
                    out.append("Set-Cookie", f"{LANG_COOKIE}={chosen}; Max-Age=31536000{flags}")
            await send(message)

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        except BodyTooLarge:
            await _too_large(send)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched") if route else "unmatched"
            REQUESTS.labels(scope["method"], name, str(status_holder["status"])).inc()
            LATENCY.labels(scope["method"], name).observe(time.perf_counter() - started)


class BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b'{"error": {"code": "too_large", "message": "Request too large."}}'
    try:
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
    except RuntimeError:
        pass  # the response had already started
