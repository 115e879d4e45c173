"""The demo data set: a Hà Nội-like city council with three communes; each domain adds its own."""

from __future__ import annotations

from functools import cache

from council import services
from council.app import domain_modules
from council.models import Agency, Council, User
from council.security import hash_password
from council.settings import Settings

CITY = ("HN", "Hội đồng nhân dân thành phố Hà Nội", 95)
COMMUNES = (
    ("HN-BADINH", "Hội đồng nhân dân phường Ba Đình", 31),
    ("HN-HOANKIEM", "Hội đồng nhân dân phường Hoàn Kiếm", 27),
    ("HN-SOCSON", "Hội đồng nhân dân xã Sóc Sơn", 35),
)
# Their official division codes (council.divisions), so that `council import-divisions --province
# 01` adds Hà Nội's other 123 communes and wards beside them instead of duplicating these.
DIVISIONS = {"HN": "01", "HN-BADINH": "00004", "HN-HOANKIEM": "00070", "HN-SOCSON": "00376"}
AGENCIES = (
    ("SO-XD", "Sở Xây dựng Hà Nội", "HN", ["transport", "construction", "urban"]),
    ("SO-TNMT", "Sở Nông nghiệp và Môi trường Hà Nội", "HN", ["environment", "land"]),
    ("SO-GDDT", "Sở Giáo dục và Đào tạo Hà Nội", "HN", ["education"]),
    ("SO-YT", "Sở Y tế Hà Nội", "HN", ["health"]),
    (
        "UB-BADINH",
        "Ủy ban nhân dân phường Ba Đình",
        "HN-BADINH",
        ["administration", "urban", "environment", "social"],
    ),
    (
        "UB-HOANKIEM",
        "Ủy ban nhân dân phường Hoàn Kiếm",
        "HN-HOANKIEM",
        ["administration", "urban", "environment", "social"],
    ),
    (
        "UB-SOCSON",
        "Ủy ban nhân dân xã Sóc Sơn",
        "HN-SOCSON",
        ["administration", "land", "agriculture", "social"],
    ),
)
# Seats the demo leaves empty, so that importing a delegate roll can be tried there.
FREE_SEATS = {"HN-SOCSON": 5}
DEMO_PASSWORD = "demo-2026"  # noqa: S105 - printed demo login, documented in the README

# Vietnamese names for generated delegates.
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Thanh", "Hồng", "Ngọc", "Xuân")
_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
)


def delegate_name(i: int) -> str:
    return f"{_FAMILY[i % len(_FAMILY)]} {_MIDDLE[(i // 3) % len(_MIDDLE)]} {_GIVEN[(i * 7) % len(_GIVEN)]}"


def _distinct_names(start: int, count: int) -> list[str]:
    """``count`` different names from the generator, from index ``start`` on."""
    names: list[str] = []
    i = start
    while len(names) < count:
        candidate = delegate_name(i)
        if candidate not in names:
            names.append(candidate)
        i += 1
    return names


@cache
def _demo_hash() -> str:
    """Every demo account shares one password: hash it once, not two hundred times."""
    return hash_password(DEMO_PASSWORD)


async def _user(
    username: str, role: str, full_name: str, council: str | None = None, agency: str | None = None
) -> User:
    existing = await User.get_or_none(username=username)
    if existing:
        return existing
    return await services.user_create(
        None,
        username=username,
        password=DEMO_PASSWORD,
        role=role,
        full_name=full_name,
        council_code=council,
        agency_code=agency,
        password_hash=_demo_hash(),
    )


async def load_core() -> list[tuple[str, str, str]]:
    """Councils, agencies and people. Safe to run twice."""
    code, name, seats = CITY
    if not await Council.exists(code=code):
        await services.council_create(
            None, code=code, name=name, level="city", seats=seats, division_code=DIVISIONS[code]
        )
    for ccode, cname, cseats in COMMUNES:
        if not await Council.exists(code=ccode):
            await services.council_create(
                None,
                code=ccode,
                name=cname,
                level="commune",
                seats=cseats,
                parent_code=code,
                division_code=DIVISIONS[ccode],
            )
    admin = await _user("admin", "admin", "Quản trị hệ thống")
    for acode, aname, council_code, cats in AGENCIES:
        if not await Agency.exists(code=acode):
            await services.agency_create(
                admin, code=acode, name=aname, council_code=council_code, categories=cats
            )
    logins = [("admin", "admin", DEMO_PASSWORD)]
    for ccode, _cname, cseats in ((code, name, seats), *COMMUNES):
        slug = ccode.lower().replace("-", ".")
        # Everyone of a council has a name of their own, as on a real roll.
        people = _distinct_names(len(ccode) * 97, cseats + 1)
        await _user(f"{slug}.vanphong", "secretariat", people[0], council=ccode)
        await _user(f"{slug}.chutoa", "chair", people[1], council=ccode)
        for i in range(1, cseats - FREE_SEATS.get(ccode, 0)):  # the chair holds one seat
            await _user(f"{slug}.db{i:03d}", "delegate", people[i + 1], council=ccode)
        logins += [
            ("secretariat", f"{slug}.vanphong", DEMO_PASSWORD),
            ("chair", f"{slug}.chutoa", DEMO_PASSWORD),
            ("delegate", f"{slug}.db001", DEMO_PASSWORD),
        ]
    for acode, _aname, _council, _cats in AGENCIES:
        username = f"cb.{acode.lower()}"
        await _user(
            username, "agency", delegate_name(7919 + len(acode) * 31 + ord(acode[-1])), agency=acode
        )
    logins.append(("agency", f"cb.{AGENCIES[0][0].lower()}", DEMO_PASSWORD))
    await _user("congdan", "citizen", "Nguyễn Văn Dân")
    logins.append(("citizen", "congdan", DEMO_PASSWORD))
    return logins


async def load_all(settings: Settings) -> list[tuple[str, str, str]]:
    logins = await load_core()
    for module in domain_modules("demo"):
        if module.__name__ == "council.demo":
            continue
        extra = await module.load(settings)
        logins.extend(extra or [])
    return logins
