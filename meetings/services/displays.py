"""display.*: hall screens (a projector's browser) that follow a council's sittings without a
delegate's login.

The secretariat creates a display: a ``display`` account of its council (a core role that no
permission of a write, a vote or a non-public document names, so it can only watch) and a kiosk
link holding a secret shown once (only its SHA-256 is kept). Opening the link on the projector and
confirming gives that browser a session of the display account; the hall page then follows the
council's sitting live. Revoking the display deactivates the account: its sessions end and its
live connection is closed at once. Creating, opening and revoking are audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from council import audit
from council import services as core
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User
from council.security import new_token, token_hash
from meetings.models import HallDisplay, Session
from meetings.services.common import is_admin, now

MAX_LABEL = 100


@dataclass(frozen=True)
class NewDisplay:
    display: HallDisplay
    key: str  # the kiosk link's secret, shown once

    @property
    def path(self) -> str:
        return kiosk_path(self.key)


def kiosk_path(key: str) -> str:
    return f"/hall/k/{key}"


def _may_manage(user: User, council: Council) -> None:
    if not (is_admin(user) or (user.role == "secretariat" and user.council_id == council.id)):
        raise Forbidden(N_("Only the council's secretariat manages its hall displays."))


async def _council(code: str) -> Council:
    council = await Council.get_or_none(code=code)
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council


async def display_create(user: User, council_code: str, label: str) -> NewDisplay:
    """display.create: a display account and its kiosk link (the secret is returned once)."""
    council = await _council(council_code)
    _may_manage(user, council)
    label = " ".join((label or "").split())
    if not label or len(label) > MAX_LABEL:
        raise Invalid(fields={"label": str(N_("A name of 1 to 100 characters is required."))})
    key = new_token()
    async with in_transaction():
        account = await core.user_create(
            user,
            username=f"display.{council.code.lower()}.{secrets.token_hex(4)}",
            password=new_token(),  # never told to anyone: the kiosk link is the way in
            role="display",
            full_name=label,
            council_code=council.code,
        )
        display = await HallDisplay.create(
            council_id=council.id,
            user_id=account.id,
            label=label,
            key_hash=token_hash(key),
            created_by_id=user.id,
            created_at=now(),
        )
        await audit.record(
            "display.create",
            actor=user,
            target_type="display",
            target_id=display.id,
            council_id=council.id,
            details={"label": label, "user_id": account.id},
        )
    return NewDisplay(display, key)


async def displays_of(user: User, council_code: str) -> list[HallDisplay]:
    """display.list: a council's hall displays, revoked ones included."""
    council = await _council(council_code)
    _may_manage(user, council)
    return list(await HallDisplay.filter(council_id=council.id).order_by("id"))


async def display_revoke(user: User, display_id: int) -> HallDisplay:
    """display.revoke: the kiosk link stops working and the screen is closed at once."""
    display = await HallDisplay.get_or_none(id=display_id)
    if display is None:
        raise NotFound(N_("This hall display does not exist."))
    council = await Council.get(id=display.council_id)
    _may_manage(user, council)
    if display.revoked_at is not None:
        raise Conflict("display_revoked", N_("This hall display is already revoked."), status=409)
    account = await User.get(id=display.user_id)
    async with in_transaction():
        await HallDisplay.filter(id=display.id).update(revoked_at=now(), revoked_by_id=user.id)
        await audit.record(
            "display.revoke",
            actor=user,
            target_type="display",
            target_id=display.id,
            council_id=council.id,
            details={"user_id": account.id},
        )
    # Deactivating ends every session of the account and closes its live connections.
    await core.user_update(user, account, is_active=False)
    return await HallDisplay.get(id=display.id)


async def display_for_key(key: str) -> HallDisplay:
    """The live display a kiosk link opens (404 for an unknown or revoked link)."""
    display = None
    if key and len(key) <= 200:
        display = await HallDisplay.get_or_none(key_hash=token_hash(key), revoked_at=None)
    if display is None or not await User.exists(id=display.user_id, is_active=True):
        raise NotFound(N_("This hall screen link is not valid (revoked, or mistyped)."))
    return display


async def display_open(key: str) -> User:
    """display.open: the kiosk link is used on a device; the caller then logs that device in as
    the display account (``auth.issue_token``)."""
    display = await display_for_key(key)
    account = await User.get(id=display.user_id)
    async with in_transaction():
        await HallDisplay.filter(id=display.id).update(last_opened_at=now())
        await audit.record(
            "display.open",
            actor=account,
            target_type="display",
            target_id=display.id,
            council_id=display.council_id,
        )
    return account


async def hall_session_for(user: User) -> Session | None:
    """The sitting a hall screen of ``user``'s council shows: the one in progress, else the next
    (or latest) published one."""
    if user.council_id is None:
        return None
    running = (
        await Session.filter(council_id=user.council_id, status="in_progress")
        .order_by("-started_at", "-id")
        .first()
    )
    if running is not None:
        return running
    return (
        await Session.filter(council_id=user.council_id, status="published")
        .order_by("starts_at", "id")
        .first()
    )
