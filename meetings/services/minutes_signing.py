"""minutes.sign*: the secretary signs the approved minutes, then the chair (PAdES, each an
incremental update of the version's file, which is then immutable).

Either with the server's key (``minutes.sign``: an organisation's PKCS#12 file, or a PKCS#11 token
whose PIN is used once and forgotten), or remotely (``minutes.sign_prepare`` → the signer's own
client signs the digest → ``minutes.sign_complete``) through ``council.signing.sessions``, as
resolutions do. Both end in :func:`_store_signature`: the same state change, audit entry
(``minutes.sign`` with ``signed_as`` and ``how``) and notices.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.transactions import in_transaction

from council import storage, uploads
from council.errors import Conflict
from council.i18n import N_
from council.models import User
from council.settings import Settings
from council.signing import Signatory, SigningConfig, sign_pdf
from council.signing.models import SigningSession
from council.signing.sessions import (
    complete_session,
    consume,
    from_b64,
    load_session,
    open_session,
    prepared_answer,
)
from council.signing.source import NoSigningKey
from meetings.minutes.stamp_place import stamp_box
from meetings.minutes_models import MinutesVersion
from meetings.models import Session
from meetings.services.common import now
from meetings.services.minutes_flow import (
    check_step,
    closed_session,
    numbered,
    readable,
    record_step,
)
from meetings.services.minutes_notices import tell

# Who signs, as the stamp and the PDF's signature fields name them (Nghị định 30/2020: the chair,
# signer of the body, on the right; the secretary on the left).
SECRETARY_TITLE = "Thư ký kỳ họp"
CHAIR_TITLE = "Chủ tọa kỳ họp"
TARGET = "minutes"  # a remote signing session's target: ("minutes", the version's id)


def signatory_for(
    user: User, as_chair: bool, session: Session, box: tuple[int, int, int, int] | None = None
) -> Signatory:
    name = user.full_name or user.username
    reason = f"Ký biên bản: {session.title}"[:200]
    if as_chair:
        return Signatory("ChuToa", name, CHAIR_TITLE, "right", reason=reason, box=box)
    return Signatory("ThuKy", name, SECRETARY_TITLE, "left", reason=reason, box=box)


async def _signing(
    user: User, session_id: int, version_number: int | None
) -> tuple[Session, MinutesVersion, bool]:
    """The sitting, the version this user signs now, and whether as the chair (the secretary
    signs the approved version first, then the chair; the council's own, the sitting closed)."""
    session = await closed_session(user, session_id)
    version = await numbered(session, version_number)
    check_step(user, session, version, "minutes.sign")
    return session, version, version.status == "signing"


async def _file_and_signatory(
    user: User, session: Session, version: MinutesVersion, as_chair: bool
) -> tuple[bytes, Signatory]:
    """The version's file, and the signer's stamp over their printed name when it is found."""
    data = await storage.read_bytes(version.path)
    await readable(data)
    box = await asyncio.to_thread(stamp_box, data, user.full_name or user.username)
    return data, signatory_for(user, as_chair, session, box)


async def _store_signature(
    user: User,
    session: Session,
    version: MinutesVersion,
    signed: bytes,
    how: str,
    remote: SigningSession | None = None,
) -> MinutesVersion:
    """The signed file becomes the version's; the next signer or the secretariat is told."""
    as_chair = version.status == "signing"
    stored = await uploads.store_bytes(
        signed,
        original_name=f"bien-ban-ky-hop-{session.id}-v{version.number}.pdf",
        mime=uploads.PDF,
    )
    who = "chair_signed" if as_chair else "secretary_signed"
    previous = version.path
    try:
        async with in_transaction():
            if remote is not None:
                await consume(remote)
            changed = await MinutesVersion.filter(
                id=version.id, status=version.status, path=version.path
            ).update(
                status="signed" if as_chair else "signing", path=stored.path,
                sha256=stored.sha256, size=stored.size, **{f"{who}_by_id": user.id, f"{who}_at": now()},
            )  # fmt: skip
            if not changed:
                raise Conflict(
                    "minutes_state", N_("The minutes changed meanwhile: reload the page.")
                )
            version = await MinutesVersion.get(id=version.id)
            await record_step(
                "minutes.sign", user, session, version,
                signed_as="chair" if as_chair else "secretary", how=how,
            )  # fmt: skip
            await tell(
                session, version, "minutes.publish" if as_chair else "minutes.sign", exclude=user.id
            )
    except BaseException:
        await storage.discard(stored)
        raise
    # the file before this signature lives on inside the signed one (its first revisions)
    await storage.release(previous)
    return version


async def minutes_sign(
    user: User,
    session_id: int,
    version_number: int | None = None,
    *,
    pin: str | None = None,
    settings: Settings,
    config: SigningConfig | None = None,
) -> MinutesVersion:
    """minutes.sign: the secretary signs the approved version, then the chair, with the server's
    key. ``pin`` unlocks the signer's token for this signing only; ``config`` overrides the key
    (the demo's development signers)."""
    session, version, as_chair = await _signing(user, session_id, version_number)
    key = config or SigningConfig.for_signer(settings, user.username)
    if not key.can_sign:
        raise NoSigningKey()
    data, who = await _file_and_signatory(user, session, version, as_chair)
    signed = await asyncio.to_thread(sign_pdf, data, who, key, pin=pin or None)
    how = "token" if key.uses_token else "p12"
    return await _store_signature(user, session, version, signed, how)


async def minutes_sign_prepare(
    user: User, session_id: int, version_number: int | None = None, certificate: str | None = None
) -> dict[str, Any]:
    """minutes.sign_prepare: the version's file with this signer's field and stamp, and the digest
    the signer's client signs; ``certificate`` (base64 DER), when given, must be the one that
    signs and registered to the signer."""
    session, version, as_chair = await _signing(user, session_id, version_number)
    cert = from_b64(certificate, "certificate") if certificate else None
    data, who = await _file_and_signatory(user, session, version, as_chair)
    prepared = await open_session(user.id, TARGET, version.id, data, who, certificate_der=cert)
    return prepared_answer(prepared)


async def minutes_sign_complete(
    user: User,
    session_id: int,
    version_number: int | None,
    signing_session: str,
    cms: str,
    settings: Settings,
) -> MinutesVersion:
    """minutes.sign_complete: embed the signer's CMS signature, check it (over this digest, by a
    trusted certificate registered to the signer; in a worker process), keep the file."""
    session, version, _ = await _signing(user, session_id, version_number)
    der = from_b64(cms, "cms")
    # The session was prepared on this version's file as it is now: the file changes only with a
    # signature, which moves the step on (another signer's turn: refused above), and one landing
    # from here on fails the store's check of the status and path.
    remote = await load_session(user.id, signing_session, TARGET, version.id)
    done = await complete_session(remote, der, settings)
    return await _store_signature(user, session, version, done.pdf, "remote", remote)
