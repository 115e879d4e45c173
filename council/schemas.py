"""Request and response schemas of the core API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from council.validation import NFCStr, Out, Schema


class TokenIn(Schema):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class CouncilIn(Schema):
    code: str = Field(min_length=2, max_length=32)
    name: NFCStr = Field(min_length=2, max_length=200)
    level: Literal["city", "commune"]
    parent_code: str | None = Field(default=None, max_length=32)
    seats: int = Field(ge=1, le=1000)
    quorum: str | None = Field(
        default=None, max_length=16, description='A fraction of all seats, e.g. "2/3".'
    )


class CouncilOut(Out):
    id: int
    code: str
    name: str
    level: str
    parent_code: str | None
    seats: int
    quorum: str
    quorum_count: int
    is_active: bool
    division_code: str | None = None


class CouncilList(Out):
    items: list[CouncilOut]


class UserIn(Schema):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    full_name: NFCStr = Field(default="", max_length=200)
    role: Literal["admin", "secretariat", "chair", "delegate", "agency", "citizen"]
    council_code: str | None = Field(default=None, max_length=32)
    agency_code: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    # chức vụ: an official's title, shown beside the name ("Giám đốc Sở Xây dựng")
    title: NFCStr = Field(default="", max_length=200)


class UserOut(Out):
    id: int
    username: str
    full_name: str
    title: str
    role: str
    council_code: str | None
    agency_code: str | None
    is_active: bool


class UserList(Out):
    items: list[UserOut]


class AgencyIn(Schema):
    code: str = Field(min_length=2, max_length=32)
    name: NFCStr = Field(min_length=2, max_length=200)
    council_code: str = Field(max_length=32)
    categories: list[str] = Field(default_factory=list, max_length=50)


class AgencyOut(Out):
    id: int
    code: str
    name: str
    council_code: str
    categories: list[str]
    is_active: bool


class AgencyList(Out):
    items: list[AgencyOut]


class MeOut(Out):
    id: int
    username: str
    full_name: str
    title: str
    role: str
    council_code: str | None
    agency_code: str | None


class OkOut(Out):
    ok: bool = True


class DeviceUnlockIn(Schema):
    code: str = Field(
        min_length=1, max_length=32, description="The code the locked-out device shows (XXXX-XXXX)."
    )


class DeviceUnlockOut(Out):
    user_id: int
    code: str


QUORUM = r"^\s*[0-9]{1,4}\s*/\s*[0-9]{1,4}\s*$"


class SeatsIn(Schema):
    seats: int = Field(ge=1, le=1000, description="Seats of the council (elected delegates).")
    quorum: NFCStr | None = Field(
        default=None, max_length=9, pattern=QUORUM, description='A fraction of all seats, "2/3".'
    )
