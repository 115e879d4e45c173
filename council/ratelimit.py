"""Fixed-window rate limits, in memory or shared through Redis when REDIS_URL is set.

When Redis does not answer, the limits fall back to this process's own counts (and say so in
the log) rather than refusing every login: a worker then allows up to its own full budget, so
the node as a whole allows that many times its number of workers until Redis is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from council.errors import RateLimited

log = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _, seconds = text.partition("/")
        return cls(int(count), int(seconds or 60))


class RateLimiter:
    """Counts hits per key within a window."""

    async def hits(self, key: str, rate: Rate) -> tuple[int, int]:
        """Current (count, seconds left in window) without adding a hit."""
        raise NotImplementedError

    async def add(self, key: str, rate: Rate) -> tuple[int, int]:
        """Add a hit; return (count after, seconds left in window)."""
        raise NotImplementedError

    async def reset(self, key: str) -> None:
        raise NotImplementedError

    async def ping(self) -> Literal["ok", "down", "off"]:
        """The state of the shared store behind the limits (``off``: none, counts are local)."""
        return "off"

    async def check(self, key: str, rate: Rate) -> None:
        """Raise RateLimited when ``key`` already used up ``rate``."""
        count, left = await self.hits(key, rate)
        if count >= rate.count:
            raise RateLimited(max(left, 1))

    async def consume(self, key: str, rate: Rate) -> None:
        """Count one hit and raise RateLimited when it goes over ``rate``."""
        count, left = await self.add(key, rate)
        if count > rate.count:
            raise RateLimited(max(left, 1))


class MemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def _current(self, key: str, rate: Rate) -> tuple[float, int]:
        now = time.monotonic()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= rate.seconds:
            start, count = now, 0
        return start, count

    async def hits(self, key: str, rate: Rate) -> tuple[int, int]:
        start, count = self._current(key, rate)
        return count, int(rate.seconds - (time.monotonic() - start)) + 1

    async def add(self, key: str, rate: Rate) -> tuple[int, int]:
        start, count = self._current(key, rate)
        self._windows[key] = (start, count + 1)
        if len(self._windows) > 100_000:
            self._windows.clear()
        return count + 1, int(rate.seconds - (time.monotonic() - start)) + 1

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str, timeout: float = 1.0) -> None:
        import redis.asyncio as aioredis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Short timeouts and one immediate retry (a pooled connection Redis closed): a login
        # must not wait seconds on a Redis that is gone.
        self._redis = aioredis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )

    async def hits(self, key: str, rate: Rate) -> tuple[int, int]:
        pipe = self._redis.pipeline()
        pipe.get(f"rl:{key}")
        pipe.ttl(f"rl:{key}")
        value, ttl = await pipe.execute()
        return int(value or 0), int(ttl if ttl and ttl > 0 else rate.seconds)

    async def add(self, key: str, rate: Rate) -> tuple[int, int]:
        pipe = self._redis.pipeline()
        pipe.incr(f"rl:{key}")
        pipe.expire(f"rl:{key}", rate.seconds, nx=True)
        pipe.ttl(f"rl:{key}")
        count, _, ttl = await pipe.execute()
        return int(count), int(ttl if ttl and ttl > 0 else rate.seconds)

    async def reset(self, key: str) -> None:
        await self._redis.delete(f"rl:{key}")

    async def ping(self) -> Literal["ok", "down", "off"]:
        await self._redis.ping()
        return "ok"

    async def close(self) -> None:
        await self._redis.aclose()


class FallbackRateLimiter(RateLimiter):
    """Redis while it answers; this process's own counts while it does not.

    After a failure Redis is left alone for ``pause`` seconds, so that each login does not wait
    for a connection to fail again."""

    def __init__(self, url: str, pause: float = 5.0) -> None:
        self.shared = RedisRateLimiter(url)
        self.local = MemoryRateLimiter()
        self.pause = pause
        self._retry_at = 0.0
        self.degraded = False

    async def _call(
        self, shared: Callable[[], Awaitable[_T]], local: Callable[[], Awaitable[_T]]
    ) -> _T:
        from redis.exceptions import RedisError

        if time.monotonic() >= self._retry_at:
            try:
                result = await shared()
            except (RedisError, OSError) as exc:
                self._retry_at = time.monotonic() + self.pause
                if not self.degraded:
                    self.degraded = True
                    log.warning(
                        "Redis does not answer (%s: %s): rate limits are per process until it is back",
                        type(exc).__name__,
                        exc,
                    )
            else:
                if self.degraded:
                    self.degraded = False
                    log.warning("Redis answers again: rate limits are shared again")
                return result
        return await local()

    async def hits(self, key: str, rate: Rate) -> tuple[int, int]:
        return await self._call(
            lambda: self.shared.hits(key, rate), lambda: self.local.hits(key, rate)
        )

    async def add(self, key: str, rate: Rate) -> tuple[int, int]:
        return await self._call(
            lambda: self.shared.add(key, rate), lambda: self.local.add(key, rate)
        )

    async def reset(self, key: str) -> None:
        await self.local.reset(key)
        await self._call(lambda: self.shared.reset(key), lambda: self.local.reset(key))

    async def ping(self) -> Literal["ok", "down", "off"]:
        return await self.shared.ping()

    async def close(self) -> None:
        await self.shared.close()


_limiter: RateLimiter = MemoryRateLimiter()


def configure(redis_url: str | None) -> RateLimiter:
    global _limiter
    _limiter = FallbackRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
    return _limiter


def limiter() -> RateLimiter:
    return _limiter
