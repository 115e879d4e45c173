"""Local time: every time a person reads (pages, documents, exports) is Asia/Ho_Chi_Minh.

The database stores UTC; a naive datetime read back from it is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(moment: datetime) -> datetime:
    """``moment`` in Vietnam's time (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime | date) -> date:
    """The calendar day of ``moment`` in Vietnam (a ``date`` is returned as it is)."""
    return local(moment).date() if isinstance(moment, datetime) else moment


def local_day_at(days: int = 0, hour: int = 8, minute: int = 0) -> datetime:
    """``hour``:``minute`` in Vietnam, ``days`` from today's local day (a sitting's usual start)."""
    day = datetime.now(LOCAL_TZ).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ) + timedelta(
        days=days
    )
