"""Core models: councils, agencies, users, tokens and the audit chain."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from tortoise import fields
from tortoise.models import Model

# ``display``: a hall screen of a council (a projector), read-only; see meetings/displays.
ROLES = ("admin", "secretariat", "chair", "delegate", "agency", "citizen", "display")
# Roles whose holders sign records: the secretary signs the minutes, the chair the minutes and
# the resolutions. Only an administrator grants or manages them (``council.services.users``) or
# lets a new device log in to them (``council.auth.unlock_device``).
SIGNING_ROLES = frozenset({"secretariat", "chair"})
LEVELS = ("city", "commune")


class Council(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    level = fields.CharField(max_length=10)
    parent: fields.ForeignKeyNullableRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    # 0 only for a council created from the official list whose seats are not set yet
    seats = fields.IntField()
    quorum = fields.CharField(max_length=16, default="2/3")
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Official code of its administrative division (council.divisions): "01", "00004"
    division_code = fields.CharField(max_length=8, null=True, unique=True)

    class Meta:
        table = "council"
        ordering = ["id"]

    @property
    def quorum_fraction(self) -> Fraction:
        return Fraction(self.quorum)

    @property
    def quorum_count(self) -> int:
        """Delegates who must be present: the rule's fraction of *all* seats, rounded up."""
        return math.ceil(self.seats * self.quorum_fraction)


class Agency(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    council: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="agencies", on_delete=fields.RESTRICT
    )
    categories: fields.JSONField[list[str]] = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    council_id: int

    class Meta:
        table = "agency"
        ordering = ["id"]


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    full_name = fields.CharField(max_length=200, default="")
    # An official's title as shown beside their name ("Giám đốc Sở Xây dựng"): an agency's
    # officials answer questions at sittings under it.
    title = fields.CharField(max_length=200, default="", db_default="")
    role = fields.CharField(max_length=16)
    council: fields.ForeignKeyNullableRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "council.Agency", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=32, null=True)
    is_active = fields.BooleanField(default=True)
    lang = fields.CharField(max_length=2, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # When the holder was last told that their account is being guessed (at most once an hour).
    guess_alert_at = fields.DatetimeField(null=True)

    council_id: int | None
    agency_id: int | None

    class Meta:
        table = "user"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name or self.username


class AuthToken(Model):
    """A login session (cookie) or an API bearer token. Only the SHA-256 of the secret is stored."""

    id = fields.IntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    kind = fields.CharField(max_length=8)  # session | api
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="tokens", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "auth_token"


class LoginDevice(Model):
    """A browser known to an account: it logged in before, or the secretariat unlocked it."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="devices", on_delete=fields.CASCADE
    )
    # council.devices.key() of the browser's signed device cookie (never the cookie itself).
    device_key = fields.CharField(max_length=32)
    unlocked_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "login_device"
        unique_together = (("user", "device_key"),)


class AuditEntry(Model):
    """One link of a hash chain. ``hash`` covers every field and the previous entry's hash."""

    id = fields.IntField(primary_key=True)
    # The chain: the entry's council, or 0 for the deployment's own (``council.audit``).
    chain = fields.IntField(default=0, db_default=0)
    seq = fields.BigIntField()  # the entry's place in its chain
    created_at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=200, default="")
    operation = fields.CharField(max_length=64, db_index=True)
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.CharField(max_length=64, default="")
    council_id = fields.IntField(null=True, db_index=True)
    ip = fields.CharField(max_length=64, default="")
    details: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_entry"
        ordering = ["id"]
        unique_together = (("chain", "seq"),)
