"""Remote signing sessions: the state kept between "prepare" and "complete" (see
``council.signing.remote``), for any domain's document: a resolution, a version of minutes.

A domain calls :func:`open_session` with the PDF and the signatory (``prepare`` route) and answers
with :func:`prepared_answer`, then :func:`complete_session` with the CMS its signer returned
(``complete`` route, decoded by :func:`from_b64`) and stores the signed file; inside its own
transaction it calls :func:`consume`, so that a session signs once. The routes' bodies are
``council.signing.schemas.SignPrepareIn`` / ``SignCompleteIn``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from council import workers
from council.errors import Conflict, DomainError, Invalid
from council.i18n import N_
from council.settings import Settings
from council.signing import remote
from council.signing.certificates import registered_fingerprints
from council.signing.config import trust_roots_dir
from council.signing.models import SigningSession
from council.signing.pades import Signatory
from council.workers import Limits, WorkerCrashed, WorkerLimit

# the worker that checks a returned signature imports pyHanko once, before its first job
workers.preload("council.signing.remote")

SESSION_TTL = timedelta(minutes=15)
KEEP_USED = timedelta(days=1)
MAX_OPEN = 5  # open sessions per signer; preparing a sixth drops the oldest


@dataclass(frozen=True)
class Completed:
    """A signed document and what the verifier says of its new signature."""

    pdf: bytes
    signer: str | None
    report: dict[str, Any]  # ``Report.as_dict()``


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
    if cert is not None and remote.fingerprint(cert) not in await registered_fingerprints(user_id):
        raise remote.NotRegistered(cert)
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


def from_b64(value: str, field: str) -> bytes:
    """A base64 field of a signing request (the certificate, the CMS); 422 on the field if not."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(fields={field: str(N_("Base64 is expected."))}) from None


def prepared_answer(session: SigningSession) -> dict[str, Any]:
    """What the ``prepare`` route answers (``SignPrepareOut``): the digest the client signs."""
    return {
        "session_id": str(session.id),
        "digest": base64.b64encode(bytes.fromhex(session.digest)).decode(),
        "digest_algorithm": session.digest_algorithm,
        "expires_at": session.expires_at.isoformat(),
    }


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


# Checking a returned signature parses what the signer sent and fetches revocation data from the
# URLs its certificate names: a worker process, with its own memory and time (a certificate whose
# authority never answers costs this much at most; each request gives up after FETCH_TIMEOUT, and
# FETCH_LIMITS' requests all timing out still fit inside the time limit). Its own lane, one check
# at a time per server process: a hanging revocation service makes the next signer wait, never
# the pages' renders and the uploads, which keep the shared worker slots.
CHECK_LIMITS = Limits(memory_mb=768, seconds=40.0, jobs=1, lane="signature-check")
FETCH_TIMEOUT = 5.0


class CheckTimedOut(DomainError):
    """Checking the signature took longer than :data:`CHECK_LIMITS` allows."""

    status = 504

    def __init__(self) -> None:
        super().__init__(
            "signature_check_timeout",
            N_(
                "Checking the signer's certificate took too long: its authority's revocation "
                "service did not answer in time. Try again later, or ask the authority."
            ),
        )


class CheckFailed(DomainError):
    """The worker checking the signature ran out of memory or died on it."""

    status = 422

    def __init__(self) -> None:
        super().__init__(
            "signature_check_failed",
            N_("The returned signature could not be checked: it may be damaged."),
        )


async def complete_session(
    session: SigningSession, cms_der: bytes, settings: Settings
) -> Completed:
    """Embed the signer's CMS and check it: over this digest, by a certificate registered to the
    session's user (``council.signing.certificates``), intact, and by a trusted, unrevoked
    certificate (refused without trust roots). The check runs in a worker process."""
    prepared = remote.Prepared(
        pdf=bytes(session.prepared),
        digest=bytes.fromhex(session.digest),
        region_start=session.region_start,
        region_end=session.region_end,
        digest_algorithm=session.digest_algorithm,
    )
    registered = await registered_fingerprints(session.user_id)
    try:
        done = await workers.run(
            remote.finish,
            prepared,
            session.field_name,
            cms_der,
            bytes(session.certificate) if session.certificate else None,
            registered,
            trust_roots_dir(settings),
            FETCH_TIMEOUT,
            limit=CHECK_LIMITS,
        )
    except WorkerLimit as exc:
        if exc.details.get("limit") == "time":
            raise CheckTimedOut() from None
        raise CheckFailed() from None
    except WorkerCrashed:
        raise CheckFailed() from None
    return Completed(done.pdf, done.signer, done.report)


async def consume(session: SigningSession) -> None:
    """Inside the caller's transaction: the session is used; a second completion is refused."""
    done = await SigningSession.filter(id=session.id, completed_at=None).update(completed_at=_now())
    if not done:
        raise Conflict("signing_session_used", N_("This signing session was already completed."))
