"""Remote and client-side signing through pyHanko's interrupted signing.

The server prepares the document (the signer's field, the visible stamp and a placeholder for the
signature) and computes the digest of its byte ranges (:func:`prepare`); the signer's own
client (a USB token on the signer's computer, or a remote signing service) signs that digest and
returns a CMS SignedData; the server checks it and embeds it in the placeholder (:func:`embed`).
``council.signing.sessions`` keeps the prepared state between the two requests. Blocking: call
these from a thread.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import cms, x509
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko_certvalidator.registry import SimpleCertificateStore

from council.errors import DomainError
from council.i18n import N_
from council.signing.pades import LOCAL_TZ, Signatory, stamp, with_field

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
    prepared, _, output = asyncio.run(
        pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=RESERVED, appearance_text_params=params
        )
    )
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
