"""Security properties of the whole app: CSP and no inline script, cookies, CSRF, errors for bad input."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
import uvicorn

from council.auth import SESSION_COOKIE
from council.models import Council
from council.settings import Settings
from council.web import API_REGISTRY, openapi_path
from tests.conftest import free_port
from tests.factories import (
    PASSWORD,
    bearer,
    error_code,
    login,
    make_agency,
    make_council,
    make_user,
)

INERT_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block or what runs code from the markup itself."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if (
            tag == "script"
            and not values.get("src")
            and values.get("type") not in INERT_SCRIPT_TYPES
        ):
            self._in_script = True
        for name, value in attrs:
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if value and re.match(r"\s*javascript:", value, re.I):
                self.found.append(f"<{tag} {name}=javascript:…>")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def _csp(response: httpx.Response) -> dict[str, str]:
    header = response.headers.get("content-security-policy", "")
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def _page_paths(app: Any) -> list[str]:
    """Every GET route of the app that is not part of the JSON API and needs no parameter."""
    paths = []
    for route in app.other_asgi_app.routes:
        path = getattr(route, "path", "")
        if (
            "GET" in (getattr(route, "methods", None) or ())
            and "{" not in path
            and not path.startswith(("/api/", "/static", "/healthz", "/readyz", "/metrics"))
        ):
            paths.append(path)
    return paths


# --- Content-Security-Policy and inline code --------------------------------------------------


async def test_csp_is_strict(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/api/v1/councils", "/no-such-page"):
        csp = _csp(await client.get(path, headers={"Accept": "text/html"}))
        assert csp.get("default-src") == "default-src 'self'"
        assert csp.get("script-src") == "script-src 'self'"
        assert csp.get("object-src") in ("object-src 'none'", "object-src 'self'")
        assert "base-uri" in csp and "frame-ancestors" in csp and "form-action" in csp
        header = " ".join(csp.values())
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        assert "*" not in header.replace("ws:", "").replace("wss:", "")


async def test_other_security_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/login")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in r.headers  # plain HTTP: HSTS would be a lie


async def test_no_inline_code_in_any_page(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, app: Any, settings: Settings
) -> None:
    """Every page without parameters, for a visitor and for an administrator, and the core's
    pages with parameters, render without inline scripts, handlers or styles."""
    city = await make_council("HN")
    commune = await make_council("HN-BD", level="commune", parent=city)
    agency = await make_agency(city, "SO-XD")
    admin = await make_user("admin", username="quantri")
    secretariat = await make_user("secretariat", commune)
    await login(client, admin)
    core = [
        f"/admin/councils/{city.id}/edit",
        f"/admin/councils/{commune.id}/agencies",
        f"/admin/councils/{commune.id}/users",
        f"/admin/councils/{commune.id}/users/new",
        f"/admin/councils/{commune.id}/users/import",
        f"/admin/agencies/{agency.id}/edit",
        f"/admin/users/{secretariat.id}/edit",
        "/no-such-page",
    ]
    problems: dict[str, list[str]] = {}
    checked = 0
    for who, c in (("visitor", anon), ("admin", client)):
        for path in [*_page_paths(app), *(core if who == "admin" else [])]:
            r = await c.get(path, headers={"Accept": "text/html"})
            assert r.status_code < 500, f"GET {path} as {who}: {r.status_code}"
            if r.headers.get("content-type", "").startswith("text/html"):
                checked += 1
                if found := inline_code(r.text):
                    problems[f"{who} GET {path}"] = found
    assert checked >= 10
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_inline_code_detector_detects() -> None:
    assert inline_code('<script>alert(1)</script><script src="/static/x.js"></script>') == [
        "inline <script>: 'alert(1)'"
    ]
    assert inline_code('<a href="javascript:void(0)" onclick="x()">') == [
        "<a href=javascript:…>",
        "<a onclick=…>",
    ]
    assert inline_code('<div style="color:red">') == ["<div style=…>"]
    assert inline_code('<script type="application/json">{"a":1}</script>') == []


# --- cookies ------------------------------------------------------------------------------------


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def _flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


async def _browser_login(
    client: httpx.AsyncClient, username: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    page = await client.get("/login", headers=headers)
    csrf = _set_cookies(page)["csrftoken"].split(";")[0].split("=", 1)[1]
    return await client.post(
        "/login",
        headers={**(headers or {}), "Cookie": f"csrftoken={csrf}"},
        data={"username": username, "password": PASSWORD, "csrf_token": csrf},
    )


async def test_session_cookie_is_httponly_and_lax(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, settings: Settings
) -> None:
    await make_user("citizen", username="congdan1")
    r = await _browser_login(client, "congdan1")
    assert r.status_code == 303
    session = _set_cookies(r)["council_session"]
    assert {"httponly", "samesite=lax", "path=/"} <= _flags(session)
    assert "secure" not in _flags(session)
    page = await anon.get("/login")
    assert {"httponly", "samesite=lax"} <= _flags(_set_cookies(page)["csrftoken"])


@pytest.fixture
async def proxied_server(app: Any) -> AsyncIterator[Any]:
    """The app behind uvicorn configured as `council serve` configures it (proxy headers on)."""

    async def start(forwarded_allow_ips: str) -> tuple[str, uvicorn.Server]:
        port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
        )
        server = uvicorn.Server(config)
        servers.append((server, asyncio.create_task(server.serve())))
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        return f"http://127.0.0.1:{port}", server

    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    yield start
    for server, task in servers:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def test_cookies_are_secure_behind_https(proxied_server: Any, settings: Settings) -> None:
    await make_user("citizen", username="congdan2")
    base, _ = await proxied_server(settings.forwarded_allow_ips)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    async with httpx.AsyncClient(base_url=base) as c:
        r = await _browser_login(c, "congdan2", https)
        assert r.status_code == 303, r.text
        cookies = _set_cookies(r)
        assert {"httponly", "samesite=lax", "secure"} <= _flags(cookies["council_session"])
        assert "max-age=31536000" in r.headers["strict-transport-security"].lower()
        page = await c.get("/login", headers=https)
        assert "secure" in _flags(_set_cookies(page)["csrftoken"])
    from council.models import AuditEntry

    entry = await AuditEntry.filter(operation="auth.login").order_by("-id").first()
    assert entry is not None and entry.ip == "203.0.113.7"  # the client behind the proxy


async def test_forwarded_headers_from_an_untrusted_address_are_ignored(
    proxied_server: Any, settings: Settings
) -> None:
    await make_user("citizen", username="congdan3")
    base, _ = await proxied_server("10.255.255.1")  # the only trusted proxy is not us
    async with httpx.AsyncClient(base_url=base) as c:
        r = await _browser_login(c, "congdan3", {"X-Forwarded-Proto": "https"})
        assert r.status_code == 303
        assert "secure" not in _flags(_set_cookies(r)["council_session"])
        assert "strict-transport-security" not in r.headers


# --- CSRF ---------------------------------------------------------------------------------------


async def test_csrf_is_required_on_unsafe_cookie_requests(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await make_user("admin")
    await login(client, admin)
    body = {"code": "DN", "name": "Đà Nẵng", "level": "city", "seats": 52}
    token = client.headers.pop("X-CSRF-Token")

    r = await client.post("/api/v1/councils", json=body)
    assert r.status_code == 403 and error_code(r) == "csrf_failed"
    r = await client.post("/api/v1/councils", json=body, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403 and error_code(r) == "csrf_failed"
    r = await client.post(
        "/admin/councils/new",
        data={"code": "DN", "name": "Đà Nẵng", "level": "city", "seats": "52"},
    )
    assert r.status_code == 403
    r = await client.post("/logout")
    assert r.status_code == 403
    assert not await Council.filter(code="DN").exists()

    r = await client.post("/api/v1/councils", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    r = await client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303


async def test_login_form_needs_csrf_too(anon: httpx.AsyncClient, settings: Settings) -> None:
    await make_user("citizen", username="congdan4")
    r = await anon.post("/login", data={"username": "congdan4", "password": PASSWORD})
    assert r.status_code == 403
    assert "council_session" not in _set_cookies(r)


async def test_a_non_ascii_csrf_token_is_refused_not_a_crash(
    anon: httpx.AsyncClient, settings: Settings
) -> None:
    """The token comes from the client: any text, in the form field, the header or the cookie."""
    await anon.get("/login")
    for path in ("/login", "/petitions/track"):
        r = await anon.post(path, data={"username": "congdan4", "csrf_token": "é"})
        assert r.status_code == 403, (path, r.status_code)
    utf8 = "é".encode()
    r = await anon.post("/login", data={"username": "x"}, headers={"X-CSRF-Token": utf8})
    assert r.status_code == 403
    r = await anon.post(
        "/login",
        data={"username": "x", "csrf_token": "é"},
        headers={"Cookie": b"csrftoken=" + utf8},
    )
    assert r.status_code == 403


async def test_bearer_requests_need_no_csrf(anon: httpx.AsyncClient, settings: Settings) -> None:
    admin = await make_user("admin")
    r = await anon.post(
        "/api/v1/councils",
        headers=await bearer(admin),
        json={"code": "DN", "name": "Đà Nẵng", "level": "city", "seats": 52},
    )
    assert r.status_code == 201


async def test_a_session_cookie_is_not_a_bearer_token(
    anon: httpx.AsyncClient, settings: Settings
) -> None:
    from council.auth import issue_token

    user = await make_user("admin")
    cookie = await issue_token(user, "session", 1)
    r = await anon.get("/api/v1/me", headers={"Authorization": f"Bearer {cookie}"})
    assert r.status_code == 401


# --- bad input never causes a 500 -------------------------------------------------------------

BAD_BODIES: list[tuple[str, bytes]] = [
    ("not json", b"{not json"),
    ("invalid utf-8", b'{"title": "\xff\xfe"}'),
    ("array", b"[1, 2, 3]"),
    ("string", b'"text"'),
    ("null", b"null"),
    ("number", b"12345678901234567890123456789"),
    ("nested", b'{"a":' * 200 + b"1" + b"}" * 200),
    ("too deep", b"[" * 200_000 + b"]" * 200_000),
    (
        "wrong types",
        json.dumps(
            {
                "code": 1,
                "name": [],
                "level": {},
                "seats": "x",
                "title": 5,
                "choice": {"a": [None]},
                "session_id": "1; DROP TABLE council",
            }
        ).encode(),
    ),
    (
        "huge numbers",
        json.dumps(
            {
                "seats": 10**30,
                "session_id": 10**30,
                "document_id": -(10**30),
                "item_id": 2**63,
                "poll_id": 2**31,
            }
        ).encode(),
    ),
    (
        "control characters",
        json.dumps(
            {
                "code": "A\x00B",
                "name": "\x00\u202e\ud800",
                "title": "\x00",
                "username": "\x00",
                "password": "\x00" * 9,
            }
        ).encode(),
    ),
]


async def test_bad_bodies_never_cause_a_server_error(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Every JSON route of every package, with hostile bodies, as an administrator."""
    await make_council("HN")
    admin = await make_user("admin")
    headers = {**await bearer(admin), "Content-Type": "application/json"}
    failures = []
    for meta in API_REGISTRY:
        if meta.method not in ("POST", "PUT", "PATCH"):
            continue
        path, params = openapi_path(meta.path)
        for name, kind in params:
            path = path.replace("{" + name + "}", "1" if kind == "int" else "HN")
        for label, raw in BAD_BODIES:
            r = await client.request(meta.method, path, content=raw, headers=headers)
            ok = r.status_code < 500 and "error" in _json(r)
            if not ok and not (r.status_code < 300 and meta.body is None):
                failures.append(f"{meta.method} {path} [{label}]: {r.status_code} {r.text[:120]}")
    assert not failures, "\n".join(failures)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# Query values that once reached a driver or a library and failed there (each a 500).
