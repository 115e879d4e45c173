"""Request and response schemas of the signing API."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from council.validation import Out, Schema


class CertificateIn(Schema):
    certificate: str = Field(
        min_length=1,
        max_length=65536,
        description="The signer's certificate: PEM, or DER in base64.",
    )


class CertificateOut(Out):
    id: int
    sha256: str
    subject: str
    common_name: str = Field(description="The holder's name (the subject's CN).")
    issuer: str
    serial: str
    not_after: str
    registered_at: str


class CertificateList(Out):
    items: list[CertificateOut]


# Remote signing (``council.signing.sessions``), the same two steps for every document: a CMS
# SignedData with a chain of a few certificates and revocation data, in base64.
MAX_CMS_B64 = 65_536
MAX_CERT_B64 = 16_384


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
