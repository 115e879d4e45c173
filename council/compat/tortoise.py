"""Tortoise ORM internals: the client under a transaction's wrapper, the executors' SQL cache and
the global connection fallback.

Private: ``BaseDBAsyncClient._parent`` (a transaction wrapper's client), ``EXECUTOR_CACHE`` (the
INSERT/UPDATE SQL cached per connection name and table, whatever the engine) and
``Tortoise.init(_enable_global_fallback=…)`` (the connections visible to every task, not only to
the one that initialised them and its children: an ASGI server runs the lifespan and the
requests in unrelated tasks).
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.executor import EXECUTOR_CACHE

SUPPORTED = ("1.1.9", "1.2")  # >= first, < second


def root_client(client: BaseDBAsyncClient) -> BaseDBAsyncClient:
    """The connection client itself, out of any transaction wrappers around it."""
    while getattr(client, "_parent", None) is not None:
        client = client._parent
    return client


def clear_executor_cache() -> None:
    """Forget the SQL cached per connection name: after an earlier init of the same name on
    SQLite in this process, PostgreSQL would be sent SQLite's "?" placeholders."""
    EXECUTOR_CACHE.clear()


async def init(config: dict[str, Any], *, shared: bool) -> None:
    """``Tortoise.init``; ``shared``: every task may use the connections."""
    await Tortoise.init(config=config, _enable_global_fallback=shared)
