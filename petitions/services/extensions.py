"""Deadline extensions: the agency answering a petition asks for more time before its due date
(petition.extension_request); the handling council's secretariat approves or refuses
(petition.extension_decide). An approved extension moves the open hop's due date and keeps the
first one, so the on-time rate counts against the deadline in force and dashboards count the
extended hops."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.localtime import local
from council.models import User
from council.settings import Settings
from petitions import indexing, labels
from petitions.models import Extension, Hop, Notification, Petition, PetitionEvent
from petitions.services import notify
from petitions.services.filing import mail_config, secretariat_ids
from petitions.services.routing import current_hop
from petitions.services.scope import get_by_code
from petitions.workflow import LOCAL_TZ, Stage, Status

MAX_EXTENSION = timedelta(days=366)


def _end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def may_request(user: User, p: Petition) -> bool:
    """The officers of the agency the petition is assigned to (and admin)."""
    if user.role == "admin":
        return True
    return user.role == "agency" and p.agency_id is not None and user.agency_id == p.agency_id


def may_decide(user: User, p: Petition) -> bool:
    """The secretariat of the council handling the petition (and admin)."""
    if user.role == "admin":
        return True
    return user.role == "secretariat" and user.council_id == p.handler_id


async def _answer_hop(p: Petition) -> Hop:
    hop = await current_hop(p)
    if p.status != Status.ASSIGNED.value or hop is None or hop.stage != Stage.ANSWER.value:
        raise Conflict(
            "no_open_answer",
            N_("Only a petition waiting for an agency's answer can have its deadline extended."),
        )
    return hop


async def request_extension(
    actor: User, code: str, until: date, reason: str, settings: Settings
) -> Extension:
    """petition.extension_request: ask, before the due date, to answer by ``until`` instead."""
    now = datetime.now(UTC)
    async with in_transaction():
        p = await get_by_code(code)
        p = await Petition.select_for_update().get(id=p.id)
        if not may_request(actor, p):
            raise Forbidden(N_("This petition is not assigned to your agency."))
        hop = await _answer_hop(p)
        due = _aware(hop.due_at)
        if now > due:
            raise Conflict(
                "extension_too_late",
                N_("The due date has passed: an extension must be asked before it."),
            )
        if await Extension.exists(hop_id=hop.id, state="pending"):
            raise Conflict(
                "extension_pending", N_("An extension asked for this step awaits a decision.")
            )
        due_to = _end_of_local_day(until)
        if due_to <= due:
            raise Invalid(fields={"until": str(N_("Choose a date after the current due date."))})
        if due_to > now + MAX_EXTENSION:
            raise Invalid(fields={"until": str(N_("Choose a date within a year."))})
        ext = await Extension.create(
            petition_id=p.id,
            hop_id=hop.id,
            reason=reason,
            due_from=due,
            due_to=due_to,
            requested_by_id=actor.id,
            requested_by_label=actor.full_name or actor.username,
        )
        details = {"extension": ext.id, "due": due.isoformat(), "until": due_to.isoformat()}
        await _history(p, "extend_request", actor, "", reason, details)
        await audit.record(
            "petition.extension_request",
            actor=actor,
            target_type="petition",
            target_id=p.code,
            council_id=p.handler_id,
            details={**details, "reason": reason},
        )
        notes = await _tell_staff(p, "extend_request", actor, await secretariat_ids(p.handler_id))
    notify.deliver_later(notes, mail_config(settings))
    return ext


async def decide_extension(
    actor: User,
    code: str,
    extension_id: int,
    approve: bool,
    reason: str | None,
    settings: Settings,
) -> Extension:
    """petition.extension_decide: approve (the due date moves) or refuse, with a reason."""
    now = datetime.now(UTC)
    async with in_transaction():
        p = await get_by_code(code)
        p = await Petition.select_for_update().get(id=p.id)
        if not may_decide(actor, p):
            raise Forbidden(N_("Only the council handling this petition can do this."))
        ext = await Extension.get_or_none(id=extension_id, petition_id=p.id)
        if ext is None:
            raise NotFound(N_("No such extension request."))
        if ext.state != "pending":
            raise Conflict("extension_decided", N_("This extension request was already decided."))
        if not approve and not reason:
            raise Invalid(fields={"reason": str(N_("Say why the extension is refused."))})
        hop = await Hop.get(id=ext.hop_id)
        if hop.ended_at is not None:
            raise Conflict(
                "hop_ended", N_("The step this extension was asked for has already ended.")
            )
        ext.state = "approved" if approve else "refused"
        ext.decided_by_id = actor.id
        ext.decided_by_label = actor.full_name or actor.username
        ext.decision_note = reason or ""
        ext.decided_at = now
        await ext.save()
        details: dict[str, object] = {"extension": ext.id}
        public_note = ""
        if approve:
            previous = _aware(hop.due_at)
            if hop.original_due_at is None:
                hop.original_due_at = previous
            hop.due_at = ext.due_to
            await hop.save(update_fields=["due_at", "original_due_at"])
            p.due_at = ext.due_to
            await p.save(update_fields=["due_at", "updated_at"])
            details |= {"from": previous.isoformat(), "to": _aware(ext.due_to).isoformat()}
            details["original"] = _aware(hop.original_due_at).isoformat()
            public_note = (
                N_("The answer is now due by {date} (it was due by {before}).")
                .format(
                    date=local(ext.due_to).strftime("%d/%m/%Y"),
                    before=local(previous).strftime("%d/%m/%Y"),
                )
                .render(p.lang)
            )
        action = "extend" if approve else "extend_refuse"
        await _history(p, action, actor, public_note, reason or "", details)
        await audit.record(
            f"petition.extension_{'approve' if approve else 'refuse'}",
            actor=actor,
            target_type="petition",
            target_id=p.code,
            council_id=p.handler_id,
            details={**details, "reason": reason or ""},
        )
        officers = await User.filter(agency_id=p.agency_id, role="agency", is_active=True)
        notes = await _tell_staff(p, action, actor, {u.id for u in officers})
        if approve:
            await indexing.petition_changed(p)
    notify.deliver_later(notes, mail_config(settings))
    return ext


async def extensions_of(p: Petition) -> list[Extension]:
    return await Extension.filter(petition_id=p.id).order_by("created_at", "id")


async def _history(
    p: Petition,
    action: str,
    actor: User,
    public_note: str,
    internal_note: str,
    details: dict[str, object],
) -> None:
    await PetitionEvent.create(
        petition_id=p.id,
        action=action,
        from_status=p.status,
        to_status=p.status,
        actor_id=actor.id,
        actor_label=actor.full_name or actor.username,
        public_note=public_note,
        internal_note=internal_note,
        details=details,
    )


async def _tell_staff(
    p: Petition, action: str, actor: User, user_ids: set[int]
) -> list[Notification]:
    """An inbox note (e-mailed when SMTP is set) to the staff who must act next; the petitioner
    hears of an approved extension through the history of the tracking page."""
    made = []
    for user in await User.filter(id__in=user_ids, is_active=True):
        if user.id == actor.id:
            continue
        lang = user.lang or "vi"
        event = labels.text(labels.ACTION, action, lang)
        subject = N_("Petition {code}: {event}").format(code=p.code, event=event).render(lang)
        body = (
            N_('{event}: "{title}" ({code}).')
            .format(event=event, title=p.title, code=p.code)
            .render(lang)
        )
        made.append(
            await Notification.create(
                petition_id=p.id,
                recipient="staff",
                user_id=user.id,
                email=user.email,
                subject=subject,
                body=body,
            )
        )
    return made
