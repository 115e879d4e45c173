"""The ORM's connection, initialised again in one process (tests, backups restored elsewhere)."""

from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from council import db
from council.search.models import SearchOutbox
from council.settings import Settings
from tests.conftest import ENGINE


@pytest.mark.skipif(ENGINE != "postgres", reason="needs a second SQL dialect: PostgreSQL")
async def test_an_init_on_another_engine_does_not_reuse_the_first_engines_sql(
    settings: Settings, tmp_path: Path
) -> None:
    await db.close()
    await Tortoise.init(
        config={
            "connections": {"default": f"sqlite://{tmp_path / 'other.db'}"},
            "apps": {"council": {"models": ["council.search.models"]}},
        }
    )
    await Tortoise.generate_schemas()
    # SQLite's SQL for this model is now cached.
    await SearchOutbox.create(index_name="petitions", doc_id="1", op="delete")
    await Tortoise.close_connections()

    await db.init(settings)  # PostgreSQL again, as the fixture left it
    row = await SearchOutbox.create(index_name="petitions", doc_id="2", op="delete")
    assert await SearchOutbox.filter(id=row.id).count() == 1


@pytest.mark.skipif(ENGINE != "postgres", reason="connection hooks run on PostgreSQL's pool")
async def test_a_failing_connection_hook_is_skipped_and_the_others_still_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    async def broken(connection: object) -> None:
        ran.append("broken")
        raise RuntimeError("a warm-up that fails")

    async def working(connection: object) -> None:
        ran.append("working")

    monkeypatch.setattr(db, "_connect_hooks", [broken, working])
    await db.close()
    await db.init(settings)  # a new pool: its connections run the hooks as they open
    assert await SearchOutbox.all().count() == 0  # the connection works all the same
    assert ran[:2] == ["broken", "working"]


@pytest.mark.skipif(ENGINE != "postgres", reason="asyncpg's pool")
async def test_a_query_outside_a_transaction_is_one_round_trip(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """asyncpg's pool would send its reset query (``RESET ALL``…) after each such query, and
    the caller would wait for it: a second round trip per query (``db.PooledConnection``)."""
    sent: list[str] = []

    async def listen(connection: Any) -> None:
        connection.add_query_logger(lambda query: sent.append(query.query))

    monkeypatch.setattr(db, "_connect_hooks", [*db._connect_hooks, listen])
    await db.close()
    await db.init(settings)
    sent.clear()
    for _ in range(3):
        assert await SearchOutbox.all().count() == 0
    assert len(sent) == 3, sent
