"""Dates and times as Vietnamese administrative documents write them; English as en_GB."""

from __future__ import annotations

from datetime import UTC, date, datetime

from council.i18n import set_language
from council.templating import fmt_date, fmt_datetime


def test_dates_in_vietnamese_keep_the_century_and_read_as_documents_do() -> None:
    set_language("vi")
    moment = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)  # 20:05 in Hà Nội
    assert fmt_datetime(moment) == "20:05, 02/12/2026"
    assert fmt_date(moment) == "02/12/2026"
    assert fmt_date(date(2026, 12, 9), "long") == "ngày 9 tháng 12 năm 2026"


def test_dates_in_english() -> None:
    set_language("en")
    try:
        assert fmt_date(date(2026, 12, 9)) == "09/12/2026"
        assert fmt_date(date(2026, 12, 9), "long") == "9 December 2026"
        assert fmt_datetime(datetime(2026, 12, 2, 13, 5, tzinfo=UTC)) == "02/12/2026, 20:05"
    finally:
        set_language("vi")
