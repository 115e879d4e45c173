"""Rules for councils, agencies and users. Every change goes through here and is audited."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import audit, rollfile
from council.auth import revoke_all, tokens_ended
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import LEVELS, ROLES, Agency, Council, User
from council.security import MIN_PASSWORD_LENGTH, hash_password

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


# --- users ------------------------------------------------------------------------------------


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(fields={"password": str(N_("The password needs at least 8 characters."))})


async def _may_manage(actor: User | None, role: str, council: Council | None) -> None:
    """Admins manage everyone; a secretariat manages its own council's delegates and chair, and
    its hall displays."""
    if actor is None or actor.role == "admin":
        return
    if (
        actor.role == "secretariat"
        and council is not None
        and actor.council_id == council.id
        and role in ("delegate", "chair", "display")
    ):
        return
    raise Forbidden(N_("You may only manage delegates of your own council."))


async def user_create(
    actor: User | None,
    *,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    council_code: str | None = None,
    agency_code: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    password_hash: str | None = None,
    title: str = "",
) -> User:
    """user.create: a person with one role, in one council (or one agency).

    ``password_hash`` (an argon2 hash of ``password``) lets bulk loads such as the demo hash a
    shared password once instead of once per person.
    """
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise Invalid(
            fields={
                "username": str(
                    N_("Use 3–64 lowercase letters, digits, dots, dashes or underscores.")
                )
            }
        )
    if role not in ROLES:
        raise Invalid(fields={"role": str(N_("Unknown role."))})
    _check_password(password)
    if errors := _contact_errors(full_name, email, phone):
        raise Invalid(fields=errors)
    council = await council_by_code(council_code) if council_code else None
    agency = await agency_by_code(agency_code) if agency_code else None
    if role == "agency":
        if agency is None:
            raise Invalid(
                fields={"agency_code": str(N_("An agency officer belongs to an agency."))}
            )
        council = await Council.get(id=agency.council_id)  # type: ignore[attr-defined]
    elif role in ("secretariat", "chair", "delegate", "display") and council is None:
        raise Invalid(fields={"council_code": str(N_("This role belongs to a council."))})
    elif role == "admin":
        council = None
    await _may_manage(actor, role, council)
    await _check_seat_free(council, role)
    try:
        async with in_transaction():
            if await User.exists(username=username):
                raise Conflict("duplicate", N_("This username is already taken."))
            user = await User.create(
                username=username,
                password_hash=password_hash or hash_password(password),
                role=role,
                full_name=full_name.strip(),
                title=title.strip()[:200],
                council=council,
                agency=agency if role == "agency" else None,
                email=email or None,
                phone=phone or None,
            )
            await audit.record(
                "user.create",
                actor=actor,
                target_type="user",
                target_id=user.id,
                council_id=council.id if council else None,
                details={"username": username, "role": role},
            )
    except IntegrityError:
        raise Conflict("duplicate", N_("This username is already taken.")) from None
    return user


async def user_update(
    actor: User,
    user: User,
    *,
    full_name: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
    email: str | None = None,
    phone: str | None = None,
    title: str | None = None,
) -> User:
    """user.update (deactivation ends every session of the user). ``title``: an official's
    title, shown beside the name ("Giám đốc Sở Xây dựng")."""
    if errors := _contact_errors(full_name, email, phone):
        raise Invalid(fields=errors)
    council = await Council.get_or_none(id=user.council_id) if user.council_id else None
    await _may_manage(actor, user.role, council)
    if role is not None:
        if role not in ROLES:
            raise Invalid(fields={"role": str(N_("Unknown role."))})
        await _may_manage(actor, role, council)
    takes_seat = (role if role is not None else user.role) in SEAT_ROLES and (
        is_active if is_active is not None else user.is_active
    )
    held_seat = user.role in SEAT_ROLES and user.is_active
    if takes_seat and not held_seat:
        await _check_seat_free(council, role or user.role, excluding=user.id)
    async with in_transaction():
        if full_name is not None:
            user.full_name = full_name.strip()
        if role is not None:
            user.role = role
        if email is not None:
            user.email = email or None
        if phone is not None:
            user.phone = phone or None
        if title is not None:
            user.title = title.strip()[:200]
        if is_active is not None:
            user.is_active = is_active
        await user.save()
        if is_active is False:
            await revoke_all(user)
        await audit.record(
            "user.update",
            actor=actor,
            target_type="user",
            target_id=user.id,
            council_id=user.council_id,
            details={"is_active": is_active, "role": role},
        )
    if is_active is False:
        await tokens_ended(user.id)
    return user


async def user_reset_password(actor: User, user: User, password: str | None = None) -> str:
    """user.reset_password: set a new password (generated when none is given); ends all sessions."""
    council = await Council.get_or_none(id=user.council_id) if user.council_id else None
    await _may_manage(actor, user.role, council)
    new_password = password or generate_password()
    _check_password(new_password)
    async with in_transaction():
        user.password_hash = hash_password(new_password)
        await user.save(update_fields=["password_hash"])
        await revoke_all(user)
        await audit.record(
            "user.reset_password",
            actor=actor,
            target_type="user",
            target_id=user.id,
            council_id=user.council_id,
        )
    await tokens_ended(user.id)
    return new_password


def user_dict(
    u: User, council_code: str | None = None, agency_code: str | None = None
) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "full_name": u.full_name,
        "role": u.role,
        "council_code": council_code,
        "agency_code": agency_code,
        "is_active": u.is_active,
    }


# --- delegate roll import -----------------------------------------------------------------------

ROLL_COLUMNS = ("username", "full_name", "password", "email", "phone")
MAX_ROLL_ROWS = 500


@dataclass
class RollResult:
    created: list[User]
    errors: list[tuple[int, str]]  # (physical line number, message)
    passwords: dict[str, str] = field(default_factory=dict)  # generated: username → password
    # The rows read, with their own errors (what the preview shows), the file's encoding as
    # people call it and its columns (the file's header, the field it fills).
    rows: list[tuple[int, dict[str, str], list[str]]] = field(default_factory=list)
    encoding: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)
    free_seats: int | None = None


def _roll_row_errors(clean: dict[str, str]) -> list[str]:
    errors = []
    if not USERNAME_RE.match(clean.get("username", "").lower()):
        errors.append(str(N_("Username is missing or has characters that are not allowed.")))
    if not clean.get("full_name"):
        errors.append(str(N_("The full name is missing.")))
    errors += [
        str(m)
        for m in _contact_errors(
            clean.get("full_name"), clean.get("email"), clean.get("phone")
        ).values()
    ]
    if clean.get("password") and len(clean["password"]) < MIN_PASSWORD_LENGTH:
        errors.append(str(N_("The password needs at least 8 characters.")))
    return errors


async def roll_import(
    actor: User, council: Council, data: bytes, role: str = "delegate", *, dry_run: bool = False
) -> RollResult:
    """user.import: create a council's delegates from a CSV roll (``council.rollfile``: UTF-8,
    UTF-16 or Windows-1258; comma, semicolon or tab; Vietnamese or English column names).

    All or nothing: every row is checked and errors are reported by the file's line number.
    Rows without a password get a generated one, returned once in ``passwords``. ``dry_run``
    checks everything and creates nothing: the preview.
    """
    await _may_manage(actor, role, council)
    try:
        roll = rollfile.read(data)
    except Invalid as exc:
        return RollResult([], [(0, str(exc.message))])
    rows = roll.rows
    errors: list[tuple[int, str]] = []
    row_errors: dict[int, list[str]] = {}
    seen: set[str] = set()
    for line, clean in rows:
        mine = _roll_row_errors(clean)
        username = clean.get("username", "").lower()
        if username in seen:
            mine.append(str(N_("This username appears twice in the file.")))
        seen.add(username)
        row_errors[line] = mine
    if len(rows) > MAX_ROLL_ROWS:
        errors.append((0, str(N_("At most 500 rows can be imported at once."))))
    taken = set(await User.filter(username__in=list(seen)).values_list("username", flat=True))
    for line, clean in rows:
        if clean.get("username", "").lower() in taken:
            row_errors[line].append(str(N_("This username is already taken.")))
    errors += [(line, m) for line, ms in row_errors.items() for m in ms]
    free = council.seats - await seat_holders(council.id) if role in SEAT_ROLES else None
    if free is not None and len(rows) > free:
        errors.append(
            (
                0,
                str(
                    N_(
                        "The council has {free} free seats of {seats}; the file lists "
                        "{rows} delegates."
                    ).format(free=max(free, 0), seats=council.seats, rows=len(rows))
                ),
            )
        )
    checked = RollResult(
        [],
        sorted(errors),
        rows=[(line, clean, row_errors[line]) for line, clean in rows],
        encoding=roll.encoding,
        columns=roll.columns,
        free_seats=max(free, 0) if free is not None else None,
    )
    if errors or dry_run:
        return checked
    created: list[User] = []
    generated: dict[str, str] = {}
    async with in_transaction():
        for _line, clean in rows:
            username = clean["username"].lower()
            password = clean.get("password") or generate_password()
            if not clean.get("password"):
                generated[username] = password
            user = await User.create(
                username=username,
                password_hash=hash_password(password),
                role=role,
                full_name=clean["full_name"],
                council=council,
                email=clean.get("email") or None,
                phone=clean.get("phone") or None,
            )
            created.append(user)
        await audit.record(
            "user.import",
            actor=actor,
            target_type="council",
            target_id=council.id,
            council_id=council.id,
            details={"count": len(created)},
        )
    checked.created, checked.passwords = created, generated
    return checked


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


def generate_password() -> str:
    """A random password that a spreadsheet will not read as a formula (no leading - = + @)."""
    while True:
        password = secrets.token_urlsafe(9)
        if password[0].isalnum():
            return password


async def roles_manageable(actor: User, council: Council | None) -> list[str]:
    """The roles ``actor`` may create or manage in ``council`` (the rule of ``_may_manage``)."""
    allowed = []
    for role in ROLES:
        try:
            await _may_manage(actor, role, council)
        except Forbidden:
            continue
        allowed.append(role)
    return allowed


def _page_bounds(page: int, per_page: int, total: int) -> int:
    pages = max(1, -(-total // per_page))
    return min(max(page, 1), pages)


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


async def users_listing(
    actor: User,
    *,
    council: Council | None = None,
    role: str | None = None,
    q: str = "",
    active: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Listing:
    """The users ``actor`` may manage: everyone for an admin; for a secretariat only its own
    council's delegates and chair. Search by full name or username."""
    from tortoise.expressions import Q

    if actor.role != "admin":
        if council is None or actor.council_id != council.id:
            raise Forbidden()
    qs = User.all()
    if council is not None:
        qs = qs.filter(council_id=council.id)
    roles = await roles_manageable(actor, council)
    if role:
        if role not in roles:
            return Listing([], 0, 1, per_page)
        qs = qs.filter(role=role)
    elif actor.role != "admin":
        qs = qs.filter(role__in=roles)
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(username__icontains=q.lower()))
    if active is not None:
        qs = qs.filter(is_active=active)
    total = await qs.count()
    page = _page_bounds(page, per_page, total)
    items = (
        await qs.order_by("id")
        .offset((page - 1) * per_page)
        .limit(per_page)
        .prefetch_related("council", "agency")
    )
    return Listing(list(items), total, page, per_page)


async def user_set_active(actor: User, user: User, active: bool) -> User:
    """user.deactivate / user.reactivate (deactivation ends every session). Nobody deactivates
    their own account, so a council can never lock out its last administrator by mistake."""
    if not active and actor.id == user.id:
        raise Conflict("own_account", N_("You cannot deactivate your own account."))
    return await user_update(actor, user, is_active=active)
