"""auth.login, auth.token, auth.logout: pages, tokens, throttling, cookies."""

from __future__ import annotations

import re

from council.models import AuditEntry
from tests.factories import PASSWORD, bearer, error_code, login, make_council, make_user


async def test_login_page_in_vietnamese_by_default(client):
    r = await client.get("/login")
    assert r.status_code == 200
    assert "Đăng nhập" in r.text
    assert 'lang="vi"' in r.text


async def test_login_page_in_english(client):
    r = await client.get("/login?lang=en")
    assert "Log in" in r.text and 'lang="en"' in r.text
    assert "lang=en" in r.headers.get("set-cookie", "")


async def test_login_sets_httponly_lax_cookie_and_redirects(client):
    council = await make_council()
    user = await make_user("secretariat", council)
    page = await client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": csrf, "next": "/"},
    )
    assert r.status_code == 303
    cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith("council_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie
    dash = await client.get("/")
    assert user.full_name in dash.text
    assert await AuditEntry.filter(operation="auth.login", actor_id=user.id).exists()


async def test_logout_ends_the_session_and_clears_what_the_browser_kept(client):
    """Pages and documents saved for offline reading (the service worker's cache) must not
    outlive the session on a shared tablet."""
    user = await make_user("delegate", await make_council())
    await login(client, user)
    assert user.full_name in (await client.get("/")).text
    r = await client.post("/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert r.headers["clear-site-data"] == '"cache", "storage"'
    assert await AuditEntry.filter(operation="auth.logout", actor_id=user.id).exists()


async def test_login_without_csrf_is_refused(client):
    council = await make_council()
    user = await make_user("delegate", council)
    r = await client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 403


async def test_wrong_password_is_shown_and_audited(client):
    council = await make_council()
    user = await make_user("delegate", council)
    page = await client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post(
        "/login", data={"username": user.username, "password": "nope-nope", "csrf_token": csrf}
    )
    assert r.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in r.text
    assert await AuditEntry.filter(operation="auth.login_failed").exists()


async def test_token_issue_use_and_revoke(client):
    council = await make_council()
    user = await make_user("chair", council)
    r = await client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    me = await client.get("/api/v1/me", headers=headers)
    assert me.json()["username"] == user.username
    assert (await client.post("/api/v1/auth/revoke", headers=headers)).status_code == 200
    again = await client.get("/api/v1/me", headers=headers)
    assert again.status_code == 401 and error_code(again) == "unauthorized"


async def test_login_throttled_per_account(client):
    council = await make_council()
    user = await make_user("delegate", council)
    codes = []
    for _ in range(12):
        r = await client.post(
            "/api/v1/auth/token", json={"username": user.username, "password": "bad-pass-1"}
        )
        codes.append(r.status_code)
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429
    r = await client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    )
    assert r.status_code == 429 and "Retry-After" in r.headers


async def test_token_bad_body_is_422_not_500(client):
    r = await client.post("/api/v1/auth/token", json={"username": 5})
    assert r.status_code == 422
    assert error_code(r) == "invalid"
    r = await client.post(
        "/api/v1/auth/token", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400


async def test_passwords_are_argon2id(client):
    council = await make_council()
    user = await make_user("delegate", council)
    assert user.password_hash.startswith("$argon2id$")


async def test_bearer_needs_no_csrf_but_cookie_does(client):
    council = await make_council()
    admin = await make_user("admin")
    headers = await bearer(admin)
    r = await client.post(
        "/api/v1/councils",
        headers=headers,
        json={"code": "X1", "name": "Hội đồng X", "level": "city", "seats": 10},
    )
    assert r.status_code == 201, r.text
    assert council.id != r.json()["id"]
