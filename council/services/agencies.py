"""Agencies (the bodies that answer petitions): create, update, list."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Forbidden, Invalid
from council.i18n import N_
from council.models import Agency, Council, User
from council.services.common import (
    CODE_RE,
    Listing,
    _page_bounds,
    council_by_code,
)

# --- agencies ---------------------------------------------------------------------------------


async def agency_create(
    actor: User, *, code: str, name: str, council_code: str, categories: list[str]
) -> Agency:
    """agency.create"""
    if not CODE_RE.match(code):
        raise Invalid(
            fields={"code": str(N_("Use 2–32 letters, digits, dots, dashes or underscores."))}
        )
    council = await council_by_code(council_code)
    if actor.role != "admin" and actor.council_id != council.id:
        raise Forbidden()
    cats = sorted({c.strip() for c in categories if c and c.strip()})
    async with in_transaction():
        if await Agency.exists(code=code):
            raise Conflict("duplicate", N_("This code is already used."))
        agency = await Agency.create(code=code, name=name.strip(), council=council, categories=cats)
        await audit.record(
            "agency.create",
            actor=actor,
            target_type="agency",
            target_id=agency.id,
            council_id=council.id,
            details={"code": code},
        )
    return agency


async def agency_update(
    actor: User,
    agency: Agency,
    *,
    name: str | None = None,
    categories: list[str] | None = None,
    is_active: bool | None = None,
) -> Agency:
    """agency.update"""
    async with in_transaction():
        if name and name.strip():
            agency.name = name.strip()
        if categories is not None:
            agency.categories = sorted({c.strip() for c in categories if c.strip()})
        if is_active is not None:
            agency.is_active = is_active
        await agency.save()
        await audit.record(
            "agency.update",
            actor=actor,
            target_type="agency",
            target_id=agency.id,
            council_id=agency.council_id,
        )  # type: ignore[attr-defined]
    return agency


def agency_dict(a: Agency, council_code: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "code": a.code,
        "name": a.name,
        "council_code": council_code,
        "categories": list(a.categories or []),
        "is_active": a.is_active,
    }


async def agencies_listing(
    actor: User,
    *,
    council: Council | None = None,
    q: str = "",
    active: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Listing:
    """Agencies an admin sees (all, or one council's); others see only their own council's."""
    from tortoise.expressions import Q

    if actor.role != "admin":
        if council is None or actor.council_id != council.id:
            raise Forbidden()
    qs = Agency.all()
    if council is not None:
        qs = qs.filter(council_id=council.id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    total = await qs.count()
    page = _page_bounds(page, per_page, total)
    items = (
        await qs.order_by("council_id", "code")
        .offset((page - 1) * per_page)
        .limit(per_page)
        .prefetch_related("council")
    )
    return Listing(list(items), total, page, per_page)
