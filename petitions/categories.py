"""Fields (lĩnh vực) a petition is classified under; agencies list the fields they handle.

Codes are stable (used in the API, exports, Open311 ``service_code`` and agencies' ``categories``);
labels go through the translation layer (English msgid, Vietnamese in the catalog).
"""

from __future__ import annotations

from dataclasses import dataclass

from council.i18n import N_, LazyString


@dataclass(frozen=True)
class Category:
    code: str
    label: LazyString
    vi: str  # the Vietnamese name, used verbatim in official reports
    description: LazyString


CATEGORIES: tuple[Category, ...] = (
    Category(
        "land",
        N_("Land"),
        "Đất đai",
        N_("Land use, land records, compensation and site clearance."),
    ),
    Category(
        "construction",
        N_("Construction"),
        "Xây dựng",
        N_("Building permits, planning and public works."),
    ),
    Category(
        "urban",
        N_("Urban order"),
        "Trật tự đô thị",
        N_("Pavements, street vending, illegal building and urban order."),
    ),
    Category(
        "transport",
        N_("Transport"),
        "Giao thông",
        N_("Roads, bridges, traffic lights, public transport and traffic safety."),
    ),
    Category(
        "environment",
        N_("Environment"),
        "Môi trường",
        N_("Waste collection, pollution, drainage, flooding and trees."),
    ),
    Category(
        "water_power",
        N_("Water and electricity"),
        "Điện, nước sinh hoạt",
        N_("Clean water supply, power supply and street lighting."),
    ),
    Category(
        "education", N_("Education"), "Giáo dục", N_("Schools, kindergartens, enrolment and fees.")
    ),
    Category(
        "health", N_("Health"), "Y tế", N_("Clinics, hospitals, health insurance and food safety.")
    ),
    Category(
        "social",
        N_("Social policy"),
        "Chính sách xã hội",
        N_("Pensions, benefits for people with meritorious services, poor households, labour."),
    ),
    Category(
        "security",
        N_("Security and order"),
        "An ninh, trật tự",
        N_("Public order, crime prevention, fire safety."),
    ),
    Category(
        "administration",
        N_("Administration"),
        "Cải cách hành chính",
        N_("Public services, administrative procedures, officials' conduct."),
    ),
    Category("economy", N_("Economy"), "Kinh tế", N_("Markets, businesses, trade and prices.")),
    Category(
        "agriculture",
        N_("Agriculture"),
        "Nông nghiệp",
        N_("Farming, irrigation, livestock and rural development."),
    ),
    Category(
        "culture",
        N_("Culture and sport"),
        "Văn hóa, thể thao",
        N_("Cultural houses, heritage, sport grounds, festivals."),
    ),
    Category("other", N_("Other"), "Khác", N_("Anything that fits no other field.")),
)

BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
CODES: frozenset[str] = frozenset(BY_CODE)


def label(code: str) -> str:
    """The translated label of a field code (the code itself if unknown)."""
    cat = BY_CODE.get(code)
    return str(cat.label) if cat else code


def vi_name(code: str) -> str:
    """The Vietnamese name of a field, for official reports."""
    cat = BY_CODE.get(code)
    return cat.vi if cat else code
