"""Light pages on slow links (issue 18, item 6): hashed static names cached for a year, compressed
assets and pages, the service worker never immutable, htmx only where a page uses it."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import brotli
import httpx
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from council import assets
from council.compression import CompressionMiddleware
from council.security import mask_csrf
from council.templating import environment
from tests.factories import PASSWORD, login, make_council, make_user
from tests.meetings.helpers import setup_running_session

STATIC = assets.STATIC_DIR
HASHED_CSS = re.compile(r"^/static/css/app\.[0-9a-f]{10}\.css$")


async def _get_raw(client: httpx.AsyncClient, url: str, **headers: str) -> tuple[Any, bytes]:
    """The response and its body as it crossed the wire (httpx decodes ``.content``)."""
    async with client.stream("GET", url, headers=headers) as r:
        body = b"".join([chunk async for chunk in r.aiter_raw()])
    return r, body


def _scripts(html: str) -> list[str]:
    return [n.attributes.get("src") or "" for n in HTMLParser(html).css("script")]


async def test_static_emits_hashed_names_cached_for_a_year(client: httpx.AsyncClient) -> None:
    url = environment().globals["static"]("css/app.css")
    assert HASHED_CSS.match(url)
    r = await client.get(url)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.content == (STATIC / "css" / "app.css").read_bytes()
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    assert "accept-encoding" in r.headers["vary"].lower()
    # The name follows the content: the hash is the file's.
    digest = url.rsplit(".", 2)[1]
    assert digest == assets.STATIC.get("css/app.css").digest  # type: ignore[union-attr]
    # Pages link the hashed names.
    page = await client.get("/login")
    links = [n.attributes["href"] for n in HTMLParser(page.text).css("link[rel=stylesheet]")]
    assert url in links


async def test_plain_and_outdated_names_still_work_with_a_short_cache(
    client: httpx.AsyncClient,
) -> None:
    body = (STATIC / "js" / "app.js").read_bytes()
    for url in ("/static/js/app.js", "/static/js/app.js?v=123", "/static/js/app.0123456789.js"):
        r = await client.get(url)
        assert r.status_code == 200, url
        assert r.content == body
        assert r.headers["cache-control"] == "public, max-age=300", url
    for url in ("/static/vendor/.pins", "/static/../council/app.py", "/static/js/nothing.js"):
        assert (await client.get(url)).status_code == 404, url
    assert (await client.post("/static/js/app.js")).status_code == 405


async def test_assets_are_sent_precompressed_and_revalidate(client: httpx.AsyncClient) -> None:
    url = assets.url("vendor/htmx.min.js")
    body = (STATIC / "vendor" / "htmx.min.js").read_bytes()
    r, raw = await _get_raw(client, url, **{"Accept-Encoding": "gzip, deflate, br"})
    assert r.headers["content-encoding"] == "br"
    assert brotli.decompress(raw) == body and len(raw) < len(body) / 3
    r, raw = await _get_raw(client, url, **{"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == body and int(r.headers["content-length"]) == len(raw)
    r, raw = await _get_raw(client, url, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and raw == body
    # A browser holding the file asks again only with its ETag: nothing is sent back.
    again = await client.get(
        url, headers={"If-None-Match": r.headers["etag"], "Accept-Encoding": "identity"}
    )
    assert again.status_code == 304 and again.content == b""
    # Pictures already compressed are sent as they are.
    r, raw = await _get_raw(client, assets.url("favicon.svg"), **{"Accept-Encoding": "br"})
    assert r.status_code == 200


async def test_service_worker_is_never_immutable(client: httpx.AsyncClient) -> None:
    assert assets.url("js/sw.js") == "/static/js/sw.js"
    for url in ("/meetings/sw.js", "/static/js/sw.js"):
        r = await client.get(url)
        assert r.status_code == 200, url
        assert "immutable" not in r.headers["cache-control"], url
        assert "no-cache" in r.headers["cache-control"], url
    digest = assets.STATIC.get("js/sw.js").digest  # type: ignore[union-attr]
    r = await client.get(f"/static/js/sw.{digest}.js")
    assert "immutable" not in r.headers["cache-control"]


async def test_pages_and_json_are_gzipped_on_the_fly(client: httpx.AsyncClient) -> None:
    r, raw = await _get_raw(client, "/login", **{"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in r.headers["vary"].lower()
    html = gzip.decompress(raw).decode()
    assert "<form" in html and len(raw) < len(html.encode()) / 2
    r, raw = await _get_raw(client, "/api/v1/openapi.json", **{"Accept-Encoding": "gzip, br"})
    assert r.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw).startswith(b"{")
    r, raw = await _get_raw(client, "/api/v1/openapi.json", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and raw.startswith(b"{")
    assert "accept-encoding" in r.headers["vary"].lower()


async def test_only_text_is_compressed_and_ranges_stay_byte_for_byte() -> None:
    text = "Hội đồng nhân dân " * 200

    async def page(request: Any) -> Response:
        kind = request.path_params["kind"]
        if kind == "pdf":
            return Response(b"%PDF-1.7 " + b"0" * 5000, media_type="application/pdf")
        if kind == "range":
            return Response(
                text.encode()[:2000],
                status_code=206,
                media_type="text/plain",
                headers={"Content-Range": "bytes 0-1999/7000"},
            )
        if kind == "small":
            return PlainTextResponse("ok")
        if kind == "stream":
            from starlette.responses import StreamingResponse

            async def chunks() -> Any:
                for _ in range(5):
                    yield text.encode()

            return StreamingResponse(chunks(), media_type="text/csv")
        return PlainTextResponse(text, headers={"ETag": '"abc"'})

    app = CompressionMiddleware(Starlette(routes=[Route("/{kind}", page)]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        r, raw = await _get_raw(client, "/text", **{"Accept-Encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip" and gzip.decompress(raw) == text.encode()
        assert r.headers["etag"] == 'W/"abc"'
        r, raw = await _get_raw(client, "/stream", **{"Accept-Encoding": "gzip"})
        assert gzip.decompress(raw) == text.encode() * 5
        for kind in ("pdf", "range", "small"):
            r, raw = await _get_raw(client, f"/{kind}", **{"Accept-Encoding": "gzip"})
            assert "content-encoding" not in r.headers, kind
        r, raw = await _get_raw(client, "/text", **{"Accept-Encoding": "gzip;q=0, br"})
        assert "content-encoding" not in r.headers


async def test_htmx_only_on_pages_that_use_it(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    htmx = assets.url("vendor/htmx.min.js")
    # Without an hx- attribute: the login page, the citizen's filing page, the public sittings.
    for url in ("/login", "/petitions/new", "/public/sessions"):
        r = await anon.get(url)
        assert r.status_code == 200, url
        assert htmx not in _scripts(r.text), url
        assert not re.search(r"\shx-[a-z]", r.text), url
    # The admin's list of users has htmx forms: htmx comes with it, once.
    city = await make_council("HN")
    await login(anon, await make_user("admin"))
    r = await anon.get("/admin/users")
    assert re.search(r"\shx-[a-z]", r.text)
    assert _scripts(r.text).count(htmx) == 1
    # The tablet links it itself (fragments with htmx forms arrive later): still once.
    s = await setup_running_session(client, seats=5, present=4)
    await login(client, s.delegates[0])
    r = await client.get(f"/meetings/sessions/{s.session_id}/tablet")
    assert r.status_code == 200
    assert _scripts(r.text).count(htmx) == 1
    assert city.code == "HN"


def test_the_file_hash_changes_with_the_content(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    file = tmp_path / "css" / "x.css"
    file.write_text("body { color: red }")
    store = assets.Assets(tmp_path)
    first = store.url("css/x.css")
    file.write_text("body { color: blue; margin: 0 }")
    second = store.url("css/x.css")
    assert first != second and re.match(r"^/static/css/x\.[0-9a-f]{10}\.css$", second)
    found = store.resolve(second.removeprefix("/static/"))
    assert found is not None and found[1] is True
    found = store.resolve(first.removeprefix("/static/"))
    assert found is not None and found[1] is False  # today's file, not as immutable
    assert store.url("css/missing.css") == "/static/css/missing.css"


async def test_pages_show_the_csrf_token_masked_afresh_each_time(
    anon: httpx.AsyncClient,
) -> None:
    """Gzipped pages must not repeat a secret beside text an attacker chose (BREACH)."""
    await make_user("citizen", username="congdan-mask")
    first = await anon.get("/login")
    cookie = anon.cookies["csrftoken"]
    second = await anon.get("/login")
    tokens = []
    for page in (first, second):
        (field,) = HTMLParser(page.text).css("input[name=csrf_token]")
        tokens.append(field.attributes["value"] or "")
        assert cookie not in page.text
    assert tokens[0] != tokens[1]
    meta = HTMLParser(second.text).css_first("meta[name=csrf-token]")
    assert meta is not None and meta.attributes["content"] == tokens[1]  # one mask per page
    # Every masked form of the token is accepted; another cookie's is not.
    r = await anon.post(
        "/login",
        data={"username": "congdan-mask", "password": PASSWORD, "csrf_token": tokens[0]},
    )
    assert r.status_code == 303
    other = mask_csrf("another-token")
    r = await anon.post("/logout", data={"csrf_token": other})
    assert r.status_code == 403
