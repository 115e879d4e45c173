"""Every time a person reads is Vietnam's (Asia/Ho_Chi_Minh), whatever the database stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

from council.localtime import local, local_date

# A sitting opened at 10:57 in Hà Nội is stored as 03:57 UTC.
OPENED = datetime(2026, 12, 7, 3, 57, tzinfo=UTC)


def test_local_reads_utc_and_naive_moments_in_vietnam() -> None:
    assert local(OPENED).strftime("%H:%M") == "10:57"
    assert local(OPENED.replace(tzinfo=None)).strftime("%H:%M") == "10:57"
    assert local_date(datetime(2026, 12, 6, 20, 0, tzinfo=UTC)) == date(2026, 12, 7)
    assert local_date(date(2026, 12, 6)) == date(2026, 12, 6)
