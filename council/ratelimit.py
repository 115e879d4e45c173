"""Fixed-window rate limits, in memory or shared through Redis when REDIS_URL is set."""

from __future__ import annotations

import time
from dataclasses import dataclass

from council.errors import RateLimited


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
    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url)

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

    async def close(self) -> None:
        await self._redis.aclose()


_limiter: RateLimiter = MemoryRateLimiter()


def configure(redis_url: str | None) -> RateLimiter:
    global _limiter
    _limiter = RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
    return _limiter


def limiter() -> RateLimiter:
    return _limiter
