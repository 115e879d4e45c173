"""The Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's well-known algorithm.

New moons and solar terms come from the astronomical series in Jean Meeus, "Astronomical
Algorithms" (1998), which Hồ Ngọc Đức uses. Vietnam reckons the calendar at UTC+7, China at
UTC+8; this is why Tết and the Chinese New Year differ in some years (1985: 21 January in Vietnam,
20 February in China), so the time zone is a parameter, defaulting to Vietnam's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

VIETNAM_TZ = 7.0
_JD_OFFSET = 1721425  # date.toordinal() + _JD_OFFSET == Julian day number (proleptic Gregorian)
_SYNODIC_MONTH = 29.530588853
_EPOCH_NEW_MOON = 2415021.076998695  # Julian day of the new moon of 1 January 1900


@dataclass(frozen=True, slots=True)
class LunarDate:
    """A date in the lunar calendar. ``leap`` marks the intercalary month (tháng nhuận)."""

    day: int
    month: int
    year: int
    leap: bool = False


def _jd(d: date) -> int:
    return d.toordinal() + _JD_OFFSET


def _from_jd(jd: int) -> date:
    return date.fromordinal(jd - _JD_OFFSET)


def _new_moon(k: int) -> float:
    """Julian day (fractional, UT) of the k-th new moon after 1 January 1900."""
    t = k / 1236.85
    t2 = t * t
    t3 = t2 * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 -= 0.4068 * math.sin(mpr * dr) - 0.0161 * math.sin(dr * 2 * mpr)
    c1 -= 0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 -= 0.0074 * math.sin(dr * (m - mpr)) - 0.0004 * math.sin(dr * (2 * f + m))
    c1 -= 0.0004 * math.sin(dr * (2 * f - m)) + 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        deltat = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        deltat = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - deltat


def _sun_longitude(jdn: float) -> float:
    """Apparent longitude of the sun, in radians within [0, 2π), at Julian day ``jdn`` (UT)."""
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    return lon - math.pi * 2 * math.floor(lon / (math.pi * 2))


def _sun_sector(day_number: int, tz: float) -> int:
    """Which of the 12 thirty-degree sectors the sun is in at local midnight (0..11)."""
    return math.floor(_sun_longitude(day_number - 0.5 - tz / 24) / math.pi * 6)


def _new_moon_day(k: int, tz: float) -> int:
    return math.floor(_new_moon(k) + 0.5 + tz / 24)


@lru_cache(maxsize=512)
def _month11_start(year: int, tz: float) -> int:
    """Julian day on which the 11th lunar month (the one holding the winter solstice) begins."""
    off = _jd(date(year, 12, 31)) - 2415021
    k = math.floor(off / _SYNODIC_MONTH)
    nm = _new_moon_day(k, tz)
    if _sun_sector(nm, tz) >= 9:
        nm = _new_moon_day(k - 1, tz)
    return nm


@lru_cache(maxsize=512)
def _leap_month_offset(a11: int, tz: float) -> int:
    """Offset, in months after month 11, of the first month without a major solar term."""
    k = math.floor((a11 - _EPOCH_NEW_MOON) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, tz), tz)
        if arc == last or i >= 14:
            break
    return i - 1


def solar_to_lunar(d: date, tz: float = VIETNAM_TZ) -> LunarDate:
    """The lunar date of the solar (Gregorian) date ``d``."""
    day_number = _jd(d)
    k = math.floor((day_number - _EPOCH_NEW_MOON) / _SYNODIC_MONTH)
    month_start = _new_moon_day(k + 1, tz)
    if month_start > day_number:
        month_start = _new_moon_day(k, tz)
    a11 = _month11_start(d.year, tz)
    b11 = a11
    if a11 >= month_start:
        lunar_year = d.year
        a11 = _month11_start(d.year - 1, tz)
    else:
        lunar_year = d.year + 1
        b11 = _month11_start(d.year + 1, tz)
    lunar_day = day_number - month_start + 1
    diff = math.floor((month_start - a11) / 29)
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:
        leap_diff = _leap_month_offset(a11, tz)
        if diff >= leap_diff:
            lunar_month = diff + 10
            leap = diff == leap_diff
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_day, lunar_month, lunar_year, leap)


def lunar_to_solar(lunar: LunarDate, tz: float = VIETNAM_TZ) -> date:
    """The solar date of ``lunar``. Raises ValueError for a leap month the year does not have."""
    if not 1 <= lunar.month <= 12 or not 1 <= lunar.day <= 30:
        raise ValueError(f"not a lunar date: {lunar}")
    if lunar.month < 11:
        a11 = _month11_start(lunar.year - 1, tz)
        b11 = _month11_start(lunar.year, tz)
    else:
        a11 = _month11_start(lunar.year, tz)
        b11 = _month11_start(lunar.year + 1, tz)
    k = math.floor(0.5 + (a11 - _EPOCH_NEW_MOON) / _SYNODIC_MONTH)
    off = lunar.month - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11, tz)
        leap_month = leap_off - 2
        if leap_month < 0:
            leap_month += 12
        if lunar.leap and lunar.month != leap_month:
            raise ValueError(f"lunar year {lunar.year} has no leap month {lunar.month}")
        if lunar.leap or off >= leap_off:
            off += 1
    elif lunar.leap:
        raise ValueError(f"lunar year {lunar.year} has no leap month")
    month_start = _new_moon_day(k + off, tz)
    return _from_jd(month_start + lunar.day - 1)


def lunar_new_year(year: int, tz: float = VIETNAM_TZ) -> date:
    """The solar date of the first day of the lunar year that begins in solar ``year`` (Tết)."""
    return lunar_to_solar(LunarDate(1, 1, year), tz)
