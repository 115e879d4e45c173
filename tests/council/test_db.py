"""The ORM's connection, initialised again in one process (tests, backups restored elsewhere)."""

from pathlib import Path

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
