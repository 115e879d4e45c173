"""Remote and client-side signing through pyHanko's interrupted signing.

The server prepares the document (the signer's field, the visible stamp and a placeholder for the
signature) and computes the digest of its byte ranges (:func:`prepare`); the signer's own
client (a USB token on the signer's computer, or a remote signing service) signs that digest and
returns a CMS SignedData; the server checks it and embeds it in the placeholder (:func:`embed`).
``council.signing.sessions`` keeps the prepared state between the two requests. Blocking: call
these from a thread, and :func:`finish` (a hostile signer chooses what it parses and which URLs
it fetches) in a worker process (``council.signing.sessions``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from asn1crypto import cms, x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko_certvalidator.registry import SimpleCertificateStore

from council.errors import DomainError
from council.i18n import N_
from council.signing.config import load_trust_roots
from council.signing.pades import (
    LOCAL_TZ,
    CertificateRefused,
    Signatory,
    UnsignablePdf,
    stamp,
    with_field,
)
from council.signing.verify import verify_pdf

DIGEST_ALGORITHM = "sha256"
# Room for the CMS, in hex digits: 16 KiB of DER holds a signer's chain of four certificates
# with its revocation data and a timestamp token.
RESERVED = 32768


class BadSignature(DomainError):
    """The returned CMS cannot be embedded: unreadable, over another digest, by another key."""

    status = 422


@dataclass(frozen=True)
class Prepared:
    """A document up to its signature placeholder, and what the signer must sign."""

    pdf: bytes
    digest: bytes
    region_start: int
    region_end: int
    digest_algorithm: str = DIGEST_ALGORITHM


def load_certificate(der: bytes) -> x509.Certificate:
    try:
        cert = x509.Certificate.load(der)
        cert.native  # noqa: B018 — parse it all now, not halfway through signing
    except (ValueError, TypeError) as exc:
        raise BadSignature(
            "certificate_unreadable", N_("The signer's certificate cannot be read.")
        ) from exc
    return cert


def prepare(
    data: bytes,
    signatory: Signatory,
    *,
    certificate: x509.Certificate | None = None,
    now: datetime | None = None,
) -> Prepared:
    """``data`` with the signatory's field and stamp and an empty signature, and its digest."""
    writer = with_field(data, signatory)
    style, params = stamp(signatory, now or datetime.now(LOCAL_TZ))
    meta = signers.PdfSignatureMetadata(
        field_name=signatory.field,
        name=signatory.name,
        reason=signatory.reason,
        location=signatory.location,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    placeholder = signers.ExternalSigner(
        signing_cert=certificate, cert_registry=SimpleCertificateStore(), signature_value=256
    )
    pdf_signer = signers.PdfSigner(meta, signer=placeholder, stamp_style=style)
    try:
        prepared, _, output = asyncio.run(
            pdf_signer.async_digest_doc_for_signing(
                writer, bytes_reserved=RESERVED, appearance_text_params=params
            )
        )
    except PdfError as exc:
        raise UnsignablePdf(str(exc)) from exc
    output.seek(0)
    return Prepared(
        pdf=output.read(),
        digest=prepared.document_digest,
        region_start=prepared.reserved_region_start,
        region_end=prepared.reserved_region_end,
    )


def _signer_cert(signed: cms.SignedData, info: cms.SignerInfo) -> x509.Certificate | None:
    sid = info["sid"]
    for choice in signed["certificates"] or []:
        if choice.name != "certificate":
            continue
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if (
                cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native
            ):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def check_cms(
    der: bytes, digest: bytes, certificate: x509.Certificate | None = None
) -> x509.Certificate:
    """The signer's certificate of a CMS SignedData over ``digest``; ``BadSignature`` otherwise.

    The signature value itself is checked once embedded (``council.signing.verify``)."""
    try:
        info_ci = cms.ContentInfo.load(der)
        if info_ci["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed = info_ci["content"]
        infos = list(signed["signer_infos"])
        if len(infos) != 1:
            raise ValueError("one signer expected")
        info = infos[0]
        attrs = {a["type"].native: a["values"][0].native for a in info["signed_attrs"]}
        cert = _signer_cert(signed, info)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise BadSignature(
            "cms_unreadable",
            N_("The signature returned by the signing client is not a readable CMS signature."),
        ) from exc
    if not hmac.compare_digest(attrs.get("message_digest") or b"", digest):
        raise BadSignature(
            "cms_wrong_digest",
            N_("The signature is over another document: prepare the signing again."),
        )
    if cert is None:
        raise BadSignature(
            "cms_no_certificate", N_("The signature does not carry the signer's certificate.")
        )
    if certificate is not None and cert.dump() != certificate.dump():
        raise BadSignature(
            "cms_wrong_signer",
            N_("The signature was made with another certificate than the one announced."),
        )
    return cert


def embed(prepared: Prepared, der: bytes) -> bytes:
    """The prepared document with the CMS ``der`` in its placeholder."""
    if len(der) * 2 > prepared.region_end - prepared.region_start - 2:
        raise BadSignature("cms_too_large", N_("The signature is too large for this document."))
    output = BytesIO(prepared.pdf)
    PreparedByteRangeDigest(
        prepared.digest, prepared.region_start, prepared.region_end
    ).fill_with_cms(output, der)
    return output.getvalue()


def fingerprint(cert: x509.Certificate) -> str:
    """The SHA-256 of the certificate's DER, in hex: what registers it to a signer."""
    return hashlib.sha256(cert.dump()).hexdigest()


class NotRegistered(DomainError):
    """The CMS is signed with a certificate that is not registered to the signing user."""

    status = 403

    def __init__(self, cert: x509.Certificate) -> None:
        # What tells the certificate apart, for the signer and the administrator who registers
        # it: its fingerprint (what registration matches), serial number and issuer. Not its
        # subject: the holder's name, organisation and the rest are not the signer's to read.
        super().__init__(
            "certificate_not_registered",
            N_(
                "This signature was made with a certificate that is not registered to your "
                "account. Ask an administrator to register your signing certificate first."
            ),
            fingerprint=fingerprint(cert),
            serial=format(cert.serial_number, "x"),
            issuer=str(cert.issuer.native.get("common_name") or ""),
        )


@dataclass(frozen=True)
class Finished:
    """A worker's answer: the signed file and the verifier's report of it (plain data)."""

    pdf: bytes
    signer: str | None
    report: dict[str, Any]


def finish(
    prepared: Prepared,
    field_name: str,
    cms_der: bytes,
    announced_der: bytes | None,
    registered: frozenset[str] | None,
    roots_dir: str | None,
    fetch_timeout: float,
) -> Finished:
    """A worker job: check the CMS, embed it, validate the result. ``registered``: the SHA-256
    fingerprints of the certificates registered to the signer (``None``: not checked). Nothing
    is fetched before the certificate is known to be the signer's and trust roots are set."""
    announced = load_certificate(announced_der) if announced_der else None
    cert = check_cms(cms_der, prepared.digest, announced)
    if registered is not None and fingerprint(cert) not in registered:
        raise NotRegistered(cert)
    roots = load_trust_roots(roots_dir)
    # Without trust roots any self-made certificate would pass as the chair's: refused.
    if not roots:
        raise CertificateRefused("no trust roots are configured (SIGNING_TRUST_ROOTS)")
    signed = embed(prepared, cms_der)
    report = verify_pdf(signed, roots, fetch_timeout=fetch_timeout, only_field=field_name)
    mine = next((s for s in report.signatures if s.field == field_name), None)
    if mine is None or not mine.intact:
        raise BadSignature(
            "signature_invalid",
            N_("The signature does not match the document or the signer's certificate."),
        )
    if not mine.trusted or mine.revoked:
        raise CertificateRefused(mine.problem or ("revoked" if mine.revoked else "untrusted"))
    return Finished(signed, mine.signer, report.as_dict())
