"""The frame's words as the decree writes them: issuing body, number, place and date."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from council.localtime import local_date
from council.officialdoc.model import Issuer

BODY = "Hội đồng nhân dân"
# Kinds of administrative unit, longest first, that a council's name starts with after BODY.
_UNITS = ("thành phố", "đặc khu", "thị trấn", "thị xã", "phường", "tỉnh", "quận", "huyện", "xã")


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _strip_body(name: str) -> str:
    """The unit's part of a council's name: "Hội đồng nhân dân phường Ba Đình" → "phường Ba Đình"."""
    name = _nfc(name)
    for prefix in (BODY, "HĐND"):
        while name.casefold().startswith(prefix.casefold() + " "):
            name = name[len(prefix) + 1 :].strip()
    return name


def issuer_of(council_name: str) -> Issuer:
    """A People's Council as the issuing body, on two lines: ("HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG BA ĐÌNH").

    The council's name may or may not start with "Hội đồng nhân dân": it is never printed twice."""
    unit = _strip_body(council_name)
    lines = [BODY.upper()]
    if unit:
        lines.append(unit.upper())
    return Issuer(tuple(lines))


def place_of(council_name: str) -> str:
    """The place name of the date line: the unit's own name ("Ba Đình", "Hà Nội").

    A unit named by a number keeps its kind ("Phường 3"), as the decree asks."""
    unit = _strip_body(council_name)
    for kind in _UNITS:
        if unit.casefold().startswith(kind + " "):
            rest = unit[len(kind) + 1 :].strip()
            if rest and not rest[0].isdigit():
                return rest
            return f"{kind[0].upper()}{kind[1:]} {rest}".strip()
    return unit


def number_text(number: int | str | None) -> str:
    """A document number as printed: below 10 with a leading zero ("07"); dots when not set."""
    if number is None or str(number).strip() == "":
        return "......."
    text = str(number).strip()
    if re.fullmatch(r"\d", text):
        return "0" + text
    return text


def number_line(number: int | str | None, symbol: str) -> str:
    """ "Số: 07/BB-HĐND", or "Số: ......./BB-HĐND" until the number is set."""
    return f"Số: {number_text(number)}/{symbol}"


def date_words(day: date | datetime | None) -> str:
    """ "ngày 07 tháng 12 năm 2026": days below 10 and months 1 and 2 take a leading zero.

    A datetime is read in Vietnam's time; None gives the blank form, to be filled in by hand."""
    if day is None:
        return "ngày ... tháng ... năm ......"
    d = local_date(day)
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def date_line(place: str, day: date | datetime | None) -> str:
    """ "Ba Đình, ngày 07 tháng 12 năm 2026"."""
    words = date_words(day)
    return f"{place}, {words}" if place else words[0].upper() + words[1:]
