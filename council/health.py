"""Readiness: a small registry of dependency checks, read by ``/readyz`` and ``/metrics``.

Each check answers ``ok``, ``down`` or ``off`` (not configured). A node is *unavailable* (503,
taken out by the load balancer) only when a check marked ``critical`` is down: the database, or
the file store. Anything else down leaves it *degraded* but serving, so that one shared
dependency going away (Redis) does not drain every node at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from prometheus_client import Gauge

from council import ratelimit, storage
from council.search.engine import get_engine

log = logging.getLogger(__name__)

State = Literal["ok", "down", "off"]
Probe = Callable[[], Awaitable[State]]

TIMEOUT = 3.0

UP = Gauge(
    "council_dependency_up",
    "1 when the dependency answers, 0 when it is down (absent when not configured)",
    ["dependency"],
)
READY = Gauge("council_ready", "1 when this node can serve, 0 when /readyz answers 503")


@dataclass(frozen=True)
class Check:
    name: str
    probe: Probe
    critical: bool


_CHECKS: dict[str, Check] = {}


def register(name: str, *, critical: bool) -> Callable[[Probe], Probe]:
    """Declare ``probe`` as the check of dependency ``name`` (raising or ``down`` = down)."""

    def decorate(probe: Probe) -> Probe:
        _CHECKS[name] = Check(name, probe, critical)
        return probe

    return decorate


def checks() -> dict[str, Check]:
    return dict(_CHECKS)


async def _run(check: Check) -> State:
    try:
        return await asyncio.wait_for(check.probe(), TIMEOUT)
    except Exception as exc:  # noqa: BLE001 — whatever the failure, the dependency is down
        log.warning("dependency %s is down: %s: %s", check.name, type(exc).__name__, exc)
        return "down"


async def report() -> tuple[str, dict[str, State]]:
    """Run every check at once: the node's status (``ok``, ``degraded``, ``unavailable``) and
    each dependency's state. Updates the Prometheus gauges."""
    found = list(_CHECKS.values())
    states = dict(
        zip([c.name for c in found], await asyncio.gather(*(_run(c) for c in found)), strict=True)
    )
    for name, state in states.items():
        if state == "off":
            try:
                UP.remove(name)
            except KeyError:
                pass
        else:
            UP.labels(name).set(1 if state == "ok" else 0)
    if any(states[c.name] == "down" for c in found if c.critical):
        status = "unavailable"
    elif "down" in states.values():
        status = "degraded"
    else:
        status = "ok"
    READY.set(0 if status == "unavailable" else 1)
    return status, states


# --- the checks -----------------------------------------------------------------------------------


@register("database", critical=True)
async def _database() -> State:
    from tortoise import connections

    await connections.get("default").execute_query("SELECT 1")
    return "ok"


@register("redis", critical=False)
async def _redis() -> State:

    return await ratelimit.limiter().ping()


@register("search", critical=False)
async def _search() -> State:

    engine = get_engine()  # Whoosh folders or PostgreSQL tables (SEARCH_BACKEND)
    for name in engine.names():
        await engine.index(name).adoc_count()
    return "ok"


@register("storage", critical=True)
async def _storage() -> State:

    try:
        await storage.check()
    except storage.StorageUnavailable as exc:
        # The reason is for the log only: it may name a bucket or a path.
        log.warning("file store %s: %s", storage.backend().describe(), exc.reason)
        return "down"
    return "ok"
