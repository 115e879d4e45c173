"""Authentication before validation: a caller without the right learns nothing from the body.

And the CSRF token rotates at login (and logout), so one planted or read before it forges nothing.
"""

from __future__ import annotations

import re

import httpx
import pytest

from council.security import csrf_matches
from tests.factories import PASSWORD, bearer, error_code, login, make_council, make_user

INVALID_BODIES = [
    {},
    {"code": ""},
    {"username": 7, "role": "nobody"},
    [],
]


@pytest.mark.parametrize("path", ["/api/v1/councils", "/api/v1/users"])
@pytest.mark.parametrize("body", INVALID_BODIES, ids=range(len(INVALID_BODIES)))
async def test_unauthenticated_invalid_body_is_401(
    client: httpx.AsyncClient, path: str, body: object
) -> None:
    r = await client.post(path, json=body)
    assert r.status_code == 401 and error_code(r) == "unauthorized"
    assert "details" not in r.json()["error"]


@pytest.mark.parametrize("path", ["/api/v1/councils", "/api/v1/users"])
async def test_unauthenticated_garbage_body_is_401(client: httpx.AsyncClient, path: str) -> None:
    r = await client.post(path, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/councils", "/api/v1/users"])
async def test_a_bad_token_with_an_invalid_body_is_401(
    client: httpx.AsyncClient, path: str
) -> None:
    r = await client.post(path, json={}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/councils", "/api/v1/users"])
async def test_without_the_permission_it_is_403_never_field_details(
    client: httpx.AsyncClient, path: str
) -> None:
    delegate = await make_user("delegate", await make_council())
    headers = await bearer(delegate)
    for body in INVALID_BODIES:
        r = await client.post(path, json=body, headers=headers)
        assert r.status_code == 403 and error_code(r) == "forbidden", body
        assert "fields" not in r.json()["error"].get("details", {})


async def test_with_the_permission_an_invalid_body_is_422(client: httpx.AsyncClient) -> None:
    admin = await make_user("admin")
    r = await client.post("/api/v1/councils", json={"code": ""}, headers=await bearer(admin))
    assert r.status_code == 422 and error_code(r) == "invalid"


async def test_cookie_caller_without_the_permission_is_403(client: httpx.AsyncClient) -> None:
    await login(client, await make_user("chair", await make_council()))
    r = await client.post("/api/v1/councils", json={"level": "planet"})
    assert r.status_code == 403


def _csrf_field(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def test_the_csrf_token_rotates_at_login(client: httpx.AsyncClient) -> None:
    user = await make_user("secretariat", await make_council())
    before = _csrf_field((await client.get("/login")).text)
    # The page shows the cookie's token masked afresh (council.security.mask_csrf).
    assert csrf_matches(client.cookies.get("csrftoken"), before)
    r = await client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": before},
    )
    assert r.status_code == 303
    after = client.cookies.get("csrftoken")
    assert after and not csrf_matches(after, before)
    # Pages now carry the new token, and the one from before the login is refused.
    assert csrf_matches(after, _csrf_field((await client.get("/login")).text))
    stale = await client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 403
    out = await client.post("/logout", data={"csrf_token": after})
    assert out.status_code == 303
    renewed = client.cookies.get("csrftoken")
    assert renewed != after and not csrf_matches(renewed, before)
