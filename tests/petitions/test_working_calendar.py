"""The lunar calendar and the working-day calendar with Vietnamese public holidays."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from council.calendar import CalendarConfig, WorkingCalendar, add_working_days
from council.lunar import LunarDate, lunar_new_year, lunar_to_solar, solar_to_lunar


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (2020, date(2020, 1, 25)),
        (2023, date(2023, 1, 22)),
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
    ],
)
def test_tet_dates(year: int, tet: date) -> None:
    assert lunar_new_year(year) == tet


def test_vietnamese_tet_differs_from_chinese_new_year_in_1985_and_2030() -> None:
    assert lunar_new_year(1985) == date(1985, 1, 21)
    assert lunar_new_year(1985, tz=8.0) == date(1985, 2, 20)
    assert lunar_new_year(2030) == date(2030, 2, 2)
    assert lunar_new_year(2030, tz=8.0) == date(2030, 2, 3)


def test_hung_kings_day() -> None:
    assert lunar_to_solar(LunarDate(10, 3, 2024)) == date(2024, 4, 18)
    assert lunar_to_solar(LunarDate(10, 3, 2025)) == date(2025, 4, 7)
    assert lunar_to_solar(LunarDate(10, 3, 2026)) == date(2026, 4, 26)


def test_leap_month_2023() -> None:
    assert solar_to_lunar(date(2023, 3, 22)) == LunarDate(1, 2, 2023, leap=True)
    assert solar_to_lunar(date(2023, 4, 20)) == LunarDate(1, 3, 2023)
    with pytest.raises(ValueError):
        lunar_to_solar(LunarDate(1, 5, 2023, leap=True))


def test_round_trip_over_two_centuries() -> None:
    rng = random.Random(7)
    lo, hi = date(1900, 3, 1).toordinal(), date(2199, 1, 1).toordinal()
    for _ in range(3000):
        d = date.fromordinal(rng.randint(lo, hi))
        assert lunar_to_solar(solar_to_lunar(d)) == d


def test_default_holidays_2026() -> None:
    cal = WorkingCalendar()
    h = cal.holidays(2026)
    assert h[date(2026, 1, 1)] == "new_year"
    assert [d for d, k in sorted(h.items()) if k == "tet"] == [
        date(2026, 2, 16) + timedelta(days=i) for i in range(5)
    ]
    assert h[date(2026, 4, 26)] == "hung_kings"  # a Sunday …
    assert h[date(2026, 4, 27)] == "compensatory"  # … made up on Monday
    assert h[date(2026, 4, 30)] == "reunification"
    assert h[date(2026, 5, 1)] == "labour"
    assert h[date(2026, 9, 2)] == "national_day"
    assert h[date(2026, 9, 3)] == "national_day"
    assert not cal.is_working_day(date(2026, 2, 18))
    assert cal.is_working_day(date(2026, 2, 23))


def test_tet_2027_on_a_weekend_is_made_up() -> None:
    cal = WorkingCalendar()
    closed = [
        d
        for d in (date(2027, 2, 1) + timedelta(days=i) for i in range(15))
        if not cal.is_working_day(d)
    ]
    assert closed == [date(2027, 2, i) for i in (5, 6, 7, 8, 9, 10, 11, 13, 14)]


def test_national_day_adjacent_follows_the_weekend() -> None:
    cal = WorkingCalendar()
    assert cal.holidays(2025)[date(2025, 9, 1)] == "national_day"  # Tuesday 2/9 → Monday 1/9
    assert cal.holidays(2024)[date(2024, 9, 3)] == "national_day"  # Monday 2/9 → Tuesday 3/9
    before = WorkingCalendar(CalendarConfig(national_day_adjacent="before"))
    assert date(2024, 9, 1) in before.holidays(2024)


def test_add_working_days_skips_weekend_and_tet() -> None:
    cal = WorkingCalendar()
    # Friday 13 Feb 2026 + 1 working day: weekend, then Tết 16–20 Feb → Monday 23 Feb.
    assert add_working_days(date(2026, 2, 13), 1, cal) == date(2026, 2, 23)
    assert add_working_days(date(2026, 2, 9), 4, cal) == date(2026, 2, 13)
    assert add_working_days(date(2026, 2, 9), 5, cal) == date(2026, 2, 23)
    assert add_working_days(date(2026, 2, 14), 0, cal) == date(2026, 2, 23)
    assert add_working_days(date(2026, 3, 2), 0, cal) == date(2026, 3, 2)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert cal.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1, cal)


def test_council_overrides() -> None:
    cfg = CalendarConfig.from_dict(
        {
            "tet_days_before": 2,
            "tet_days_after": 5,
            "extra_closed": ["2026-03-10"],
            "extra_working": ["2026-02-28"],
            "years": {"2026": {"closed": ["2026-02-13"], "working": ["2026-03-07"]}},
        }
    )
    cal = WorkingCalendar(cfg)
    assert not cal.is_working_day(date(2026, 2, 13))
    assert not cal.is_working_day(date(2026, 2, 15))
    assert not cal.is_working_day(date(2026, 2, 23))  # mùng 7 with 5 days after (made up too)
    assert not cal.is_working_day(date(2026, 3, 10))
    assert cal.is_working_day(date(2026, 2, 28))  # a Saturday made a working day
    assert cal.is_working_day(date(2026, 3, 7))
    assert CalendarConfig.from_dict(cfg.to_dict()) == cfg


def test_no_compensation_and_custom_weekend() -> None:
    cal = WorkingCalendar(CalendarConfig(compensate_weekend=False, weekend=frozenset({6})))
    assert cal.is_working_day(date(2026, 2, 14))  # Saturday is a working day here
    assert cal.is_working_day(date(2026, 4, 27))  # no make-up day for Hùng Kings on Sunday


@pytest.mark.parametrize(
    "bad",
    [
        {"weekend": [7]},
        {"tet_days_after": 40},
        {"national_day_adjacent": "never"},
        {"extra_closed": ["not a date"]},
        {"holidays": []},
    ],
)
def test_bad_config_is_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        CalendarConfig.from_dict(bad)
