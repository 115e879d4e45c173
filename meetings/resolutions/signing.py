"""The chair signs a resolution: with the server's key (an organisation's PKCS#12 file, or a
PKCS#11 token and its PIN), or remotely through pyHanko's interrupted signing (the server
prepares the PDF and its digest, the chair's own client returns the CMS signature)."""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.transactions import in_transaction

from council import audit, storage, uploads
from council.errors import Conflict, Forbidden
from council.i18n import N_
from council.models import Council, User
from council.officialdoc import render_pdf
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
from meetings.minutes.stamp_place import stamp_box
from meetings.models import Notice, Session
from meetings.resolutions.document import ResolutionText, resolution_document
from meetings.resolutions.models import Resolution
from meetings.resolutions.services import SIGN_NOTICE, fingerprint, get_resolution, number_label
from meetings.services.common import now

FIELD = "Chair"
TITLE = "Chủ tịch HĐND"
TARGET = "resolution"


async def _text(resolution: Resolution, signer_name: str) -> ResolutionText:
    council = await Council.get(id=resolution.council_id)
    session = await Session.get(id=resolution.session_id)
    return ResolutionText(
        council_name=council.name,
        session_title=session.title,
        number=resolution.number,
        title=resolution.title,
        text=resolution.text,
        vote_line=resolution.vote_line,
        passed_at=resolution.passed_at,
        signer_name=signer_name,
    )


async def chair_name(council_id: int) -> str:
    chair = await User.filter(council_id=council_id, role="chair", is_active=True).first()
    return chair.full_name if chair else ""


async def render(resolution: Resolution, signer_name: str | None = None) -> bytes:
    """The resolution as PDF, unsigned (the draft, or the file the chair's signature goes on)."""
    name = signer_name if signer_name is not None else await chair_name(resolution.council_id)
    document = resolution_document(await _text(resolution, name))
    return await asyncio.to_thread(render_pdf, document)


async def resolution_pdf(resolution: Resolution) -> tuple[bytes, bool]:
    """The signed file once there is one, else the draft; and whether it is signed."""
    if resolution.signed_path:
        return await storage.read_bytes(resolution.signed_path), True
    return await render(resolution), False


def _chair_of(user: User, resolution: Resolution) -> None:
    if user.role != "chair" or user.council_id != resolution.council_id:
        raise Forbidden(N_("Only the chair of this council signs its resolutions."))


def _signable(resolution: Resolution) -> None:
    if resolution.status != "draft":
        raise Conflict("resolution_signed", N_("This resolution is already signed."))


def signatory(
    user: User, resolution: Resolution, box: tuple[int, int, int, int] | None = None
) -> Signatory:
    """The chair's stamp, in the signature block over the printed name when it is found."""
    return Signatory(
        FIELD,
        user.full_name or user.username,
        TITLE,
        "right",
        reason=f"Ký ban hành Nghị quyết số {number_label(resolution)}",
        box=box,
    )


async def _for_chair(user: User, resolution: Resolution) -> tuple[bytes, Signatory]:
    """The unsigned PDF with the chair's name printed, and where the chair's stamp goes."""
    name = user.full_name or user.username
    data = await render(resolution, name)
    box = await asyncio.to_thread(stamp_box, data, name)
    return data, signatory(user, resolution, box)


def _unchanged(current: Resolution, rendered: str | None) -> None:
    """The row still says what the signed PDF says (an edit during the signing is refused)."""
    if rendered is not None and fingerprint(current) != rendered:
        raise Conflict(
            "resolution_changed",
            N_("The resolution was changed while it was being signed; sign it again."),
        )


async def _store_signed(
    user: User,
    resolution: Resolution,
    signed: bytes,
    how: str,
    remote: SigningSession | None = None,
    rendered: str | None = None,
) -> Resolution:
    stored = await uploads.store_bytes(
        signed,
        original_name=f"nghi-quyet-{resolution.number}-{resolution.year}.pdf",
        mime="application/pdf",
    )
    try:
        async with in_transaction():
            resolution = await Resolution.select_for_update().get(id=resolution.id)
            _signable(resolution)
            _unchanged(resolution, rendered)
            if remote is not None:
                await consume(remote)
            resolution.status = "signed"
            resolution.signed_at = now()
            resolution.signed_by_id = user.id
            resolution.signer_name = user.full_name or user.username
            resolution.signed_path = stored.path
            resolution.signed_sha256 = stored.sha256
            await resolution.save(
                update_fields=[
                    "status",
                    "signed_at",
                    "signed_by_id",
                    "signer_name",
                    "signed_path",
                    "signed_sha256",
                ]
            )
            await audit.record(
                "resolution.sign",
                actor=user,
                target_type="resolution",
                target_id=resolution.id,
                council_id=resolution.council_id,
                details={"number": number_label(resolution), "sha256": stored.sha256, "how": how},
            )
            if not await Resolution.filter(
                session_id=resolution.session_id, status="draft"
            ).exists():
                await Notice.filter(
                    session_id=resolution.session_id, kind=SIGN_NOTICE, read_at=None
                ).update(read_at=now())
    except BaseException:
        await storage.discard([stored])
        raise
    return resolution


async def resolution_sign(
    user: User, resolution_id: int, settings: Settings, pin: str | None = None
) -> Resolution:
    """resolution.sign: the chair signs with the server's key (a token asks for the PIN)."""
    resolution = await get_resolution(resolution_id)
    _chair_of(user, resolution)
    _signable(resolution)
    config = SigningConfig.for_signer(settings, user.username)
    rendered = fingerprint(resolution)
    data, who = await _for_chair(user, resolution)
    signed = await asyncio.to_thread(sign_pdf, data, who, config, pin=pin)
    how = "token" if config.uses_token else "p12"
    return await _store_signed(user, resolution, signed, how, rendered=rendered)


async def resolution_sign_prepare(
    user: User, resolution_id: int, certificate: str | None = None
) -> dict[str, Any]:
    """resolution.sign_prepare: the PDF with the chair's field and stamp, and the digest the
    chair's client signs; ``certificate`` (base64 DER), when given, must be the one that signs."""
    resolution = await get_resolution(resolution_id)
    _chair_of(user, resolution)
    _signable(resolution)
    cert = from_b64(certificate, "certificate") if certificate else None
    rendered = fingerprint(resolution)
    data, who = await _for_chair(user, resolution)
    session = await open_session(user.id, TARGET, resolution.id, data, who, certificate_der=cert)
    # An edit that landed while the PDF was drawn: the session would sign the old words. Edits
    # are refused from here on while the session is open (resolution.update checks).
    async with in_transaction():
        current = await Resolution.select_for_update().get(id=resolution.id)
        if fingerprint(current) != rendered:
            await SigningSession.filter(id=session.id).delete()
            _unchanged(current, rendered)
    return prepared_answer(session)


async def resolution_sign_complete(
    user: User, resolution_id: int, session_id: str, cms: str, settings: Settings
) -> Resolution:
    """resolution.sign_complete: embed the chair's CMS signature, check it, keep the file."""
    resolution = await get_resolution(resolution_id)
    _chair_of(user, resolution)
    _signable(resolution)
    der = from_b64(cms, "cms")
    session = await load_session(user.id, session_id, TARGET, resolution.id)
    done = await complete_session(session, der, settings)
    return await _store_signed(user, resolution, done.pdf, "remote", session)
