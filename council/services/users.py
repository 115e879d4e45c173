"""Users: create, update, reset a password, deactivate, list; who may manage whom."""

from __future__ import annotations

import secrets
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import audit
from council.auth import revoke_all, tokens_ended
from council.errors import Conflict, Forbidden, Invalid
from council.i18n import N_
from council.models import ROLES, SIGNING_ROLES, Council, User
from council.security import MIN_PASSWORD_LENGTH, hash_password
from council.services.common import (
    SEAT_ROLES,
    USERNAME_RE,
    Listing,
    _check_seat_free,
    _contact_errors,
    _page_bounds,
    agency_by_code,
    council_by_code,
)

# --- users ------------------------------------------------------------------------------------


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(fields={"password": str(N_("The password needs at least 8 characters."))})


# Roles whose holders sign records (``council.models.SIGNING_ROLES``): the secretary signs the
# minutes, the chair the minutes and the resolutions (with the server's key when one is
# configured). Granting, changing or managing them (a password reset logs in as the signer) is an
# administrator's act, never the secretariat's: a secretariat that could make a chair could sign
# for the chair.


def _refusal(actor: User | None, role: str, council: Council | None) -> Forbidden | None:
    """Admins manage everyone; a secretariat manages its own council's delegates and its hall
    displays; accounts that sign (``SIGNING_ROLES``) only an admin manages."""
    if actor is None or actor.role == "admin":
        return None
    if role in SIGNING_ROLES:
        return Forbidden(
            N_(
                "Only an administrator may create or change an account that signs records "
                "(chair, secretariat)."
            ),
            role=role,
        )
    if (
        actor.role == "secretariat"
        and council is not None
        and actor.council_id == council.id
        and role in ("delegate", "display")
    ):
        return None
    return Forbidden(N_("You may only manage delegates of your own council."))


async def _may_manage(
    actor: User | None, role: str, council: Council | None, target: User | None = None
) -> None:
    """Raise ``Forbidden`` unless ``actor`` may give or manage ``role`` in ``council``; an attempt
    on an account that signs is audited (``permission.denied``)."""
    refused = _refusal(actor, role, council)
    if refused is None:
        return
    if role in SIGNING_ROLES:
        await audit.record_denied(
            actor,
            "user",
            target.id if target is not None else "",
            council.id if council is not None else None,
            {"signing_role": role},
        )
    raise refused


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
                details={
                    "username": username,
                    "role": role,
                    "signs": role in SIGNING_ROLES,
                },
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
    await _may_manage(actor, user.role, council, user)
    if role is not None:
        if role not in ROLES:
            raise Invalid(fields={"role": str(N_("Unknown role."))})
        await _may_manage(actor, role, council, user)
    previous_role = user.role
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
            details={
                "is_active": is_active,
                "role": role,
                **(
                    {"was": previous_role, "signs": role in SIGNING_ROLES}
                    if role is not None and role != previous_role
                    else {}
                ),
            },
        )
    if is_active is False:
        await tokens_ended(user.id)
    return user


async def user_reset_password(actor: User, user: User, password: str | None = None) -> str:
    """user.reset_password: set a new password (generated when none is given); ends all sessions."""
    council = await Council.get_or_none(id=user.council_id) if user.council_id else None
    await _may_manage(actor, user.role, council, user)
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
        "title": u.title,
        "role": u.role,
        "council_code": council_code,
        "agency_code": agency_code,
        "is_active": u.is_active,
    }


def generate_password() -> str:
    """A random password that a spreadsheet will not read as a formula (no leading - = + @)."""
    while True:
        password = secrets.token_urlsafe(9)
        if password[0].isalnum():
            return password


async def roles_manageable(actor: User, council: Council | None) -> list[str]:
    """The roles ``actor`` may create or manage in ``council`` (the rule of ``_may_manage``)."""
    return [role for role in ROLES if _refusal(actor, role, council) is None]


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
    council's delegates and displays. Search by full name or username."""
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


async def seat_holder_set_active(
    actor: User, user: User, active: bool, *, because: str, ended: list[int]
) -> User:
    """The legal effect of a seat on its holder's account, for the services that manage a term's
    seats (the roster of a new term, a vacancy): those elected are (re)activated, those not
    re-elected or whose seat fell vacant are deactivated (every session ends). ``because`` names
    the operation (``term.roster``, ``seat.vacate``) in the audit entry (``effect_of``).

    Not a role grant, so not the administrator's alone (``SIGNING_ROLES``): the role stays as an
    administrator gave it, a password is never touched, and the account goes back to its own
    holder only. Deactivating removes access; reactivating a chair re-elected is what the
    election decided. The caller checks that ``actor`` manages the council's terms; this checks
    again that the account is a seat's, in the actor's council.

    Called inside the caller's transaction: a deactivated account's id is added to ``ended``, and
    the caller tells them (``tell_tokens_ended``) once its transaction has committed; a roster
    rolled back tells nobody."""
    if user.role not in SEAT_ROLES or (
        actor.role != "admin"
        and (actor.role != "secretariat" or actor.council_id != user.council_id)
    ):
        raise Forbidden(N_("You may only manage delegates of your own council."))
    if active == user.is_active:
        return user
    if active:
        council = await Council.get_or_none(id=user.council_id) if user.council_id else None
        await _check_seat_free(council, user.role, excluding=user.id)
    async with in_transaction():
        user.is_active = active
        await user.save(update_fields=["is_active"])
        if not active:
            await revoke_all(user)
        await audit.record(
            "user.update",
            actor=actor,
            target_type="user",
            target_id=user.id,
            council_id=user.council_id,
            details={
                "is_active": active,
                "effect_of": because,
                **({"signs": True} if user.role in SIGNING_ROLES else {}),
            },
        )
    if not active:
        ended.append(user.id)
    return user


async def tell_tokens_ended(ended: list[int]) -> None:
    """After the commit of what closed these accounts (``seat_holder_set_active``): their open
    connections are told, and closed."""
    for user_id in ended:
        await tokens_ended(user_id)


async def user_set_active(actor: User, user: User, active: bool) -> User:
    """user.deactivate / user.reactivate (deactivation ends every session). Nobody deactivates
    their own account, so a council can never lock out its last administrator by mistake."""
    if not active and actor.id == user.id:
        raise Conflict("own_account", N_("You cannot deactivate your own account."))
    return await user_update(actor, user, is_active=active)
