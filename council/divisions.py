"""Vietnam's official administrative divisions since 1 July 2025, and councils created from them.

The list comes from the maintained `vietnam-provinces` package (the General Statistics Office's
codes): 34 provinces and centrally-run cities, 3,321 communes, wards and special zones. A province
code is written with 2 digits ("01" for Hà Nội), a commune-level code with 5 ("00004" for Phường Ba
Đình), zero-padded as published; that string is what a council keeps in ``division_code``.

A province or centrally-run city has a council of level ``city``; a commune, ward or special zone one
of level ``commune`` under its province's council. A council created from the list without a number
of seats has ``seats == 0`` ("not set"): sittings and polls are refused until the secretariat sets
them (``require_seats``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tortoise.transactions import in_transaction
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward, WardCode

from council import audit, services
from council.errors import Conflict, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User

PROVINCE_DIGITS = 2
WARD_DIGITS = 5
_CODE = re.compile(r"^\d{2}$|^\d{5}$")


@dataclass(frozen=True)
class Division:
    code: str  # zero-padded as published: "01", "00004"
    name: str  # official name with its type: "Thành phố Hà Nội", "Phường Ba Đình"
    type: str  # "tỉnh", "thành phố trung ương", "xã", "phường", "đặc khu"
    province_code: str  # the province's own code for a province

    @property
    def level(self) -> str:
        """The council level that governs this division."""
        return "city" if self.is_province else "commune"

    @property
    def is_province(self) -> bool:
        return self.code == self.province_code

    @property
    def council_code(self) -> str:
        """The default `code` of its council: short, stable, unique (``vn-01``, ``vn-01-00004``)."""
        if self.is_province:
            return f"vn-{self.code}"
        return f"vn-{self.province_code}-{self.code}"


def _province(p: Province) -> Division:
    code = f"{int(p.code):0{PROVINCE_DIGITS}d}"
    return Division(code=code, name=p.name, type=_type(p.division_type), province_code=code)


def _ward(w: Ward) -> Division:
    return Division(
        code=f"{int(w.code):0{WARD_DIGITS}d}",
        name=w.name,
        type=_type(w.division_type),
        province_code=f"{int(w.province_code):0{PROVINCE_DIGITS}d}",
    )


def _type(kind: VietNamDivisionType) -> str:
    return str(kind.value)


def data_version() -> str:
    import vietnam_provinces

    return str(vietnam_provinces.__data_version__)


def provinces() -> list[Division]:
    return [_province(p) for p in Province.iter_all()]


def wards_of(province_code: str) -> list[Division]:
    """The communes, wards and special zones of one province, in the list's order."""
    province = lookup(province_code)
    if not province.is_province:
        raise Invalid(fields={"province": str(N_("This is not the code of a province or city."))})
    number = int(province.code)
    return [_ward(w) for w in Ward.iter_all() if int(w.province_code) == number]


def all_divisions() -> Iterator[Division]:
    yield from provinces()
    yield from (_ward(w) for w in Ward.iter_all())


def lookup(code: str) -> Division:
    """The division with this official code: 2 digits for a province, 5 for a commune or ward."""
    code = (code or "").strip()
    if not _CODE.match(code):
        raise Invalid(
            fields={
                "division": str(
                    N_(
                        "Write the official code as published: 2 digits for a province or "
                        "city (01), 5 digits for a commune, ward or special zone (00004)."
                    )
                )
            }
        )
    try:
        if len(code) == PROVINCE_DIGITS:
            return _province(Province.from_code(ProvinceCode(int(code))))
        return _ward(Ward.from_code(WardCode(int(code))))
    except ValueError:
        raise NotFound(N_("No administrative division has this code.")) from None


def council_name(division: Division) -> str:
    """ "Hội đồng nhân dân phường Ba Đình": the type in lower case after the council's title."""
    return f"Hội đồng nhân dân {division.name[:1].lower()}{division.name[1:]}"


