"""Authentication services: login with throttling, sessions and revocable bearer tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from council import audit, signals
from council.errors import DomainError, RateLimited
from council.i18n import N_
from council.models import AuthToken, User
from council.ratelimit import Rate, limiter
from council.security import hash_password, needs_rehash, new_token, token_hash, verify_password

SESSION_COOKIE = "council_session"


class LoginFailed(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__("invalid_credentials", N_("Wrong username or password."))


async def authenticate(username: str, password: str, *, ip: str, rate: Rate) -> User:
    """Check a password, throttled per account and per IP; audit the attempt."""
    username = (username or "").strip().lower()[:64]
    keys = (f"login:user:{username}", f"login:ip:{ip}")
    for key in keys:
        try:
            await limiter().check(key, rate)
        except RateLimited:
            async with in_transaction():
                await audit.record("auth.throttled", details={"username": username})
            raise
    user = await User.get_or_none(username=username)
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.is_active:
        for key in keys:
            await limiter().add(key, rate)
        async with in_transaction():
            await audit.record("auth.login_failed", details={"username": username})
        raise LoginFailed()
    await limiter().reset(keys[0])
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


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
