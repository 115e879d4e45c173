"""Login throttling per account and per IP, in memory and shared through Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from council.errors import RateLimited
from council.ratelimit import MemoryRateLimiter, Rate, RedisRateLimiter
from tests.factories import PASSWORD, error_code, make_council, make_user

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")


async def test_rate_parsing() -> None:
    assert Rate.parse("10/300") == Rate(10, 300)
    assert Rate.parse("5") == Rate(5, 60)


async def test_memory_limiter_counts_within_a_window() -> None:
    limiter = MemoryRateLimiter()
    rate = Rate(3, 60)
    for _ in range(3):
        await limiter.consume("k", rate)
    with pytest.raises(RateLimited) as raised:
        await limiter.consume("k", rate)
    assert 1 <= raised.value.retry_after <= 61
    await limiter.reset("k")
    await limiter.consume("k", rate)


@needs_redis
async def test_redis_limiter_is_shared_between_workers() -> None:
    """Two limiters (two worker processes) count the same key together."""
    first, second = RedisRateLimiter(REDIS_URL), RedisRateLimiter(REDIS_URL)  # type: ignore[arg-type]
    key, rate = f"test:{uuid.uuid4().hex}", Rate(4, 60)
    try:
        await first.consume(key, rate)
        await second.consume(key, rate)
        await first.consume(key, rate)
        await second.consume(key, rate)
        with pytest.raises(RateLimited):
            await first.consume(key, rate)
        assert (await second.hits(key, rate))[0] == 5
    finally:
        await first.reset(key)
        await first.close()
        await second.close()


async def _bad_logins(client, username: str, n: int) -> list[int]:
    codes = []
    for _ in range(n):
        r = await client.post(
            "/api/v1/auth/token", json={"username": username, "password": "wrong-pass-1"}
        )
        codes.append(r.status_code)
    return codes


async def test_login_is_throttled_per_ip_across_accounts(settings, client) -> None:
    settings.login_ip_rate = "10/300"  # the default is sized for a hall (test_login_throttle)
    council = await make_council()
    users = [await make_user("delegate", council) for _ in range(3)]
    codes = []
    for user in users:
        codes += await _bad_logins(client, user.username, 4)
    # 10 failures from one address use up the IP's allowance, whatever the account.
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    fresh = await make_user("delegate", council)
    r = await client.post(
        "/api/v1/auth/token", json={"username": fresh.username, "password": PASSWORD}
    )
    assert r.status_code == 429 and error_code(r) == "rate_limited"


@needs_redis
async def test_login_throttle_is_shared_through_redis(settings) -> None:
    """Two app instances (two workers) with REDIS_URL share the failed-login count."""
    import httpx

    from council.app import create_app

    settings.redis_url = REDIS_URL
    council = await make_council()
    user = await make_user("delegate", council, username=f"redis{uuid.uuid4().hex[:8]}")
    codes = []
    for _ in range(2):
        app = create_app(settings, manage_db=False)  # each instance configures its own limiter
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://w"
        ) as c:
            codes += await _bad_logins(c, user.username, 6)
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    limiter = RedisRateLimiter(REDIS_URL)  # type: ignore[arg-type]
    try:
        await limiter.reset(f"login:user:{user.username}")
        await limiter.reset(f"login:pair:{user.username}:127.0.0.1")
        await limiter.reset("login:ip:127.0.0.1")
    finally:
        await limiter.close()


async def test_redis_down_falls_back_to_per_process_limits(settings, caplog) -> None:
    """REDIS_URL where nothing listens: logins still work, failures are still counted (in this
    process), and the log says why."""
    import logging

    import httpx

    from council.app import create_app
    from tests.conftest import free_port

    settings.redis_url = f"redis://127.0.0.1:{free_port()}/0"
    user = await make_user("chair", await make_council())
    app = create_app(settings, manage_db=False)
    with caplog.at_level(logging.WARNING, logger="council.ratelimit"):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://w"
        ) as c:
            ok = await c.post(
                "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
            )
            assert ok.status_code == 200, ok.text
            # Logging out tells the other workers through Redis: that too goes on without it.
            token = {"Authorization": f"Bearer {ok.json()['access_token']}"}
            assert (await c.post("/api/v1/auth/revoke", headers=token)).status_code == 200
            codes = await _bad_logins(c, "nobody-here", 12)
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
    assert any("per process" in r.getMessage() for r in caplog.records)
