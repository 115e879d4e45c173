"""Request bodies and response models of the minutes' approval workflow (``/api/v1/sessions/{id}/
minutes/…``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from council.validation import NFCStr, Out, Schema

MinutesState = Literal["draft", "reviewed", "approved", "signing", "signed", "published"]


class MinutesDraftIn(Schema):
    note: NFCStr | None = Field(
        default=None,
        max_length=1000,
        description="What a correction changes: required once a version is approved or signed.",
    )


class MinutesSignIn(Schema):
    pin: str | None = Field(
        default=None,
        max_length=64,
        description="The signer's token PIN, when the key is on a PKCS#11 token: used for this "
        "signing only, never stored.",
    )


class ClosedSittingIn(Schema):
    closed_sitting: bool = Field(
        description="A closed sitting (họp kín): its signed minutes stay off the public portal."
    )


class MinutesVersionOut(Out):
    number: int
    status: MinutesState
    source: Literal["generated", "upload"]
    sha256: str
    size: int
    note: str
    created_at: datetime
    created_by: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    approved_at: datetime | None
    approved_by: str | None
    secretary_signed_at: datetime | None
    secretary_signed_by: str | None
    chair_signed_at: datetime | None
    chair_signed_by: str | None
    published_at: datetime | None
    published_by: str | None
    latest: bool
    url: str = Field(description="This version's PDF.")


class MinutesOut(Out):
    session_id: int
    closed_sitting: bool
    next_step: str | None = Field(
        description="The operation that comes next (minutes.draft, minutes.review, "
        "minutes.approve, minutes.sign, minutes.publish), or null when the latest is published."
    )
    next_role: str | None = Field(description="Who takes it: secretariat or chair.")
    versions: list[MinutesVersionOut]


class ClosedSittingOut(Out):
    session_id: int
    closed_sitting: bool
