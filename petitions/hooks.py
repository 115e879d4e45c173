"""Start-up and maintenance hooks the app and the CLI call (see docs/architecture.md)."""

from __future__ import annotations

from council.calendar import calendar_source
from council.settings import Settings
from petitions import indexing
from petitions.services import notify
from petitions.services.routing import council_calendar

# Each council's working-day calendar is configured in its petitions' settings: every package
# that counts working days (questioning's written answers) reads it through the core.
calendar_source(council_calendar)


async def startup(settings: Settings) -> None:
    """Point the search engine at this deployment's index directory."""
    indexing.use_data_dir(settings.index_dir)


async def shutdown(settings: Settings) -> None:
    """Let e-mails still being sent finish."""
    await notify.flush()


async def reindex(settings: Settings) -> int:
    """``council reindex``: rebuild the staff and public petition indexes from the database."""
    indexing.use_data_dir(settings.index_dir)
    counts = await indexing.reindex()
    return sum(counts.values())
