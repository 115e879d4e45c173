"""Request bodies and response models of the resolutions API."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from council.validation import NFCStr, Out, Schema

# a CMS SignedData with a chain of a few certificates and revocation data, in base64
MAX_CMS_B64 = 65_536
MAX_CERT_B64 = 16_384


class ResolutionIssueIn(Schema):
    title: NFCStr | None = Field(default=None, max_length=300)


class ResolutionPatch(Schema):
    title: NFCStr | None = Field(default=None, min_length=1, max_length=300)
    text: NFCStr | None = Field(default=None, max_length=100_000)


class ResolutionSignIn(Schema):
    pin: str | None = Field(default=None, max_length=64)


class SignPrepareIn(Schema):
    certificate: str | None = Field(
        default=None, max_length=MAX_CERT_B64, description="The signer's certificate, DER in base64"
    )


class SignCompleteIn(Schema):
    session_id: str = Field(min_length=1, max_length=64)
    cms: str = Field(
        min_length=1, max_length=MAX_CMS_B64, description="CMS SignedData (DER) in base64"
    )


class SignPrepareOut(Out):
    session_id: str
    digest: str = Field(description="The byte ranges' digest the signer signs, base64")
    digest_algorithm: str
    expires_at: datetime


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
