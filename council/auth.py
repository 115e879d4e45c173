"""Authentication services: login with throttling, sessions and revocable bearer tokens."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from council import audit, devices, mailer, signals
from council.errors import DomainError, Forbidden, Invalid, RateLimited
from council.i18n import N_
from council.models import SIGNING_ROLES, AuthToken, LoginDevice, User
from council.ratelimit import Rate, limiter
from council.security import hash_password, needs_rehash, new_token, token_hash, verify_password
from council.throttle import LoginPolicy, alert_due, budgets

SESSION_COOKIE = "council_session"

log = logging.getLogger(__name__)


class LoginFailed(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__("invalid_credentials", N_("Wrong username or password."))


class AccountLocked(RateLimited):
    """The account's budget for unknown devices is spent: this device needs to be unlocked."""


async def authenticate(
    username: str, password: str, *, ip: str, device: str | None, policy: LoginPolicy
) -> User:
    """Check a password against the budgets of ``council.throttle``; audit the attempt.

    ``device`` is the browser's verified device id (``council.devices``), if it sent one."""
    username = (username or "").strip().lower()[:64]
    user = await User.get_or_none(username=username)
    device_key = devices.key(device) if device else None
    known = (
        device_key if user is not None and device_key and await _known(user, device_key) else None
    )
    spent = budgets(policy, username, ip, known)
    for budget in spent:
        count, left = await limiter().hits(budget.key, budget.rate)
        if count >= budget.rate.count:
            # One entry per budget and window, not one per refused attempt: a flood of guesses
            # must not grow the audit chain (its appends are serialised) by one row per request.
            noted, _ = await limiter().add("noted:" + budget.key, Rate(1, budget.rate.seconds))
            if noted == 1:
                async with in_transaction():
                    await audit.record(
                        "auth.throttled",
                        details={
                            "username": username,
                            "known_device": known is not None,
                            "window_seconds": budget.rate.seconds,
                        },
                    )
            raise (AccountLocked if budget.account_wide else RateLimited)(max(left, 1))
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.is_active:
        guessed = False
        for budget in spent:
            count, _ = await limiter().add(budget.key, budget.rate)
            guessed = guessed or (budget.account_wide and count >= budget.rate.count)
        async with in_transaction():
            await audit.record(
                "auth.login_failed",
                details={"username": username, "known_device": known is not None},
            )
        if guessed and user is not None:
            await _alert_guessed(user, policy)
        raise LoginFailed()
    for budget in spent:
        if not budget.account_wide:  # a guesser's count on the account stands
            await limiter().reset(budget.key)
    if device_key is not None:
        await _remember(user, device_key)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


def _known_device(user: User, device_key: str) -> Q:
    # A device that logged in before, or one the secretariat unlocked by its code.
    return Q(user_id=user.id) & (
        Q(device_key=device_key)
        | Q(device_key=devices.code(device_key), unlocked_by_id__isnull=False)
    )


async def _known(user: User, device_key: str) -> bool:
    return await LoginDevice.filter(_known_device(user, device_key)).exists()


async def _remember(user: User, device_key: str) -> None:
    """This device has now logged in to ``user``: it keeps its own budget from now on."""
    now = datetime.now(UTC)
    async with in_transaction():
        updated = await LoginDevice.filter(user_id=user.id, device_key=device_key).update(
            last_login_at=now
        )
        if not updated:
            await LoginDevice.create(user=user, device_key=device_key, last_login_at=now)
        # An unlock by code has served its one device.
        await LoginDevice.filter(user_id=user.id, device_key=devices.code(device_key)).delete()


async def unlock_device(actor: User, user: User, code: str) -> LoginDevice:
    """``device.unlock``: let the device showing ``code`` log in to ``user`` with its own budget,
    while the account is locked for every other unknown device. An account that signs records
    (``SIGNING_ROLES``) only an administrator unlocks; the registry scopes ``actor`` to the
    account's council."""
    if actor.role != "admin" and user.role in SIGNING_ROLES:
        # Letting a device log in to a signer's account is as good as a password reset: the
        # administrator's alone (docs/signing.md, "Separation of duties").
        await audit.record_denied(
            actor, "user", user.id, user.council_id, {"signing_role": user.role}
        )
        raise Forbidden(
            N_(
                "Only an administrator may unlock a device for an account that signs records "
                "(chair, secretariat)."
            ),
            role=user.role,
        )
    code = devices.normalise_code(code)
    if len(code) != devices.CODE_LENGTH or any(ch not in _B32 for ch in code):
        raise Invalid(fields={"code": str(N_("Type the 8 letters and digits the device shows."))})
    async with in_transaction():
        row = await LoginDevice.get_or_none(user_id=user.id, device_key=code)
        if row is None:
            row = await LoginDevice.create(user=user, device_key=code, unlocked_by_id=actor.id)
        else:
            row.unlocked_by_id = actor.id
            await row.save(update_fields=["unlocked_by_id"])
        await audit.record(
            "device.unlock",
            actor=actor,
            target_type="user",
            target_id=user.id,
            council_id=user.council_id,
            details={"code": code},
        )
    return row