HOSTILE_QUERY_VALUES = [
    str(2**70),  # fits no database column
    "²",  # a digit to str.isdigit, not to int()
    "10001",  # an offset beyond the search index's window
    "0001-01-01",  # dates a day and a time zone away from the ends of datetime's range
    "9999-12-31",
    "0001-01-01T00:00:00+07:00",
    "9999-12-31T23:59:59-07:00",
]


async def test_bad_query_and_path_values_never_cause_a_server_error(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await make_user("admin")
    headers = await bearer(admin)
    failures = []
    for meta in API_REGISTRY:
        if meta.method != "GET":
            continue
        path, params = openapi_path(meta.path)
        for name, kind in params:
            path = path.replace(
                "{" + name + "}", "99999999999999999999" if kind == "int" else "%00%ff.."
            )
        query = {name: value for name in (meta.query or {}) for value in ("\x00' OR 1=1 --",)}
        query.update({"limit": "-1", "offset": "1e99", "page": "x"})
        r = await client.get(path, params=query, headers=headers)
        if r.status_code >= 500:
            failures.append(f"GET {path}: {r.status_code} {r.text[:120]}")
    assert not failures, "\n".join(failures)


async def test_hostile_query_values_never_cause_a_server_error(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, settings: Settings
) -> None:
    """Each declared query parameter of each GET route, one at a time, with values that passed
    a loose check and then failed deeper; path ids that exist, so the handlers read the query."""
    city = await make_council("HN")
    headers = await bearer(await make_user("admin"))
    failures = []
    for meta in API_REGISTRY:
        if meta.method != "GET" or not meta.query:
            continue
        path, params = openapi_path(meta.path)
        for name, kind in params:
            path = path.replace("{" + name + "}", str(city.id) if kind == "int" else "HN")
        for name in meta.query:
            for value in HOSTILE_QUERY_VALUES:
                for caller, auth in ((client, headers), (anon, {})):
                    try:
                        r = await caller.get(path, params={name: value}, headers=auth)
                        status = str(r.status_code)
                    except Exception as exc:  # noqa: BLE001 - the in-process client re-raises
                        status = repr(exc)[:100]
                    if not status.isdigit() or int(status) >= 500:
                        failures.append(f"GET {path}?{name}={value}: {status}")
    assert not failures, "\n".join(failures)


def test_every_body_is_a_schema_so_its_whole_numbers_are_bounded() -> None:
    """``Schema`` refuses any whole number no database column can store, in any field; a body
    model that is not a ``Schema`` would let 2**70 through to the driver."""
    import meetings.events  # noqa: F401 - registers the Socket.IO handlers
    from council.realtime import EVENTS
    from council.validation import Schema

    bodies = [m for meta in API_REGISTRY for m in (meta.body, meta.json_alt) if m is not None]
    bodies += [spec.body for spec in EVENTS.values() if spec.body is not None]
    assert bodies and all(issubclass(m, Schema) for m in bodies), [
        m for m in bodies if not issubclass(m, Schema)
    ]


def test_whole_numbers_beyond_the_database_are_refused_naming_the_field() -> None:
    from council.errors import Invalid
    from council.validation import MAX_INT, MIN_INT, Schema, int_param, parse

    class Option(Schema):
        position: int

    class Body(Schema):
        count: int = 0
        maybe: int | None = None
        ids: list[int] = []
        anything: Any = None
        options: list[Option] = []

    assert parse(Body, {"count": MAX_INT, "maybe": MIN_INT, "anything": [True]}).count == MAX_INT
    for data, field in [
        ({"count": MAX_INT + 1}, "count"),
        ({"maybe": MIN_INT - 1}, "maybe"),
        ({"ids": [1, 2**70]}, "ids"),
        ({"anything": {"choice": [2**70]}}, "anything"),
        ({"anything": {2**70: "yes"}}, "anything"),
        ({"options": [{"position": 2**70}]}, "options.0.position"),
    ]:
        with pytest.raises(Invalid) as refused:
            parse(Body, data)
        assert field in refused.value.details["fields"], data
    assert Body.model_json_schema()["properties"]["count"]["maximum"] == MAX_INT

    assert int_param({"n": " 42 "}, "n") == 42 and int_param({"n": ""}, "n", 7) == 7
    for raw in (str(MAX_INT + 1), str(MIN_INT - 1), "²", "1e3", "4.0", "9" * 5000, "-1"):
        with pytest.raises(Invalid) as refused:
            int_param({"n": raw}, "n", minimum=0)
        assert list(refused.value.details["fields"]) == ["n"], raw


# --- 404 and 405 are JSON under /api --------------------------------------------------------------


async def test_unknown_api_paths_and_methods_answer_json(client: httpx.AsyncClient) -> None:
    for accept in ("application/json", "text/html"):
        r = await client.get("/api/v1/no-such-thing", headers={"Accept": accept})
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
        assert error_code(r) == "not_found" and r.json()["error"]["message"]
        r = await client.delete("/api/v1/councils", headers={"Accept": accept})
        assert r.status_code == 405 and error_code(r) == "method_not_allowed"


async def test_unknown_pages_answer_an_html_error_page(client: httpx.AsyncClient) -> None:
    r = await client.get("/no-such-page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert not inline_code(r.text)


async def test_an_unknown_page_still_shows_who_is_logged_in(client: httpx.AsyncClient) -> None:
    user = await make_user("delegate", await make_council(), full_name="Nguyễn Thị Lan")
    await login(client, user)
    r = await client.get("/no-such-page", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert "Nguyễn Thị Lan" in r.text and 'action="/logout"' in r.text
    client.cookies.set(SESSION_COOKIE, "not-a-session")
    r = await client.get("/no-such-page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Nguyễn Thị Lan" not in r.text


async def test_oversized_json_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    admin = await make_user("admin")
    big = json.dumps({"code": "X", "name": "x" * 2_000_000, "level": "city", "seats": 1})
    r = await client.post(
        "/api/v1/councils",
        content=big,
        headers={**await bearer(admin), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and error_code(r) == "too_large"


async def test_text_no_database_can_store_is_refused(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, settings: Settings
) -> None:
    """NUL characters and lone surrogates answer 422 wherever they come from (PostgreSQL cannot
    store them; without the check the driver fails deep inside a service)."""
    admin = await make_user("admin")
    headers = await bearer(admin)
    r = await client.get("/api/v1/agencies", params={"council_code": "H\x00N"}, headers=headers)
    assert r.status_code == 422 and error_code(r) == "invalid"
    r = await client.post(
        "/api/v1/councils",
        headers=headers,
        content=b'{"code": "DN", "name": "\\u0000", "level": "city", "seats": 5}',
    )
    assert r.status_code == 422
    r = await client.post(
        "/api/v1/councils",
        headers=headers,
        content=b'{"code": "DN", "name": "\\ud800x", "level": "city", "seats": 5}',
    )
    assert r.status_code == 422
    page = await anon.get("/login")
    csrf = anon.cookies.get("csrftoken")
    r = await anon.post("/login", data={"username": "a\x00b", "password": "x", "csrf_token": csrf})
    assert r.status_code == 422 and page.status_code == 200


async def test_a_body_field_never_points_the_permission_check_at_another_target(client) -> None:
    """A body or query field named like a path parameter must not replace it in the scope check:
    the check would then pass on the body's target while the route acts on the path's."""
    from types import SimpleNamespace

    from council.permissions import Scope, allow
    from council.web import _authorize

    own = await make_council()
    other = await make_council()
    user = await make_user("secretariat", own)
    seen: list[object] = []

    async def resolve(params: Any) -> Scope:
        seen.append(params["council_id"])
        return Scope.council(int(params["council_id"]))

    perm = allow("test.act", "secretariat", scope="council", resolve=resolve)
    request = SimpleNamespace(
        query_params={"council_id": str(own.id)},
        url=SimpleNamespace(path=f"/test/{other.id}"),
        method="POST",
    )
    ctx = SimpleNamespace(request=request, params={"council_id": other.id}, user=user)
    with pytest.raises(Exception) as refused:
        await _authorize(ctx, perm, extra={"council_id": own.id})  # type: ignore[arg-type]
    assert type(refused.value).__name__ == "Forbidden" and seen == [other.id]
