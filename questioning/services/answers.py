"""answer.request, answer.submit, answer.assess: written answers by a deadline in working days."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from tortoise.transactions import in_transaction

from council import audit, storage, uploads
from council.calendar import council_calendar, due_at
from council.errors import Conflict, Forbidden, Invalid
from council.i18n import N_
from council.models import User
from questioning.models import VERDICTS, QuestionForm
from questioning.services.common import agency_user_ids, form_get, is_staff, notify, now

DEFAULT_WORKING_DAYS = 10
LETTER_MAX_BYTES = 20 << 20


def may_answer(user: User | None, form: QuestionForm) -> bool:
    if user is None:
        return False
    if user.role == "agency":
        return user.agency_id == form.agency_id
    return user.role == "secretariat" and is_staff(user, form.council_id)


async def answer_request(actor: User, form_id: int, working_days: int) -> QuestionForm:
    """answer.request: the question goes to its official for a written answer, due in
    ``working_days`` working days by the council's calendar."""
    form = await form_get(form_id)
    if not is_staff(actor, form.council_id):
        raise Forbidden(N_("Only the council's chair or secretariat may do this."))
    if form.state != "filed":
        raise Conflict("withdrawn", N_("This question form was withdrawn."))
    if form.answered_at is not None:
        raise Conflict("answered", N_("This question has been answered already."))
    if not 1 <= working_days <= 60:
        raise Invalid(fields={"working_days": str(N_("Between 1 and 60 working days."))})
    due = due_at(now(), working_days, await council_calendar(form.council_id))
    async with in_transaction():
        form.answer_due_at = due
        await form.save(update_fields=["answer_due_at"])
        await audit.record(
            "answer.request",
            actor=actor,
            target_type="question_form",
            target_id=form.id,
            council_id=form.council_id,
            details={"working_days": working_days, "due_at": due.isoformat()},
        )
        await notify(
            await agency_user_ids(form.agency_id),
            str(N_("A question awaits your written answer")),
            f"/questioning/forms/{form.id}",
        )
    return form


async def answer_submit(
    actor: User, form_id: int, text: str, letter: UploadFile | None = None
) -> QuestionForm:
    """answer.submit: the official answers in the app, optionally with the signed PDF letter."""
    form = await form_get(form_id)
    if not may_answer(actor, form):
        raise Forbidden(N_("Only the agency the question is addressed to may answer it."))
    if form.state != "filed":
        raise Conflict("withdrawn", N_("This question form was withdrawn."))
    if form.answer_due_at is None:
        raise Conflict("not_requested", N_("This question was not sent for a written answer."))
    if form.answered_at is not None:
        raise Conflict("answered", N_("This question has been answered already."))
    stored = None
    if letter is not None and letter.filename:
        stored = await uploads.store_upload(
            letter, allowed={uploads.PDF}, max_bytes=LETTER_MAX_BYTES
        )
    try:
        async with in_transaction():
            form.answer_text = text
            form.answered_at = now()
            form.answered_by_id = actor.id
            if stored is not None:
                form.letter_path = stored.path
                form.letter_name = stored.original_name
            await form.save()
            await audit.record(
                "answer.submit",
                actor=actor,
                target_type="question_form",
                target_id=form.id,
                council_id=form.council_id,
                details={"letter": stored is not None},
            )
            await notify(
                {form.asker_id},
                str(N_("Your question has a written answer")),
                f"/questioning/forms/{form.id}",
            )
    except BaseException:
        if stored is not None:
            await storage.discard([stored])
        raise
    return form


async def answer_assess(actor: User, form_id: int, verdict: str) -> QuestionForm:
    """answer.assess: the asking delegate finds the answer satisfactory or not."""
    form = await form_get(form_id)
    if actor.id != form.asker_id:
        raise Forbidden(N_("Only the delegate who asked may assess the answer."))
    if form.answered_at is None:
        raise Conflict("not_answered", N_("This question has no answer yet."))
    if verdict not in VERDICTS:
        raise Invalid(fields={"verdict": str(N_("Satisfactory or unsatisfactory."))})
    async with in_transaction():
        form.verdict = verdict
        form.verdict_at = now()
        await form.save(update_fields=["verdict", "verdict_at"])
        await audit.record(
            "answer.assess",
            actor=actor,
            target_type="question_form",
            target_id=form.id,
            council_id=form.council_id,
            details={"verdict": verdict},
        )
    return form


def answer_overdue(form: QuestionForm) -> bool:
    return (
        form.answer_due_at is not None
        and form.answered_at is None
        and form.state == "filed"
        and now() > form.answer_due_at
    )
