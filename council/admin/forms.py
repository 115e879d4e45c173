"""What the admin forms accept. The services keep the domain rules; these bound sizes and shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from council.models import ROLES
from council.services import EMAIL_RE, PHONE_RE
from council.validation import NFCStr, Schema

QUORUM = r"^\s*[0-9]{1,4}\s*/\s*[0-9]{1,4}\s*$"
Category = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z0-9_-]{2,32}$")
]
Role = Literal["admin", "secretariat", "chair", "delegate", "agency", "citizen", "display"]
assert set(Role.__args__) == set(ROLES)  # type: ignore[attr-defined]


class CouncilCreateForm(Schema):
    code: NFCStr = Field(min_length=2, max_length=32)
    name: NFCStr = Field(min_length=2, max_length=200)
    level: Literal["city", "commune"]
    parent_code: NFCStr | None = Field(default=None, max_length=32)
    seats: int = Field(ge=1, le=1000)
    quorum: NFCStr = Field(default="2/3", max_length=9, pattern=QUORUM)


class CouncilEditForm(Schema):
    name: NFCStr = Field(min_length=2, max_length=200)
    seats: int = Field(ge=1, le=1000)
    quorum: NFCStr = Field(max_length=9, pattern=QUORUM)


class AgencyCreateForm(Schema):
    code: NFCStr = Field(min_length=2, max_length=32)
    name: NFCStr = Field(min_length=2, max_length=200)
    council_code: NFCStr = Field(min_length=2, max_length=32)
    categories: list[Category] = Field(default_factory=list, max_length=50)


class AgencyEditForm(Schema):
    name: NFCStr = Field(min_length=2, max_length=200)
    categories: list[Category] = Field(default_factory=list, max_length=50)


class UserCreateForm(Schema):
    username: NFCStr = Field(min_length=3, max_length=64)
    full_name: NFCStr = Field(min_length=1, max_length=200)
    title: NFCStr | None = Field(default=None, max_length=200)
    role: Role
    council_code: NFCStr | None = Field(default=None, max_length=32)
    agency_code: NFCStr | None = Field(default=None, max_length=32)
    email: NFCStr | None = Field(default=None, max_length=254, pattern=EMAIL_RE.pattern)
    phone: NFCStr | None = Field(default=None, max_length=32, pattern=PHONE_RE.pattern)
    password: str | None = Field(default=None, min_length=8, max_length=256)


class UserEditForm(Schema):
    full_name: NFCStr = Field(min_length=1, max_length=200)
    title: NFCStr | None = Field(default=None, max_length=200)
    role: Role | None = None
    email: NFCStr | None = Field(default=None, max_length=254, pattern=EMAIL_RE.pattern)
    phone: NFCStr | None = Field(default=None, max_length=32, pattern=PHONE_RE.pattern)
