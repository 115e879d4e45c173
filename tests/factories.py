"""Factories and named helpers shared by every test package."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import httpx

from council import services
from council.auth import SESSION_COOKIE, issue_token
from council.models import Agency, Council, User
from council.security import hash_password

PASSWORD = "correct-horse-9"


@cache
def _password_hash() -> str:
    """Hash the shared test password once: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


_seq = itertools.count(1)


async def make_council(
    code: str | None = None,
    *,
    level: str = "city",
    seats: int = 30,
    parent: Council | None = None,
    quorum: str | None = None,
    name: str | None = None,
) -> Council:
    code = code or f"C{next(_seq)}"
    return await services.council_create(
        None,
        code=code,
        name=name or f"Hội đồng nhân dân {code}",
        level=level,
        seats=seats,
        parent_code=parent.code if parent else None,
        quorum=quorum,
    )


async def make_commune(city: Council, code: str | None = None, seats: int = 25) -> Council:
    return await make_council(code, level="commune", seats=seats, parent=city)


async def make_agency(
    council: Council, code: str | None = None, categories: list[str] | None = None
) -> Agency:
    admin = await User.filter(role="admin").first() or await make_user("admin")
    return await services.agency_create(
        admin,
        code=code or f"AG{next(_seq)}",
        name=f"Sở {code or 'X'}",
        council_code=council.code,
        categories=categories or ["transport"],
    )


async def make_user(
    role: str,
    council: Council | None = None,
    *,
    agency: Agency | None = None,
    username: str | None = None,
    full_name: str | None = None,
    password: str = PASSWORD,
    title: str = "",
) -> User:
    username = username or f"{role}{next(_seq)}"
    prehashed = _password_hash() if password == PASSWORD else None
    return await services.user_create(
        None,
        username=username,
        password=password,
        role=role,
        full_name=full_name or f"Người dùng {username}",
        council_code=council.code if council and role != "agency" else None,
        agency_code=agency.code if agency else None,
        password_hash=prehashed,
        title=title,
    )


async def make_delegates(council: Council, n: int) -> list[User]:
    return [await make_user("delegate", council) for _ in range(n)]


async def bearer(user: User) -> dict[str, str]:
    """Headers that authenticate as ``user`` with an API token."""
    token = await issue_token(user, "api", 24)
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, user: User) -> httpx.AsyncClient:
    """Give ``client`` a browser session for ``user`` (cookie + CSRF header for htmx/forms)."""
    token = await issue_token(user, "session", 24)
    client.cookies.set(SESSION_COOKIE, token)
    csrf = "test-csrf-token-" + str(user.id)
    client.cookies.set("csrftoken", csrf)
    client.headers["X-CSRF-Token"] = csrf
    return client


def htmx(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"HX-Request": "true", **(extra or {})}


def error_code(response: httpx.Response) -> Any:
    return response.json()["error"]["code"]
