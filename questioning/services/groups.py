"""question_group.create / .edit / .move / .propose / .requestion / .choose / .fix."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid, NotFound
from council.i18n import N_
from council.localtime import local_date
from council.models import User
from questioning import proposals, tracker
from questioning.models import CRITERIA, Commitment, QuestionForm, QuestionGroup, Round
from questioning.services.common import now, require_open, require_staff, round_for


def _criterion(value: str) -> str:
    if value not in CRITERIA:
        raise Invalid(fields={"criterion": str(N_("Choose one of the selection criteria."))})
    return value


async def group_get(group_id: int) -> QuestionGroup:
    group = await QuestionGroup.get_or_none(id=group_id)
    if group is None:
        raise NotFound(N_("No such question group."))
    return group


async def _audit(op: str, actor: User, group: QuestionGroup, rnd: Round, **details: object) -> None:
    await audit.record(
        op,
        actor=actor,
        target_type="question_group",
        target_id=group.id,
        council_id=rnd.council_id,
        details={"session_id": rnd.session_id, **details},
    )


async def question_group_create(
    actor: User, session_id: int, *, title: str, criterion: str
) -> QuestionGroup:
    """question_group.create: a group with its selection criterion."""
    rnd = await round_for(session_id, create=False)
    require_staff(actor, rnd.council_id)
    rnd = await round_for(session_id, create=True)
    require_open(rnd)
    async with in_transaction():
        position = await QuestionGroup.filter(round_id=rnd.id).count()
        group = await QuestionGroup.create(
            round_id=rnd.id,
            title=title,
            criterion=_criterion(criterion),
            position=position,
            created_by_id=actor.id,
        )
        await _audit("question_group.create", actor, group, rnd, criterion=criterion)
    return group


async def question_group_edit(
    actor: User, group_id: int, *, title: str, criterion: str
) -> QuestionGroup:
    """question_group.edit: a person's edit makes a proposed group theirs (no longer machine-made)."""
    group = await group_get(group_id)
    rnd = await Round.get(id=group.round_id)
    require_staff(actor, rnd.council_id)
    require_open(rnd)
    async with in_transaction():
        group.title = title
        group.criterion = _criterion(criterion)
        group.machine_made = False
        await group.save()
        await _audit("question_group.edit", actor, group, rnd)
    return group


async def question_group_move(
    actor: User, group_id: int | None, form_ids: list[int], session_id: int
) -> int:
    """question_group.move: put forms into a group (or out of any, with ``group_id`` None)."""
    rnd = await round_for(session_id)
    require_staff(actor, rnd.council_id)
    require_open(rnd)
    group = await group_get(group_id) if group_id is not None else None
    if group is not None and group.round_id != rnd.id:
        raise Invalid(fields={"group_id": str(N_("This group belongs to another sitting."))})
    forms = await QuestionForm.filter(id__in=form_ids, round_id=rnd.id, state="filed")
    if len(forms) != len(set(form_ids)):
        raise Invalid(
            fields={"form_ids": str(N_("Some forms are not filed forms of this sitting."))}
        )
    async with in_transaction():
        for form in forms:
            form.group_id = group.id if group else None
            await form.save(update_fields=["group_id"])
        if group is not None and group.machine_made:
            group.machine_made = False
            await group.save(update_fields=["machine_made"])
        await audit.record(
            "question_group.move",
            actor=actor,
            target_type="question_group",
            target_id=group.id if group else "",
            council_id=rnd.council_id,
            details={"session_id": session_id, "forms": sorted(f.id for f in forms)},
        )
    return len(forms)


async def question_group_propose(actor: User, session_id: int) -> list[QuestionGroup]:
    """question_group.propose: groups made by the topic clustering from the forms not yet in a
    group; each is labelled machine-made until a person edits it."""
    rnd = await round_for(session_id)
    require_staff(actor, rnd.council_id)
    rnd = await round_for(session_id, create=True)
    require_open(rnd)
    loose = await QuestionForm.filter(round_id=rnd.id, state="filed", group_id=None).order_by("id")
    found = proposals.propose([(f.id, f.agency_id, f.field, f.text) for f in loose])
    made: list[QuestionGroup] = []
    async with in_transaction():
        position = await QuestionGroup.filter(round_id=rnd.id).count()
        for proposal in found:
            group = await QuestionGroup.create(
                round_id=rnd.id,
                title=proposal.title,
                criterion="pressing",
                machine_made=True,
                position=position + len(made),
                created_by_id=actor.id,
            )
            await QuestionForm.filter(id__in=list(proposal.form_ids)).update(group_id=group.id)
            made.append(group)
        await audit.record(
            "question_group.propose",
            actor=actor,
            target_type="round",
            target_id=rnd.id,
            council_id=rnd.council_id,
            details={"session_id": session_id, "groups": len(made)},
        )
    return made


