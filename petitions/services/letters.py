"""The official reply letter (PDF) an answer comes with (petition.letter): attached with the
answer on the staff page, or afterwards through the API, kept by ``council.storage``. Its
petitioner downloads it only once the secretariat publishes it with the answer
(``Attachment.published_at``, set by petition.publish); a wrong one is removed
(petition.letter_remove)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from tortoise.transactions import in_transaction

from council import audit, storage, uploads
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import User
from petitions.models import Attachment, Petition, PetitionEvent
from petitions.services.scope import check_action, get_by_code
from petitions.workflow import Action

MAX_LETTER_BYTES = 10 * 1024 * 1024
ANSWERED = frozenset({"answered", "published", "closed"})


async def store_letter(upload: UploadFile) -> uploads.StoredFile:
    """A PDF of at most 10 MB, its type sniffed from its content."""
    return await uploads.store_upload(upload, allowed={uploads.PDF}, max_bytes=MAX_LETTER_BYTES)


async def attach_letter(actor: User, code: str, upload: UploadFile | None) -> Attachment:
    """petition.letter: add the reply letter to the petition's answer (whoever may answer it)."""
    if upload is None or not upload.filename:
        raise Invalid(fields={"file": str(N_("This field is required."))})
    p = await get_by_code(code)
    check_action(actor, p, Action.ANSWER)
    if p.status not in ANSWERED or not p.answer:
        raise Conflict("no_answer", N_("A reply letter goes with an answer: answer first."))
    stored = await store_letter(upload)
    try:
        async with in_transaction():
            p = await Petition.select_for_update().get(id=p.id)
            a = await Attachment.create(
                petition_id=p.id,
                kind="reply",
                path=stored.path,
                mime=stored.mime,
                size=stored.size,
                sha256=stored.sha256,
                original_name=stored.original_name,
                added_by_agency_id=actor.agency_id if actor.role == "agency" else None,
            )
            await PetitionEvent.create(
                petition_id=p.id,
                action="letter",
                from_status=p.status,
                to_status=p.status,
                actor_id=actor.id,
                actor_label=actor.full_name or actor.username,
                details={"letter": stored.original_name},
            )
            await audit.record(
                "petition.letter",
                actor=actor,
                target_type="petition",
                target_id=p.code,
                council_id=p.handler_id,
                details={"file": stored.original_name, "sha256": stored.sha256},
            )
    except BaseException:
        await storage.discard([stored])
        raise
    return a


def may_remove(user: User, p: Petition, letter: Attachment) -> bool:
    """petition.letter_remove's finer rule: the secretariat of the council handling the petition
    (and admin), whenever; the agency whose officer attached it, while it is not yet published."""
    if user.role == "admin":
        return True
    if user.role == "secretariat":
        return user.council_id == p.handler_id
    return (
        user.role == "agency"
        and letter.published_at is None
        and letter.added_by_agency_id is not None
        and letter.added_by_agency_id == user.agency_id
    )


async def remove_letter(actor: User, code: str, letter_id: int, reason: str) -> Petition:
    """petition.letter_remove: take a reply letter off the petition (attached to the wrong
    petition, the wrong file), saying why: its petitioner no longer downloads it, staff no longer
    see it, and its file goes once no other row names it. Recorded in the staff history (with the
    reason) and the audit (the file's name and hash, whether it had been published, the reason)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise Invalid(
            fields={"reason": str(N_("Say why the letter is removed (up to 2000 characters)."))}
        )
    p = await get_by_code(code)
    async with in_transaction():
        p = await Petition.select_for_update().get(id=p.id)
        a = await Attachment.get_or_none(id=letter_id, petition_id=p.id, kind="reply")
        if a is None:
            raise NotFound(N_("No reply letter here."))
        if not may_remove(actor, p, a):
            raise Forbidden(
                N_(
                    "Only the secretariat handling this petition, or the agency that attached "
                    "the letter before it is published, may remove it."
                )
            )
        published = a.published_at is not None
        await a.delete()
        await PetitionEvent.create(
            petition_id=p.id,
            action="letter_remove",
            from_status=p.status,
            to_status=p.status,
            actor_id=actor.id,
            actor_label=actor.full_name or actor.username,
            internal_note=reason,
            details={"letter": a.original_name, "published": published},
        )
        await audit.record(
            "petition.letter_remove",
            actor=actor,
            target_type="petition",
            target_id=p.code,
            council_id=p.handler_id,
            details={
                "file": a.original_name,
                "sha256": a.sha256,
                "published": published,
                "reason": reason,
            },
        )
    await storage.release(a.path)
    return p
