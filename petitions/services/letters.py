"""The official reply letter (PDF) an answer comes with (petition.letter): attached with the
answer on the staff page, or afterwards through the API, kept by ``council.storage``."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from tortoise.transactions import in_transaction

from council import audit, storage, uploads
from council.errors import Conflict, Invalid
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
