"""Remote signing sessions: the state kept between "prepare" and "complete" (see
``council.signing.remote``), for any domain's document: a resolution, a version of minutes.

A domain calls :func:`open_session` with the PDF and the signatory (``prepare`` route), then
:func:`complete_session` with the CMS its signer returned (``complete`` route) and stores the
signed file; inside its own transaction it calls :func:`consume`, so that a session signs once.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from council.errors import Conflict, DomainError, Invalid
from council.i18n import N_
from council.settings import Settings
from council.signing import remote
from council.signing.config import SigningConfig
from council.signing.models import SigningSession
from council.signing.pades import CertificateRefused, Signatory
from council.signing.verify import Report, verify_pdf

SESSION_TTL = timedelta(minutes=15)
KEEP_USED = timedelta(days=1)
MAX_OPEN = 5  # open sessions per signer; preparing a sixth drops the oldest


@dataclass(frozen=True)
class Completed:
    """A signed document and what the verifier says of its new signature."""

    pdf: bytes
    signer: str | None
    report: Report


def _now() -> datetime:
    return datetime.now(UTC)


async def open_session(
    user_id: int,
    target_type: str,
    target_id: int,
    data: bytes,
    signatory: Signatory,
    *,
    certificate_der: bytes | None = None,
) -> SigningSession:
    """Prepare ``data`` for the signatory's signature; the session says what to sign."""
    cert = remote.load_certificate(certificate_der) if certificate_der else None
    prepared = await asyncio.to_thread(remote.prepare, data, signatory, certificate=cert)
    at = _now()
    # Each session holds a whole PDF: the ones past their day go (a used one is kept that long,
    # so that a second completion is still told it was used), and one signer holds a few at most.
    await SigningSession.filter(expires_at__lt=at - KEEP_USED).delete()
    mine = SigningSession.filter(user_id=user_id, completed_at=None, expires_at__gt=at)
    ids = await mine.order_by("-created_at").values_list("id", flat=True)
    if len(ids) >= MAX_OPEN:
        await SigningSession.filter(id__in=list(ids[MAX_OPEN - 1 :])).delete()
    return await SigningSession.create(
        user_id=user_id,
        target_type=target_type,
        target_id=target_id,
        field_name=signatory.field,
        prepared=prepared.pdf,
        digest=prepared.digest.hex(),
        digest_algorithm=prepared.digest_algorithm,
        region_start=prepared.region_start,
        region_end=prepared.region_end,
        certificate=certificate_der,
        created_at=at,
        expires_at=at + SESSION_TTL,
    )


def parse_session_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Invalid(
            fields={"session_id": str(N_("This signing session does not exist."))}
        ) from None


async def load_session(
    user_id: int, session_id: str, target_type: str, target_id: int
) -> SigningSession:
    """The caller's open session for this target; used, expired or another's: refused."""
    found = await SigningSession.get_or_none(id=parse_session_id(session_id))
    if (
        found is None
        or found.user_id != user_id
        or (found.target_type, found.target_id) != (target_type, target_id)
    ):
        raise DomainError(
            "signing_session_unknown", N_("This signing session does not exist."), status=404
        )
    if found.completed_at is not None:
        raise Conflict("signing_session_used", N_("This signing session was already completed."))
    if found.expires_at <= _now():
        raise Conflict(
            "signing_session_expired",
            N_("This signing session has expired: prepare the signing again."),
        )
    return found


def _finish(session: SigningSession, cms_der: bytes, config: SigningConfig) -> Completed:
    prepared = remote.Prepared(
        pdf=bytes(session.prepared),
        digest=bytes.fromhex(session.digest),
        region_start=session.region_start,
        region_end=session.region_end,
        digest_algorithm=session.digest_algorithm,
    )
    announced = remote.load_certificate(session.certificate) if session.certificate else None
    remote.check_cms(cms_der, prepared.digest, announced)
    signed = remote.embed(prepared, cms_der)
    roots = config.roots()
    report = verify_pdf(signed, roots)
    mine = next((s for s in report.signatures if s.field == session.field_name), None)
    if mine is None or not mine.intact:
        raise remote.BadSignature(
            "signature_invalid",
            N_("The signature does not match the document or the signer's certificate."),
        )
    # Without trust roots any self-made certificate would pass as the chair's: refused.
    if not roots:
        raise CertificateRefused("no trust roots are configured (SIGNING_TRUST_ROOTS)")
    if not mine.trusted or mine.revoked:
        raise CertificateRefused(mine.problem or ("revoked" if mine.revoked else "untrusted"))
    return Completed(signed, mine.signer, report)


async def complete_session(
    session: SigningSession, cms_der: bytes, settings: Settings
) -> Completed:
    """Embed the signer's CMS and check it: over this digest, intact, and (when trust roots are
    configured; refused without them) by a trusted, unrevoked certificate. Blocking parts run
    in a thread."""
    config = SigningConfig.from_settings(settings)
    return await asyncio.to_thread(_finish, session, cms_der, config)


async def consume(session: SigningSession) -> None:
    """Inside the caller's transaction: the session is used; a second completion is refused."""
    done = await SigningSession.filter(id=session.id, completed_at=None).update(completed_at=_now())
    if not done:
        raise Conflict("signing_session_used", N_("This signing session was already completed."))
