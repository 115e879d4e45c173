"""`make run` step: load the demo data set when the database has no council yet."""

from __future__ import annotations

import asyncio

from council import db
from council.settings import Settings


async def main() -> None:
    settings = Settings.from_env()
    await db.init(settings)
    try:
        from council.models import Council

        empty = not await Council.exists()
    finally:
        await db.close()
    if empty:
        from council.cli import cmd_demo

        cmd_demo(None)  # type: ignore[arg-type]
    else:
        print(
            "Database already has data; demo not loaded. Logins: see `council demo` in the README."
        )


if __name__ == "__main__":
    asyncio.run(main())
