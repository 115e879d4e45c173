"""What the rules of councils, agencies and users share: the checks of codes and contact
details, the seats and their guards, finding by code, and one page of a listing."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from fractions import Fraction

from council.errors import Conflict, Invalid, NotFound
from council.i18n import N_
from council.models import Agency, Council, User

CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
USERNAME_RE = re.compile(r"^[a-z0-9_.-]{3,64}$")
PHONE_RE = re.compile(r"^[0-9+() .-]{3,32}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$")


def _contact_errors(full_name: str | None, email: str | None, phone: str | None) -> dict[str, str]:
    """Field errors for a person's name and contact details (also bounds them to the columns)."""
    errors: dict[str, str] = {}
    if full_name and len(full_name) > 200:
        errors["full_name"] = str(N_("The full name is longer than 200 characters."))
    if email and not EMAIL_RE.match(email):
        errors["email"] = str(N_("The e-mail address is not valid."))
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = str(N_("The phone number is not valid."))
    return errors


def _check_quorum(quorum: str) -> str:
    try:
        value = Fraction(quorum)
    except (ValueError, ZeroDivisionError):
        raise Invalid(
            fields={"quorum": str(N_("Write the quorum as a fraction, e.g. 2/3."))}
        ) from None
    if not 0 < value <= 1:
        raise Invalid(fields={"quorum": str(N_("The quorum must be between 0 and 1."))})
    if value.denominator > 1000:
        raise Invalid(fields={"quorum": str(N_("Write the quorum as a fraction, e.g. 2/3."))})
    return f"{value.numerator}/{value.denominator}"


# The roles that hold one of a council's seats: its delegates, the chair among them.
SEAT_ROLES = frozenset({"delegate", "chair"})

# Domains that base something on a council's seats and quorum register here what must hold before
# they change (meetings: no sitting in progress). A guard raises a DomainError to refuse.
SeatGuard = Callable[[Council], Awaitable[None]]
_seat_guards: list[SeatGuard] = []


def seat_guard(guard: SeatGuard) -> SeatGuard:
    """Register ``guard(council)``, awaited before a council's seats or quorum change."""
    _seat_guards.append(guard)
    return guard


async def seat_holders(council_id: int, *, excluding: int | None = None) -> int:
    """How many active accounts hold a seat of the council (``excluding`` one user)."""
    qs = User.filter(council_id=council_id, role__in=SEAT_ROLES, is_active=True)
    if excluding is not None:
        qs = qs.exclude(id=excluding)
    return await qs.count()


def _seats_full(seats: int) -> Conflict:
    return Conflict(
        "seats_full",
        N_(
            "All {seats} seats of this council are held by active accounts. Deactivate the "
            "account of a delegate who has left before adding another."
        ).format(seats=seats),
        status=409,
    )


async def _check_seat_free(
    council: Council | None, role: str, *, excluding: int | None = None
) -> None:
    """Refuse one more active seat holder than the council has seats."""
    if council is None or role not in SEAT_ROLES:
        return
    if await seat_holders(council.id, excluding=excluding) >= council.seats:
        raise _seats_full(council.seats)


async def council_by_code(code: str) -> Council:
    council = await Council.get_or_none(code=code)
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council


async def agency_by_code(code: str) -> Agency:
    agency = await Agency.get_or_none(code=code)
    if agency is None:
        raise NotFound(N_("No agency has this code."))
    return agency


# --- admin pages: listings, generated passwords, the roll with its passwords ----------------------


@dataclass
class Listing:
    """One page of a filtered list."""

    items: list  # type: ignore[type-arg]  # of models, or rows of them
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _page_bounds(page: int, per_page: int, total: int) -> int:
    pages = max(1, -(-total // per_page))
    return min(max(page, 1), pages)
