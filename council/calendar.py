"""Working days: weekends and Vietnamese public holidays, configurable per council.

The platform's one calendar: petitions' deadlines (each hop's) and questioning's written answers
count on it. Where a council's calendar is configured (petitions' settings) registers its reader
with :func:`calendar_source`; :func:`council_calendar` gives any package a council's calendar
and :func:`due_at` the end of a deadline.

Defaults follow the Labour Code 2019 (Article 112): New Year's Day (1/1), Tết Nguyên Đán
(five days; here the last day of the old lunar year and the first four of the new one), the Hùng
Kings' Commemoration (10/3 lunar), Reunification Day (30/4), Labour Day (1/5) and National Day
(2/9 plus one adjacent day). A holiday that falls on a weekend is made up on the next working day
(Article 112(3)). Each year the Prime Minister fixes the exact Tết and 2/9 arrangement for the civil
service; a council records it through per-year overrides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from council.localtime import LOCAL_TZ, local_date
from council.lunar import VIETNAM_TZ, LunarDate, lunar_new_year, lunar_to_solar

Adjacent = Literal["auto", "before", "after"]

HOLIDAY_NAMES: dict[str, str] = {
    "new_year": "Tết Dương lịch",
    "tet": "Tết Nguyên Đán",
    "hung_kings": "Giỗ Tổ Hùng Vương",
    "reunification": "Ngày Giải phóng miền Nam, thống nhất đất nước",
    "labour": "Ngày Quốc tế Lao động",
    "national_day": "Quốc khánh",
    "compensatory": "Nghỉ bù",
    "council": "Ngày nghỉ do Hội đồng quy định",
}


@dataclass(frozen=True)
class YearOverride:
    """Days of one year closed or open by decision (e.g. the Prime Minister's Tết schedule)."""

    closed: frozenset[date] = frozenset()
    working: frozenset[date] = frozenset()


@dataclass(frozen=True)
class CalendarConfig:
    """How a council counts working days. Every field has a documented default."""

    weekend: frozenset[int] = frozenset({5, 6})  # Monday is 0
    tet_days_before: int = 1
    tet_days_after: int = 3
    national_day_adjacent: Adjacent = "auto"
    compensate_weekend: bool = True
    extra_closed: frozenset[date] = frozenset()
    extra_working: frozenset[date] = frozenset()
    years: Mapping[int, YearOverride] = field(default_factory=dict)
    timezone_hours: float = VIETNAM_TZ

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CalendarConfig:
        """Build from stored JSON: ISO dates, ``years`` keyed by year. Raises ValueError."""
        if not data:
            return cls()
        known = {
            "weekend",
            "tet_days_before",
            "tet_days_after",
            "national_day_adjacent",
            "compensate_weekend",
            "extra_closed",
            "extra_working",
            "years",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown calendar settings: {sorted(unknown)}")
        weekend = frozenset(int(d) for d in data.get("weekend", (5, 6)))
        if not weekend <= set(range(7)) or len(weekend) > 3:
            raise ValueError("weekend must list at most three weekdays 0..6")
        before = int(data.get("tet_days_before", 1))
        after = int(data.get("tet_days_after", 3))
        if not (0 <= before <= 10 and 0 <= after <= 10):
            raise ValueError("Tết days before/after must be between 0 and 10")
        adjacent = data.get("national_day_adjacent", "auto")
        if adjacent not in ("auto", "before", "after"):
            raise ValueError("national_day_adjacent must be auto, before or after")
        years: dict[int, YearOverride] = {}
        for year, spec in (data.get("years") or {}).items():
            years[int(year)] = YearOverride(
                closed=_dates(spec.get("closed", ())), working=_dates(spec.get("working", ()))
            )
        return cls(
            weekend=weekend,
            tet_days_before=before,
            tet_days_after=after,
            national_day_adjacent=adjacent,
            compensate_weekend=bool(data.get("compensate_weekend", True)),
            extra_closed=_dates(data.get("extra_closed", ())),
            extra_working=_dates(data.get("extra_working", ())),
            years=years,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form read back by :meth:`from_dict`."""
        return {
            "weekend": sorted(self.weekend),
            "tet_days_before": self.tet_days_before,
            "tet_days_after": self.tet_days_after,
            "national_day_adjacent": self.national_day_adjacent,
            "compensate_weekend": self.compensate_weekend,
            "extra_closed": sorted(d.isoformat() for d in self.extra_closed),
            "extra_working": sorted(d.isoformat() for d in self.extra_working),
            "years": {
                str(y): {
                    "closed": sorted(d.isoformat() for d in o.closed),
                    "working": sorted(d.isoformat() for d in o.working),
                }
                for y, o in sorted(self.years.items())
            },
        }


def _dates(values: Iterable[Any]) -> frozenset[date]:
    out = set()
    for v in values:
        out.add(v if isinstance(v, date) else date.fromisoformat(str(v)))
    return frozenset(out)


class WorkingCalendar:
    """Answers "is this a working day?" and does deadline arithmetic for one configuration."""

    def __init__(self, config: CalendarConfig | None = None) -> None:
        self.config = config or CalendarConfig()
        self._cache: dict[int, dict[date, str]] = {}

    def statutory_holidays(self, year: int) -> dict[date, str]:
        """The law's holidays in ``year`` (before weekend compensation), date → key."""
        cfg = self.config
        days: dict[date, str] = {date(year, 1, 1): "new_year"}
        tet = lunar_new_year(year, cfg.timezone_hours)
        for offset in range(-cfg.tet_days_before, cfg.tet_days_after + 1):
            days[tet + timedelta(days=offset)] = "tet"
        days[lunar_to_solar(LunarDate(10, 3, year), cfg.timezone_hours)] = "hung_kings"
        days[date(year, 4, 30)] = "reunification"
        days[date(year, 5, 1)] = "labour"
        national = date(year, 9, 2)
        days[national] = "national_day"
        days[national + timedelta(days=self._national_adjacent_offset(national))] = "national_day"
        return days

    def _national_adjacent_offset(self, national: date) -> int:
        choice = self.config.national_day_adjacent
        if choice == "before":
            return -1
        if choice == "after":
            return 1
        # "auto": the day that joins the holiday to the weekend (Tue → Mon 1/9, Thu → Fri 3/9).
        return -1 if national.weekday() in (1, 4, 5) else 1

    def holidays(self, year: int) -> dict[date, str]:
        """Closed days of ``year`` → reason key (holiday, make-up day, council decision).

        Holidays that fall on a weekend are listed too; weekends themselves are not.
        """
        if year not in self._cache:
            closed: dict[date, str] = {}
            for y in (year - 1, year):
                for d, key in self._year_closed(y).items():
                    if d.year == year:
                        closed[d] = key
            self._cache[year] = closed
        return self._cache[year]

    def _year_closed(self, year: int) -> dict[date, str]:
        cfg = self.config
        closed = dict(self.statutory_holidays(year))
        if cfg.compensate_weekend:
            # A holiday on a weekend is made up on the next day that is neither weekend nor holiday.
            for d in sorted(k for k in closed if k.weekday() in cfg.weekend):
                nxt = d + timedelta(days=1)
                while nxt.weekday() in cfg.weekend or nxt in closed:
                    nxt += timedelta(days=1)
                closed[nxt] = "compensatory"
        for d in cfg.extra_closed:
            if d.year == year:
                closed[d] = "council"
        override = cfg.years.get(year)
        if override:
            for d in override.closed:
                closed[d] = "council"
        return closed

    def is_working_day(self, d: date) -> bool:
        """True when offices are open on ``d``."""
        cfg = self.config
        override = cfg.years.get(d.year)
        if (override and d in override.working) or d in cfg.extra_working:
            return True
        if d.weekday() in cfg.weekend:
            return False
        return d not in self.holidays(d.year)

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start`` (``start`` itself not counted).

        ``n == 0`` gives ``start`` if it is a working day, else the next working day.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        d = start
        if n == 0:
            while not self.is_working_day(d):
                d += timedelta(days=1)
            return d
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count


def add_working_days(start: date, n: int, calendar: WorkingCalendar | None = None) -> date:
    """Deadline arithmetic: ``n`` working days after ``start`` under ``calendar``."""
    return (calendar or WorkingCalendar()).add_working_days(start, n)


def due_at(start: datetime, working_days: int, calendar: WorkingCalendar) -> datetime:
    """End (23:59:59 in Vietnam) of the ``working_days``-th working day after ``start``, in UTC."""
    day = calendar.add_working_days(local_date(start), working_days)
    end = datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)
    return end.astimezone(UTC)


# A council's calendar, read where it is configured: petitions' settings hold each council's
# weekend, holidays and overrides, and petitions registers the reader (its hooks.py). Without a
# reader every council counts by the defaults.
CalendarSource = Callable[[int], Awaitable[WorkingCalendar]]
_source: list[CalendarSource] = []


def calendar_source(source: CalendarSource) -> CalendarSource:
    """Register the reader of a council's calendar; there is one (registering it again is a
    no-op, another one is refused)."""
    if _source and _source[0] is not source:
        raise ValueError("a council calendar source is registered already")
    _source[:] = [source]
    return source


async def council_calendar(council_id: int) -> WorkingCalendar:
    """The council's working-day calendar (the defaults when nobody configures one)."""
    return await _source[0](council_id) if _source else WorkingCalendar()