_B32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


async def _alert_guessed(user: User, policy: LoginPolicy) -> None:
    """Tell the holder their account is being guessed, at most once an hour (across workers: the
    conditional update lets one of them through)."""
    async with in_transaction():
        due = await User.filter(alert_due(), id=user.id).update(guess_alert_at=datetime.now(UTC))
        if not due:
            return
        await audit.record(
            "auth.guess_alert",
            target_type="user",
            target_id=user.id,
            council_id=user.council_id,
            details={"e-mail": bool(user.email)},
        )
    if not user.email:
        return
    lang = user.lang or "vi"
    body = "\n\n".join(
        str(line.render(lang))
        for line in (
            N_("Someone is trying to guess the password of your account {username}.").format(
                username=user.username
            ),
            N_(
                "Logging in from a new device is paused for a while. The devices you logged in "
                "from before still work. If you cannot log in, the administrator can unlock your "
                "device."
            )
            if user.role in SIGNING_ROLES  # only an admin unlocks a signer's device
            else N_(
                "Logging in from a new device is paused for a while. The devices you logged in "
                "from before still work. If you cannot log in, the secretariat can unlock your "
                "device."
            ),
            N_("If you made these attempts yourself, you can ignore this message."),
        )
    )
    subject = N_("Failed logins to your account").render(lang)

    async def sent(error: Exception | None) -> None:
        if error is not None:
            log.warning("guess alert to user %s not sent: %s", user.id, error)

    mailer.send_later(policy.mail, [mailer.Mail(user.email, subject, body, sent)])


async def issue_token(user: User, kind: str, ttl_hours: int) -> str:
    """Create a session or API token for ``user``; only its hash is stored."""
    token = new_token()
    async with in_transaction():
        await AuthToken.create(
            key_hash=token_hash(token),
            kind=kind,
            user=user,
            expires_at=datetime.now(UTC) + timedelta(hours=ttl_hours),
        )
        await audit.record(
            "auth.login" if kind == "session" else "auth.token",
            actor=user,
            target_type="user",
            target_id=user.id,
            council_id=user.council_id,
        )
    return token


def _live(row: AuthToken | None, kind: str | None = None) -> bool:
    """Whether ``row`` (its user loaded) still authenticates: not revoked, not expired, of
    ``kind`` when given, and its user active."""
    if row is None or row.revoked_at is not None or row.expires_at <= datetime.now(UTC):
        return False
    return (kind is None or row.kind == kind) and row.user.is_active


async def user_for_token(
    token: str | None, kind: str | None = None
) -> tuple[User, AuthToken] | None:
    """The active user behind a live token, or None."""
    if not token or len(token) > 200:
        return None
    row = await AuthToken.get_or_none(key_hash=token_hash(token)).select_related("user")
    if row is None or not _live(row, kind):
        return None
    return row.user, row


async def users_for_token_hashes(hashes: list[str]) -> dict[str, User]:
    """``user_for_token`` for many tokens at once, given their hashes: the active user behind
    each live one, in one query (open Socket.IO connections check theirs together)."""
    rows = await AuthToken.filter(key_hash__in=hashes).select_related("user")
    return {row.key_hash: row.user for row in rows if _live(row)}


async def revoke_token(token: str, actor: User | None = None) -> bool:
    async with in_transaction():
        row = await AuthToken.get_or_none(key_hash=token_hash(token), revoked_at=None)
        updated = row is not None and bool(
            await AuthToken.filter(id=row.id, revoked_at=None).update(revoked_at=datetime.now(UTC))
        )
        if updated:
            await audit.record("auth.logout", actor=actor)
    if row is not None and updated:
        await tokens_ended(row.user_id)
    return updated


async def revoke_all(user: User) -> None:
    """End every session and token of ``user`` (deactivation, password reset). Inside a
    transaction: call ``tokens_ended(user.id)`` once it has committed."""
    await AuthToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=datetime.now(UTC))


async def tokens_ended(user_id: int) -> None:
    """Tell open Socket.IO connections, in every worker, that tokens of ``user_id`` have ended
    (committed): those they authenticated are closed."""
    await signals.TOKENS_ENDED.send(user_id=user_id)
