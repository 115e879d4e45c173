"""Request and response schemas of the signing API."""

from __future__ import annotations

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
