"""Councils: create, update (seats and quorum under the domains' guards), list."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid
from council.i18n import N_
from council.models import LEVELS, Council, User
from council.services.common import (
    CODE_RE,
    Listing,
    _check_quorum,
    _page_bounds,
    _seat_guards,
    council_by_code,
    seat_holders,
)

# --- councils ---------------------------------------------------------------------------------


async def council_create(
    actor: User | None,
    *,
    code: str,
    name: str,
    level: str,
    seats: int,
    parent_code: str | None = None,
    quorum: str | None = None,
    division_code: str | None = None,
) -> Council:
    """council.create: a city, or a commune/ward under its city. Created from the official list of
    divisions (``council.divisions``), it may start with ``seats == 0``: not set yet."""
    if not CODE_RE.match(code):
        raise Invalid(
            fields={"code": str(N_("Use 2–32 letters, digits, dots, dashes or underscores."))}
        )
    if level not in LEVELS:
        raise Invalid(fields={"level": str(N_("The level is city or commune."))})
    if not (1 <= seats <= 1000 or (seats == 0 and division_code)):
        raise Invalid(fields={"seats": str(N_("The number of seats must be between 1 and 1000."))})
    parent = None
    if level == "commune":
        if not parent_code:
            raise Invalid(fields={"parent_code": str(N_("A commune belongs to a city council."))})
        parent = await council_by_code(parent_code)
        if parent.level != "city":
            raise Invalid(fields={"parent_code": str(N_("The parent must be a city council."))})
    elif parent_code:
        raise Invalid(fields={"parent_code": str(N_("A city council has no parent."))})
    async with in_transaction():
        if await Council.exists(code=code):
            raise Conflict("duplicate", N_("This code is already used."))
        council = await Council.create(
            code=code,
            name=name.strip(),
            level=level,
            seats=seats,
            parent=parent,
            quorum=_check_quorum(quorum or "2/3"),
            division_code=division_code,
        )
        await audit.record(
            "council.create",
            actor=actor,
            target_type="council",
            target_id=council.id,
            council_id=council.id,
            details={"code": code, **({"division": division_code} if division_code else {})},
        )
    return council


async def council_update(
    actor: User,
    council: Council,
    *,
    name: str | None = None,
    seats: int | None = None,
    quorum: str | None = None,
    is_active: bool | None = None,
) -> Council:
    """council.update"""
    changes: dict[str, object] = {}
    if name is not None and name.strip():
        changes["name"] = name.strip()
    if seats is not None:
        if not 1 <= seats <= 1000:
            raise Invalid(
                fields={"seats": str(N_("The number of seats must be between 1 and 1000."))}
            )
        changes["seats"] = seats
    if quorum is not None:
        changes["quorum"] = _check_quorum(quorum)
    if is_active is not None:
        changes["is_active"] = is_active
    new_seats = seats if seats is not None else council.seats
    if new_seats != council.seats or changes.get("quorum", council.quorum) != council.quorum:
        holders = await seat_holders(council.id)
        if new_seats < holders:
            raise Conflict(
                "seats_below_holders",
                N_(
                    "{holders} active accounts hold a seat of this council: deactivate those of "
                    "delegates who have left before lowering the number of seats."
                ).format(holders=holders),
                status=409,
            )
        for guard in _seat_guards:
            await guard(council)
    async with in_transaction():
        for key, value in changes.items():
            setattr(council, key, value)
        await council.save()
        await audit.record(
            "council.update",
            actor=actor,
            target_type="council",
            target_id=council.id,
            council_id=council.id,
            details={k: str(v) for k, v in changes.items()},
        )
    return council


def council_dict(c: Council, parent_code: str | None = None) -> dict[str, Any]:
    return {
        "id": c.id,
        "code": c.code,
        "name": c.name,
        "level": c.level,
        "parent_code": parent_code,
        "seats": c.seats,
        "quorum": c.quorum,
        "quorum_count": c.quorum_count,
        "is_active": c.is_active,
        "division_code": c.division_code,
    }


async def councils_visible(user: User | None) -> list[Council]:
    return await Council.all().prefetch_related("parent").order_by("level", "code")


async def councils_listing(
    *,
    q: str = "",
    city: Council | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Listing:
    """Councils in order city, then its communes; each item is ``(council, communes, accounts)``
    where ``accounts`` counts the active delegate and chair accounts."""
    from tortoise.expressions import Q
    from tortoise.functions import Count

    qs = Council.all()
    if city is not None:
        qs = qs.filter(Q(id=city.id) | Q(parent_id=city.id))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    keys = await qs.values_list("id", "level", "code", "parent__code")
    keys.sort(key=lambda k: (k[3] or k[2], 0 if k[1] == "city" else 1, k[2]))
    page = _page_bounds(page, per_page, len(keys))
    ids = [k[0] for k in keys[(page - 1) * per_page : page * per_page]]
    found = {c.id: c for c in await Council.filter(id__in=ids).prefetch_related("parent")}
    communes = dict(
        await Council.filter(parent_id__in=ids)
        .group_by("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    accounts = dict(
        await User.filter(council_id__in=ids, role__in=["delegate", "chair"], is_active=True)
        .group_by("council_id")
        .annotate(n=Count("id"))
        .values_list("council_id", "n")
    )
    items = [(found[i], communes.get(i, 0), accounts.get(i, 0)) for i in ids]
    return Listing(items, len(keys), page, per_page)
