"""questioning.call / .answer / .followup / .conclude: the live questioning at a started sitting.
Each turn ends the one before, is committed, then ``questioning:update`` goes to the sitting's room
(tablets, the chair's console and the hall screen already join it for the speakers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from council import audit, realtime
from council.errors import Conflict, Invalid
from council.i18n import N_
from council.models import User
from questioning import links
from questioning.models import GroupConclusion, QuestionForm, QuestionGroup, QuestionTurn, Round
from questioning.services.common import form_get, now, require_staff

LIMITS = {"asking": 180, "answering": 600, "followup": 120}


async def _running(session_id: int) -> Round:
    council_id, _title, _starts, status = await links.sitting(session_id)
    if status != "in_progress":
        raise Conflict("sitting_not_started", N_("The live questioning runs in a started sitting."))
    rnd = await Round.get_or_none(session_id=session_id)
    if rnd is None or rnd.groups_fixed_at is None:
        raise Conflict("groups_not_fixed", N_("Fix the question groups before the questioning."))
    return rnd


async def state(session_id: int) -> dict[str, Any]:
    turn = await QuestionTurn.filter(session_id=session_id, ended_at=None).order_by("-id").first()
    if turn is None:
        return {"session_id": session_id, "turn": None}
    form = await QuestionForm.get(id=turn.form_id)
    return {
        "session_id": session_id,
        "turn": {
            "form_id": form.id,
            "group_id": form.group_id,
            "phase": turn.phase,
            "speaker": turn.speaker,
            "question": form.text,
            "limit_seconds": turn.limit_seconds,
            "started_at": turn.started_at.isoformat(),
            "ends_at": (turn.started_at + timedelta(seconds=turn.limit_seconds)).isoformat(),
        },
    }


async def _turn(actor: User, session_id: int, form_id: int, phase: str) -> dict[str, Any]:
    rnd = await _running(session_id)
    require_staff(actor, rnd.council_id)
    form = await form_get(form_id)
    if form.round_id != rnd.id or form.state != "filed" or form.group_id is None:
        raise Invalid(fields={"form_id": str(N_("Not a form of this sitting's groups."))})
    group = await QuestionGroup.get(id=form.group_id)
    if not group.chosen:
        raise Invalid(fields={"form_id": str(N_("Not a form of this sitting's groups."))})
    asker = await User.get(id=form.asker_id)
    speaker = (
        f"{form.official_name}, {form.official_title}"
        if phase == "answering"
        else asker.full_name or asker.username
    )
    moment = now()
    async with in_transaction():
        await QuestionTurn.filter(session_id=session_id, ended_at=None).update(ended_at=moment)
        turn = await QuestionTurn.create(
            session_id=session_id,
            form_id=form.id,
            phase=phase,
            speaker=speaker,
            limit_seconds=LIMITS[phase],
            started_at=moment,
        )
        await audit.record(
            {"asking": "questioning.call", "answering": "questioning.answer"}.get(
                phase, "questioning.followup"
            ),
            actor=actor,
            target_type="question_form",
            target_id=form.id,
            council_id=rnd.council_id,
            details={"session_id": session_id, "turn": turn.id},
        )
    current = await state(session_id)
    await realtime.emit("questioning:update", current, room=realtime.session_room(session_id))
    return current


async def questioning_call(actor: User, session_id: int, form_id: int) -> dict[str, Any]:
    """The chair calls the question: the asking delegate has the floor (3 minutes)."""
    return await _turn(actor, session_id, form_id, "asking")


async def questioning_answer(actor: User, session_id: int, form_id: int) -> dict[str, Any]:
    """The official answers (10 minutes)."""
    return await _turn(actor, session_id, form_id, "answering")


async def questioning_followup(actor: User, session_id: int, form_id: int) -> dict[str, Any]:
    """The delegate follows up (tranh luận, 2 minutes)."""
    return await _turn(actor, session_id, form_id, "followup")


async def questioning_conclude(
    actor: User, session_id: int, group_id: int, text: str
) -> dict[str, Any]:
    """The chair concludes a group: the open turn ends and the conclusion is recorded."""
    rnd = await _running(session_id)
    require_staff(actor, rnd.council_id)
    group = await QuestionGroup.get_or_none(id=group_id, round_id=rnd.id)
    if group is None:
        raise Invalid(fields={"group_id": str(N_("This group belongs to another sitting."))})
    moment = now()
    async with in_transaction():
        await QuestionTurn.filter(session_id=session_id, ended_at=None).update(ended_at=moment)
        await GroupConclusion.filter(group_id=group.id).delete()
        await GroupConclusion.create(group_id=group.id, text=text, concluded_at=moment)
        await audit.record(
            "questioning.conclude",
            actor=actor,
            target_type="question_group",
            target_id=group.id,
            council_id=rnd.council_id,
            details={"session_id": session_id},
        )
    current = {**await state(session_id), "concluded": {"group_id": group.id, "text": text}}
    await realtime.emit("questioning:update", current, room=realtime.session_room(session_id))
    return current


async def record(session_id: int) -> list[dict[str, Any]]:
    """The sitting's record: each turn (who, phase, when) and each group's conclusion."""
    rows: list[dict[str, Any]] = []
    for t in await QuestionTurn.filter(session_id=session_id).order_by("started_at", "id"):
        rows.append(
            {
                "form_id": t.form_id,
                "phase": t.phase,
                "speaker": t.speaker,
                "started_at": t.started_at.isoformat(),
                "ended_at": t.ended_at.isoformat() if t.ended_at else None,
            }
        )
    return rows
