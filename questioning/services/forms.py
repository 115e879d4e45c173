"""question.file, question.edit, question.withdraw, and who sees which forms."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import Agency, User
from questioning import links
from questioning.models import QuestionForm, QuestionGroup, Round
from questioning.services.common import (
    ASKERS,
    form_get,
    is_staff,
    may_see_form,
    now,
    require_open,
    round_for,
)

COMING = ("draft", "published")


@dataclass(frozen=True)
class FormInput:
    agency_code: str
    official_name: str
    official_title: str
    field: str
    text: str
    petition_codes: tuple[str, ...] = ()
    written_only: bool = False


async def _checked(council_id: int, data: FormInput) -> tuple[Agency, list[str]]:
    agency = await Agency.get_or_none(code=data.agency_code[:32], is_active=True)
    if agency is None or agency.council_id != council_id:
        raise Invalid(fields={"agency_code": str(N_("Choose an agency of this council's list."))})
    codes: list[str] = []
    for raw in data.petition_codes:
        code = links.petition_code(raw)
        if code is None:
            raise Invalid(
                fields={
                    "petition_codes": str(N_("“{code}” is not a petition tracking code.")).format(
                        code=raw[:40]
                    )
                }
            )
        if code not in codes:
            codes.append(code)
    missing = await links.missing_petitions(codes)
    if missing:
        raise Invalid(
            fields={
                "petition_codes": str(N_("No petition has the code {code}.")).format(
                    code=missing[0]
                )
            }
        )
    return agency, codes


async def question_file(actor: User, session_id: int, data: FormInput) -> QuestionForm:
    """question.file: a delegate files a form for a coming sitting of their council."""
    council_id, _title, _starts, status = await links.sitting(session_id)
    if actor.role not in ASKERS or actor.council_id != council_id:
        raise Forbidden(N_("Only the council's delegates file question forms."))
    if status not in COMING:
        raise Conflict(
            "sitting_not_coming", N_("Question forms are filed before the sitting starts.")
        )
    agency, codes = await _checked(council_id, data)
    rnd = await round_for(session_id, create=True)
    require_open(rnd)
    async with in_transaction():
        form = await QuestionForm.create(
            round_id=rnd.id,
            council_id=council_id,
            asker_id=actor.id,
            agency_id=agency.id,
            official_name=data.official_name,
            official_title=data.official_title,
            field=data.field,
            text=data.text,
            petition_codes=codes,
            written_only=data.written_only,
        )
        await audit.record(
            "question.file",
            actor=actor,
            target_type="question_form",
            target_id=form.id,
            council_id=council_id,
            details={"session_id": session_id, "agency": agency.code},
        )
    return form


def _require_asker(actor: User, form: QuestionForm) -> None:
    if actor.id != form.asker_id:
        raise Forbidden(N_("Only the delegate who filed this form may change it."))
    if form.state == "withdrawn":
        raise Conflict("withdrawn", N_("This question form was withdrawn."))


async def question_edit(actor: User, form_id: int, data: FormInput) -> QuestionForm:
    """question.edit: the asker changes their form until the groups are fixed."""
    form = await form_get(form_id)
    _require_asker(actor, form)
    require_open(await Round.get(id=form.round_id))
    agency, codes = await _checked(form.council_id, data)
    async with in_transaction():
        form.agency_id = agency.id
        form.official_name = data.official_name
        form.official_title = data.official_title
        form.field = data.field
        form.text = data.text
        form.petition_codes = codes
        form.written_only = data.written_only
        await form.save()
        await audit.record(
            "question.edit",
            actor=actor,
            target_type="question_form",
            target_id=form.id,
            council_id=form.council_id,
        )
    return form


async def question_withdraw(actor: User, form_id: int) -> QuestionForm:
    """question.withdraw: allowed until the groups are fixed."""
    form = await form_get(form_id)
    _require_asker(actor, form)
    require_open(await Round.get(id=form.round_id))
    async with in_transaction():
        form.state = "withdrawn"
        form.withdrawn_at = now()
        form.group_id = None
        await form.save()
        await audit.record(
            "question.withdraw",
            actor=actor,
            target_type="question_form",
            target_id=form.id,
            council_id=form.council_id,
        )
    return form


async def question_list(user: User | None, session_id: int) -> list[QuestionForm]:
    """The forms of a sitting ``user`` may see: all for the chair's side, one's own for a
    delegate, those sent to one's agency for an official, chosen ones after the sitting for
    the public. Another council's users see none."""
    council_id, *_ = await links.sitting(session_id)
    rnd = await Round.get_or_none(session_id=session_id)
    if rnd is None:
        return []
    qs = QuestionForm.filter(round_id=rnd.id)
    if is_staff(user, council_id):
        return list(await qs.order_by("id"))
    if user is not None and user.council_id == council_id and user.role in ASKERS:
        own = list(await qs.filter(asker_id=user.id).order_by("id"))
        if rnd.held_at is None:
            return own
    else:
        own = []
    if user is not None and user.role == "agency":
        return [
            f
            for f in await qs.filter(agency_id=user.agency_id, state="filed").order_by("id")
            if f.answer_due_at is not None or f.group_id is not None
        ]
    if rnd.held_at is None:
        return own
    chosen = await QuestionGroup.filter(round_id=rnd.id, chosen=True).values_list("id", flat=True)
    public = await qs.filter(state="filed", group_id__in=list(chosen)).order_by("id")
    seen = {f.id for f in own}
    return own + [f for f in public if f.id not in seen]


async def form_for(user: User | None, form_id: int) -> QuestionForm:

    form = await form_get(form_id)
    if not await may_see_form(user, form):
        raise NotFound(N_("No such question form."))
    return form
