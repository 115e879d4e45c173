"""Staff actions on a petition (``POST /api/v1/petitions/{code}/actions``), one function for all:
petition.accept, .escalate, .assign, .answer, .publish, .reopen, .reject, .merge, .close, .divert,
.resolution, .return. Each checks the status machine and the actor, moves the hops, records
history, audit, notifications and the search update in one transaction; e-mail goes out after
the commit."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.datastructures import UploadFile
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from council import audit, storage, uploads
from council.errors import Conflict, Invalid
from council.i18n import N_, LazyString
from council.models import Agency, Council, User
from council.settings import Settings
from petitions import indexing
from petitions.categories import CODES
from petitions.models import Attachment, Hop, Petition, PetitionEvent
from petitions.schemas import ActionIn
from petitions.services import notify
from petitions.services.cycles import current_cycle, join_cycle
from petitions.services.filing import mail_config, secretariat_ids
from petitions.services.letters import store_letter
from petitions.services.merging import merged_here
from petitions.services.routing import close_hop, current_hop, open_hop
from petitions.services.scope import check_action, get_by_code
from petitions.workflow import (
    TERMINAL,
    Action,
    Position,
    Status,
    next_status,
    validate_resolution,
)

_HOP_KEEPING = {Action.RESOLUTION}


def _need(value: str | None, field: str) -> str:
    if not value:
        raise Invalid(fields={field: str(N_("This field is required."))})
    return value


async def act(
    actor: User, code: str, data: ActionIn, settings: Settings, letter: UploadFile | None = None
) -> Petition:
    """Apply one action to petition ``code`` as ``actor`` and return the petition as it is now.
    ``letter``: the official reply letter (PDF) an answer comes with."""
    action = Action(data.action)
    now = datetime.now(UTC)
    stored = None
    if letter is not None and letter.filename:
        if action != Action.ANSWER:
            raise Invalid(fields={"letter": str(N_("A reply letter goes with an answer."))})
        stored = await store_letter(letter)
    try:
        p, notes = await _act(actor, code, action, data, settings, now, stored)
    except BaseException:
        if stored is not None:
            await storage.discard([stored])
        raise
    notify.deliver_later(notes, mail_config(settings))
    return p


async def _act(
    actor: User,
    code: str,
    action: Action,
    data: ActionIn,
    settings: Settings,
    now: datetime,
    letter: uploads.StoredFile | None,
) -> tuple[Petition, list[notify.Notification]]:
    async with in_transaction():
        p = await get_by_code(code)
        p = await Petition.select_for_update().get(id=p.id)
        check_action(actor, p, action)
        handler = await Council.get(id=p.handler_id)
        old_status = Status(p.status)
        old_owners = await _hop_owners(await current_hop(p))
        pos = Position(
            status=old_status,
            level=p.level,
            has_parent=handler.parent_id is not None,  # type: ignore[attr-defined]
            has_agency=p.agency_id is not None,
            escalated=p.handler_id != p.council_id,
        )
        new_status, new_level = next_status(pos, action)
        public_note, internal_note, details = await _apply(actor, p, action, data, handler, now)
        if letter is not None:
            await Attachment.create(
                petition_id=p.id,
                kind="reply",
                path=letter.path,
                mime=letter.mime,
                size=letter.size,
                sha256=letter.sha256,
                original_name=letter.original_name,
                added_by_agency_id=actor.agency_id if actor.role == "agency" else None,
            )
            details["letter"] = letter.original_name
        p.status, p.level = new_status.value, new_level
        if action not in _HOP_KEEPING:
            await close_hop(p, now, action.value)
            await open_hop(p, now)
        await p.save()
        await PetitionEvent.create(
            petition_id=p.id,
            action=action.value,
            from_status=old_status.value,
            to_status=p.status,
            actor_id=actor.id,
            actor_label=actor.full_name or actor.username,
            public_note=public_note,
            internal_note=internal_note,
            details=details,
        )
        await audit.record(
            f"petition.{action.value}",
            actor=actor,
            target_type="petition",
            target_id=p.code,
            council_id=p.handler_id,
            details={"from": old_status.value, "to": p.status, **details},
        )
        owners = old_owners | await _hop_owners(await current_hop(p))
        notes = await notify.record_change(
            p, action.value, actor=actor, owners=owners, base_url=settings.base_url
        )
        await indexing.petition_changed(p)
        if action == Action.MERGE and p.merged_into_id:
            target = await Petition.get(id=p.merged_into_id)
            await indexing.petition_changed(target)
    return p, notes


async def _apply(
    actor: User, p: Petition, action: Action, data: ActionIn, handler: Council, now: datetime
) -> tuple[str, str, dict[str, object]]:
    """Action-specific changes. Returns (note the petitioner sees, staff-only note, details)."""
    note = data.note or ""
    if data.category and action in (Action.ACCEPT, Action.ESCALATE, Action.ASSIGN):
        if data.category not in CODES:
            raise Invalid(fields={"category": str(N_("Unknown field."))})
        p.category = data.category
    if action == Action.ESCALATE:
        if handler.parent_id is not None:  # type: ignore[attr-defined]
            parent = await Council.get(id=handler.parent_id)  # type: ignore[attr-defined]
            if data.to_council_code and data.to_council_code != parent.code:
                raise Invalid(
                    fields={"to_council_code": str(N_("A commune escalates to its own city."))}
                )
            p.handler_id = parent.id
            p.agency_id = None
            await join_cycle(p, await current_cycle(parent.id))
            return (
                _with_reason(N_("Sent to {council}.").format(council=parent.name), data, p),
                note,
                _reason({"to": parent.code}, data),
            )
        body = _need(data.central_body, "central_body")
        p.central_body = body
        p.agency_id = None
        return (
            _with_reason(N_("Sent to a central agency: {body}.").format(body=body), data, p),
            note,
            _reason({"central_body": body}, data),
        )
    if action == Action.ASSIGN:
        agency = await Agency.get_or_none(
            code=_need(data.agency_code, "agency_code"), is_active=True
        )
        if agency is None or agency.council_id != p.handler_id:  # type: ignore[attr-defined]
            raise Invalid(
                fields={"agency_code": str(N_("Choose an agency of the council handling it."))}
            )
        p.agency_id = agency.id
        return (
            N_("Assigned to {agency}.").format(agency=agency.name).render(p.lang),
            note,
            {"agency": agency.code},
        )
    if action == Action.ANSWER:
        p.answer = _need(data.text, "text")
        p.answered_at = now
        if actor.role == "agency" and p.agency_id:
            p.answered_by = (await Agency.get(id=p.agency_id)).name
        else:
            p.answered_by = p.central_body if p.level == "central" else handler.name
        if data.resolution:
            resolution, when = validate_resolution(data.resolution, data.roadmap_date)
            p.resolution, p.roadmap_date = resolution.value, when
            return "", note, {"resolution": resolution.value}
        return "", note, {}
    if action == Action.PUBLISH:
        if not p.answer:
            raise Conflict("no_answer", N_("There is no answer to publish."))
        p.published_at = now
        # The letters the secretariat publishes with the answer (all not yet published): from
        # now on their petitioner downloads them; one attached later waits for the next review.
        published = await Attachment.filter(
            petition_id=p.id, kind="reply", published_at__isnull=True
        ).update(published_at=now)
        return "", note, {"letters": published} if published else {}
    if action == Action.REOPEN:
        reason = _need(data.reason, "reason")
        p.published_at = None
        p.closed_at = None
        # The verdicts (its petitioner's and those merged into it) were on the answer being
        # reopened: their feedback events keep them, and the next answer can be rated afresh.
        p.satisfied, p.feedback, p.feedback_at = None, None, None  # type: ignore[assignment]
        merged = [m.id for m in await merged_here(p)]
        if merged:
            await Petition.filter(id__in=merged).update(
                satisfied=None, feedback=None, feedback_at=None
            )
        # The letters published with the reopened answer go with it: the petitioner no longer
        # downloads them (a letter is served only with the publication it was published in).
        return reason, note, {"reason": reason}
    if action == Action.REJECT:
        p.reason = _need(data.reason, "reason")
        # The reason the council gives (the petitioner reads it too), kept in the audit entry.
        return p.reason, note, {"reason": p.reason}
    if action == Action.DIVERT:
        if data.diversion is None:
            raise Invalid(fields={"diversion": str(N_("This field is required."))})
        p.diversion = data.diversion.value
        p.reason = data.reason  # type: ignore[assignment]
        return data.reason or "", note, _reason({"diversion": p.diversion}, data)
    if action == Action.MERGE:
        target = await get_by_code(_need(data.into_code, "into_code"))
        if target.id == p.id or Status(target.status) in TERMINAL:
            raise Conflict("invalid_merge", N_("Merge into another petition that is still open."))
        if target.handler_id != p.handler_id:
            raise Conflict(
                "invalid_merge", N_("Both petitions must be handled by the same council.")
            )
        p.merged_into_id = target.id
        await Petition.filter(id=target.id).update(weight=F("weight") + p.weight)
        return (
            N_("Merged with petition {code}; you will keep receiving its updates.")
            .format(code=target.code)
            .render(p.lang),
            "\n".join(x for x in (data.reason, note) if x),
            _reason({"into": target.code}, data),
        )
    if action == Action.RETURN:
        reason = _need(data.reason, "reason")
        agency = await Agency.get(id=p.agency_id) if p.agency_id else None
        p.agency_id = None
        return (
            N_("Returned to {council} to be assigned to the competent agency.")
            .format(council=handler.name)
            .render(p.lang),
            "\n".join(x for x in (reason, note) if x),
            {"agency": agency.code if agency else None, "reason": reason},
        )
    if action == Action.CLOSE:
        p.closed_at = now
        return "", note, {}
    if action == Action.RESOLUTION:
        resolution, when = validate_resolution(
            _need(data.resolution, "resolution"), data.roadmap_date
        )
        p.resolution, p.roadmap_date = resolution.value, when
        return "", note, {"resolution": resolution.value}
    return "", note, {}  # ACCEPT


def _with_reason(message: LazyString, data: ActionIn, p: Petition) -> str:
    """The petitioner's note: what happened, then why when a reason was given."""
    text = message.render(p.lang)
    return f"{text} {data.reason}" if data.reason else text


def _reason(details: dict[str, object], data: ActionIn) -> dict[str, object]:
    return {**details, "reason": data.reason} if data.reason else details


async def _hop_owners(hop: Hop | None) -> set[int]:
    """The users who own ``hop``: its council's secretariat, or its agency's officers."""
    if hop is None:
        return set()
    if hop.owner_agency_id:
        users = await User.filter(agency_id=hop.owner_agency_id, role="agency", is_active=True)
        return {u.id for u in users}
    if hop.owner_council_id:
        return await secretariat_ids(hop.owner_council_id)
    return set()
