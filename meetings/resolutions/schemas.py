"""Request bodies and response models of the resolutions API."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from council.validation import NFCStr, Out, Schema


class ResolutionIssueIn(Schema):
    title: NFCStr | None = Field(default=None, max_length=300)


class ResolutionPatch(Schema):
    title: NFCStr | None = Field(default=None, min_length=1, max_length=300)
    text: NFCStr | None = Field(default=None, max_length=100_000)


class ResolutionSignIn(Schema):
    pin: str | None = Field(default=None, max_length=64)


class ResolutionOut(Out):
    id: int
    council_code: str
    session_id: int
    item_id: int
    number: int
    year: int
    number_label: str = Field(description='"12/NQ-HĐND"')
    title: str
    text: str
    vote_line: str
    status: str
    passed_at: datetime
    issued_at: datetime
    signed_at: datetime | None
    signer_name: str
    published_at: datetime | None
    pdf_url: str


class PublicResolutionOut(Out):
    id: int
    council_code: str
    council_name: str
    number_label: str
    title: str
    passed_at: datetime
    published_at: datetime | None
    signer_name: str
    url: str
    pdf_url: str


class PublicResolutionListOut(Out):
    items: list[PublicResolutionOut]
    total: int