async def requestioning_candidates(
    council_id: int, before_session_id: int
) -> tuple[list[Commitment], list[QuestionForm]]:
    """What re-questioning draws from: commitments past their deadline and not done, and answers
    their askers found unsatisfactory, from the council's other sittings."""
    today = local_date(now())
    open_ones = await Commitment.filter(council_id=council_id, done_on=None).exclude(
        session_id=before_session_id
    )
    overdue = [c for c in open_ones if tracker.state(c.deadline, c.done_on, today) == "overdue"]
    carried = set(
        await QuestionForm.filter(
            council_id=council_id, carried_from_id__not_isnull=True
        ).values_list("carried_from_id", flat=True)
    )
    rejected = [
        f
        for f in await QuestionForm.filter(
            council_id=council_id, verdict="unsatisfactory", state="filed"
        ).exclude(round__session_id=before_session_id)
        if f.id not in carried
    ]
    return overdue, rejected


async def question_group_requestion(actor: User, session_id: int) -> QuestionGroup | None:
    """question_group.requestion: offer a re-questioning group (tái chất vấn) holding overdue
    commitments and rejected answers as forms carried into this sitting. None when there is
    nothing to re-question."""
    rnd = await round_for(session_id)
    require_staff(actor, rnd.council_id)
    rnd = await round_for(session_id, create=True)
    require_open(rnd)
    overdue, rejected = await requestioning_candidates(rnd.council_id, session_id)
    if not overdue and not rejected:
        return None
    async with in_transaction():
        position = await QuestionGroup.filter(round_id=rnd.id).count()
        group = await QuestionGroup.create(
            round_id=rnd.id,
            title="Tái chất vấn: lời hứa quá hạn và trả lời chưa thỏa đáng",
            criterion="requestioning",
            machine_made=True,
            position=position,
            created_by_id=actor.id,
        )
        for c in overdue:
            source = await QuestionForm.get_or_none(id=c.form_id) if c.form_id else None
            await QuestionForm.create(
                round_id=rnd.id,
                council_id=rnd.council_id,
                asker_id=source.asker_id if source else actor.id,
                agency_id=c.agency_id,
                official_name=c.official_name,
                official_title=c.official_title,
                field=source.field if source else "Tái chất vấn",
                text=f"Lời hứa quá hạn ({c.deadline.isoformat()}): {c.measure}",
                group_id=group.id,
                carried_from_id=c.form_id,
            )
        for f in rejected:
            await QuestionForm.create(
                round_id=rnd.id,
                council_id=rnd.council_id,
                asker_id=f.asker_id,
                agency_id=f.agency_id,
                official_name=f.official_name,
                official_title=f.official_title,
                field=f.field,
                text=f.text,
                petition_codes=f.petition_codes,
                group_id=group.id,
                carried_from_id=f.id,
            )
        await _audit(
            "question_group.requestion",
            actor,
            group,
            rnd,
            commitments=[c.id for c in overdue],
            forms=[f.id for f in rejected],
        )
    return group


async def question_group_choose(actor: User, group_id: int, chosen: bool) -> QuestionGroup:
    """question_group.choose: take the group (or not) at the sitting."""
    group = await group_get(group_id)
    rnd = await Round.get(id=group.round_id)
    require_staff(actor, rnd.council_id)
    require_open(rnd)
    async with in_transaction():
        group.chosen = chosen
        await group.save(update_fields=["chosen"])
        await _audit("question_group.choose", actor, group, rnd, chosen=chosen)
    return group


async def question_group_fix(actor: User, session_id: int) -> Round:
    """question_group.fix: the groups are final; forms can no longer be edited or withdrawn."""
    rnd = await round_for(session_id)
    require_staff(actor, rnd.council_id)
    rnd = await round_for(session_id, create=True)
    require_open(rnd)
    if not await QuestionGroup.exists(round_id=rnd.id, chosen=True):
        raise Conflict("no_group_chosen", N_("Choose at least one question group first."))
    async with in_transaction():
        rnd.groups_fixed_at = now()
        await rnd.save(update_fields=["groups_fixed_at"])
        await audit.record(
            "question_group.fix",
            actor=actor,
            target_type="round",
            target_id=rnd.id,
            council_id=rnd.council_id,
            details={"session_id": session_id},
        )
    return rnd


async def questioning_hold(actor: User, session_id: int) -> Round:
    """questioning.hold: the questioning took place; the chosen groups' forms become public."""
    rnd = await round_for(session_id)
    require_staff(actor, rnd.council_id)
    rnd = await round_for(session_id, create=True)
    if rnd.groups_fixed_at is None:
        raise Conflict("groups_not_fixed", N_("Fix the question groups before the questioning."))
    if rnd.held_at is not None:
        return rnd
    async with in_transaction():
        rnd.held_at = now()
        await rnd.save(update_fields=["held_at"])
        await audit.record(
            "questioning.hold",
            actor=actor,
            target_type="round",
            target_id=rnd.id,
            council_id=rnd.council_id,
            details={"session_id": session_id},
        )
    return rnd
