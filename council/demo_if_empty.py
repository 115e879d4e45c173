"""`make run` step: load the demo data set when the database has no council yet."""

from __future__ import annotations

import asyncio

from council import db
from council.settings import Settings


async def _is_empty() -> bool:
    settings = Settings.from_env()
    await db.init(settings)
    try:
        # after the ORM is initialised, as the demo loader expects
        from council.models import Council

        return not await Council.exists()
    finally:
        await db.close()


def main() -> int:
    # cmd_demo runs its own event loop, so it is called after this check's loop has ended.
    if asyncio.run(_is_empty()):
        # after the ORM is initialised, as the demo loader expects
        from council.cli import cmd_demo

        return cmd_demo(None)  # type: ignore[arg-type]
    print("Database already has data; demo not loaded. Logins: see `council demo` in the README.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
