"""Signers' certificates, registered to their accounts: whose key a remote signature may use.

A remote (client-side) signature is made on the signer's own computer or by a remote signing
service: the server sees only a CMS and the certificate in it. Chaining to a trusted authority
says the certificate is genuine, not that it is this user's: any official holding a certificate
from the same authority could complete the chair's session. So, as a council's office keeps the
list of its officials' signing certificates, an administrator registers each signer's
certificate to their account (``signing.certificate_register``) after receiving it from the
signer; a remote signature is accepted only from a certificate registered to the user who
completes it (``council.signing.sessions``). A renewed certificate is registered again; one that
is lost or replaced is removed (``signing.certificate_remove``). Each step is audited.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from datetime import UTC, datetime
from typing import Any

from asn1crypto import pem, x509
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid, NotFound
from council.i18n import N_
from council.models import User
from council.signing.models import SigningCertificate

MAX_CERTIFICATE_BYTES = 64 << 10


def parse_certificate(text: str | bytes) -> x509.Certificate:
    """One certificate from PEM text, base64 DER or DER; ``Invalid`` otherwise."""
    raw = text.encode() if isinstance(text, str) else bytes(text)
    bad = Invalid(fields={"certificate": str(N_("This is not a readable certificate."))})
    if not raw.strip() or len(raw) > MAX_CERTIFICATE_BYTES:
        raise bad
    try:
        if pem.detect(raw):
            _, _, der = pem.unarmor(raw.strip())
        elif raw[:1] == b"\x30":
            der = raw
        else:
            der = base64.b64decode(b"".join(raw.split()), validate=True)
        cert = x509.Certificate.load(der)
        cert.native  # noqa: B018 — parse it all now
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise bad from exc
    return cert


def _name(name: x509.Name) -> str:
    return str(name.human_friendly)[:500]


def certificate_dict(row: SigningCertificate) -> dict[str, Any]:
    return {
        "id": row.id,
        "sha256": row.sha256,
        "subject": row.subject,
        "common_name": row.common_name,
        "issuer": row.issuer,
        "serial": row.serial,
        "not_after": row.not_after.isoformat(),
        "registered_at": row.registered_at.isoformat(),
    }


async def registered_fingerprints(user_id: int) -> frozenset[str]:
    """The SHA-256 fingerprints of the certificates registered to the user."""
    rows = await SigningCertificate.filter(user_id=user_id).values_list("sha256", flat=True)
    return frozenset(str(r) for r in rows)


async def certificates_of(user: User) -> list[SigningCertificate]:
    """signing.certificate_list: the certificates registered to ``user``."""
    return list(await SigningCertificate.filter(user_id=user.id).order_by("id"))


async def certificate_register(
    actor: User | None, user: User, certificate: str | bytes
) -> SigningCertificate:
    """signing.certificate_register: ``certificate`` (PEM or base64 DER) is ``user``'s.
    ``actor`` None: the demo loader (``council demo``), audited without an actor."""
    cert = parse_certificate(certificate)
    der = cert.dump()
    sha256 = hashlib.sha256(der).hexdigest()
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    if not_after <= datetime.now(UTC):
        raise Invalid(fields={"certificate": str(N_("This certificate has expired."))})
    try:
        async with in_transaction():
            holder = await SigningCertificate.get_or_none(sha256=sha256)
            if holder is not None:
                raise Conflict(
                    "certificate_already_registered",
                    N_("This certificate is already registered to an account."),
                )
            row = await SigningCertificate.create(
                user_id=user.id,
                sha256=sha256,
                subject=_name(cert.subject),
                issuer=_name(cert.issuer),
                serial=format(cert.serial_number, "x"),
                not_after=not_after,
                der=der,
                registered_by_id=actor.id if actor is not None else None,
                registered_at=datetime.now(UTC),
            )
            await audit.record(
                "signing.certificate_register",
                actor=actor,
                target_type="user",
                target_id=user.id,
                council_id=user.council_id,
                # Never the subject: a personal certificate's carries the citizen's ID number
                # (UID=CCCD:…), and the audit chain is kept for good. The holder is the target.
                details={"sha256": sha256, "serial": row.serial, "issuer": row.issuer},
            )
    except IntegrityError:
        raise Conflict(
            "certificate_already_registered",
            N_("This certificate is already registered to an account."),
        ) from None
    return row


async def certificate_remove(actor: User, user: User, certificate_id: int) -> None:
    """signing.certificate_remove: the certificate no longer signs for ``user``."""
    async with in_transaction():
        row = await SigningCertificate.get_or_none(id=certificate_id, user_id=user.id)
        if row is None:
            raise NotFound(N_("No such certificate."))
        await row.delete()
        await audit.record(
            "signing.certificate_remove",
            actor=actor,
            target_type="user",
            target_id=user.id,
            council_id=user.council_id,
            details={"sha256": row.sha256, "serial": row.serial, "issuer": row.issuer},
        )


async def register_p12(user: User, path: str, password: str) -> None:
    """The demo loader registers the certificate of ``user``'s own PKCS#12 file (the development
    CA's), once."""
    from pathlib import Path

    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    if not path:
        return
    data = await asyncio.to_thread(Path(path).read_bytes)
    _, cert, _ = pkcs12.load_key_and_certificates(data, password.encode())
    if cert is None:
        return
    der = cert.public_bytes(Encoding.DER)
    if not await SigningCertificate.exists(sha256=hashlib.sha256(der).hexdigest()):
        await certificate_register(None, user, der)