@dataclass(frozen=True)
class LocalWords:
    """How a unit's own bodies and neighbourhoods are named, from its official kind: a commune (xã)
    has "Ủy ban nhân dân xã" and villages (thôn), a ward (phường) "Ủy ban nhân dân phường" and
    residential groups (tổ dân phố)."""

    unit: str  # "xã", "phường", "đặc khu", "tỉnh", "thành phố"
    neighbourhood: str  # "thôn", "tổ dân phố", or "khu dân cư" where neither is the rule


_NEIGHBOURHOOD = {"xã": "thôn", "phường": "tổ dân phố"}


def local_words(division: Division) -> LocalWords:
    unit = "thành phố" if division.type == "thành phố trung ương" else division.type
    return LocalWords(unit=unit, neighbourhood=_NEIGHBOURHOOD.get(unit, "khu dân cư"))


def local_words_of(council: Council) -> LocalWords:
    """The council's unit's words from its official division; a council without a (known) division
    code is taken for a ward, the kind most councils created by hand are."""
    try:
        return local_words(lookup(council.division_code or ""))
    except (Invalid, NotFound):
        return LocalWords(unit="phường", neighbourhood="tổ dân phố")


def seats_set(council: Council) -> bool:
    return council.seats > 0


def require_seats(council: Council) -> None:
    """Refuse what counts against the seats (sittings, polls) while they are not set."""
    if not seats_set(council):
        raise Conflict(
            "seats_not_set",
            N_(
                "The number of seats of this council is not set yet: the secretariat sets it "
                "before sittings and votes."
            ),
        )


async def council_from_division(
    actor: User | None,
    division_code: str,
    *,
    code: str | None = None,
    seats: int | None = None,
    quorum: str | None = None,
) -> Council:
    """council.create from the official list: the name, level and parent come from the list.

    A commune's parent is the council of its province, which must exist (``import-divisions``
    creates both)."""
    division = lookup(division_code)
    if await Council.exists(division_code=division.code):
        raise Conflict("duplicate", N_("A council of this administrative division already exists."))
    parent_code = None
    if not division.is_province:
        parent = await Council.get_or_none(division_code=division.province_code)
        if parent is None:
            raise Conflict(
                "parent_missing",
                N_(
                    "Create the council of the province or city ({code}) first, or import the "
                    "whole province."
                ).format(code=division.province_code),
            )
        parent_code = parent.code
    return await services.council_create(
        actor,
        code=code or division.council_code,
        name=council_name(division),
        level=division.level,
        seats=seats if seats is not None else 0,
        parent_code=parent_code,
        quorum=quorum,
        division_code=division.code,
    )


@dataclass
class ImportResult:
    province: Council
    created: list[Council]
    existing: int


async def import_province(actor: User | None, province_code: str) -> ImportResult:
    """council.import_divisions: the province's council and all its communes' councils, with seats
    to be set. Safe to run twice: a division that already has a council is left as it is."""
    province = lookup(province_code)
    if not province.is_province:
        raise Invalid(fields={"province": str(N_("This is not the code of a province or city."))})
    wards = wards_of(province.code)
    created: list[Council] = []
    async with in_transaction():
        city = await Council.get_or_none(division_code=province.code)
        if city is None:
            city = await council_from_division(actor, province.code)
            created.append(city)
        existing_codes = set(
            await Council.filter(division_code__in=[w.code for w in wards]).values_list(
                "division_code", flat=True
            )
        )
        for ward in wards:
            if ward.code in existing_codes:
                continue
            created.append(await council_from_division(actor, ward.code))
        await audit.record(
            "council.import_divisions",
            actor=actor,
            target_type="council",
            target_id=city.id,
            council_id=city.id,
            details={
                "province": province.code,
                "created": len(created),
                "data_version": data_version(),
            },
        )
    return ImportResult(province=city, created=created, existing=len(wards) + 1 - len(created))
