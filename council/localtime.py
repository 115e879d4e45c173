"""Local time: every time a person reads (pages, documents, exports) is Asia/Ho_Chi_Minh.

The database stores UTC; a naive datetime read back from it is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
