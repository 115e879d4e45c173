"""questioning.call / .answer / .followup / .conclude: the live questioning at a started sitting,
during its current agenda item of kind questioning (chất vấn); questioning.limits: its time limits.

The chair calls a question: its delegate has the floor (3 minutes by default); the official
answers (10), shown by name and title: an agency's account when the official has one
(``User.title``), else the name and title written on the form; the delegate may follow up (tranh
luận, 2); the chair concludes the group. The council's rules (quy chế) may give other limits: the
chair's side sets them on the round, before or during the sitting, and each turn takes the limit in
force when it is given. Each turn ends the one before and is committed and audited before
``questioning:update`` goes to the sitting's room, which the tablets, the chair's console and the
hall screen join for the speakers already (``session:join``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from council import audit, realtime
from council.errors import Conflict, Invalid
from council.i18n import N_
from council.models import User
from questioning import links
from questioning.models import GroupConclusion, QuestionForm, QuestionGroup, QuestionTurn, Round
from questioning.services.common import form_get, now, require_staff, round_for

# Seconds each phase is given when the round sets no limit of its own.
DEFAULT_LIMITS = {"asking": 180, "answering": 600, "followup": 120}
PHASES = tuple(DEFAULT_LIMITS)
MIN_LIMIT_MINUTES, MAX_LIMIT_MINUTES = 1, 60
OPERATION = {
    "asking": "questioning.call",
    "answering": "questioning.answer",
    "followup": "questioning.followup",
}
KIND = "questioning"  # the agenda item's kind (meetings.models.ITEM_KINDS)


async def _running(session_id: int) -> tuple[Round, int]:
    """The sitting's questioning and its current item, when the questioning may run now."""
    council_id, _title, _starts, status = await links.sitting(session_id)
    if status != "in_progress":
        raise Conflict("sitting_not_started", N_("The live questioning runs in a started sitting."))
    rnd = await Round.get_or_none(session_id=session_id)
    if rnd is None or rnd.groups_fixed_at is None:
        raise Conflict("groups_not_fixed", N_("Fix the question groups before the questioning."))
    current = await links.current_item(session_id)
    if current is None or current[1] != KIND:
        raise Conflict(
            "not_questioning_item",
            N_("Make the questioning item of the agenda the current one first."),
        )
    return rnd, current[0]


async def no_vote_open(session_id: int) -> None:
    """A turn gives someone the floor: not while the delegates are voting (the hall shows the
    vote, and the tablets ask for the ballot, until the chair closes it)."""
    poll = await links.open_poll(session_id)
    if poll is not None:
        raise Conflict(
            "poll_open",
            N_("The vote “{title}” is open: close it before giving the floor.").format(
                title=poll[1]
            ),
            poll_id=poll[0],
        )


def _aware(value: datetime) -> datetime:
    """A stored moment as an aware one (a naive datetime is UTC, as the database stores it)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def limits_of(rnd: Round | None) -> dict[str, int]:
    """The seconds each phase is given in ``rnd``: its own limit, else the default."""
    own = {phase: getattr(rnd, f"{phase}_seconds") if rnd is not None else None for phase in PHASES}
    return {phase: own[phase] or DEFAULT_LIMITS[phase] for phase in PHASES}


async def state(session_id: int) -> dict[str, Any]:
    """The turn in progress (who has the floor, on which question, until when), or none, and the
    limits the next turns will be given."""
    limits = limits_of(await Round.get_or_none(session_id=session_id))
    turn = await QuestionTurn.filter(session_id=session_id, ended_at=None).order_by("-id").first()
    if turn is None:
        return {"session_id": session_id, "turn": None, "limits": limits}
    form = await QuestionForm.get(id=turn.form_id)
    group = await QuestionGroup.get_or_none(id=form.group_id or 0)
    asker = await User.get(id=form.asker_id)
    return {
        "session_id": session_id,
        "turn": {
            "form_id": form.id,
            "group_id": form.group_id,
            "group_title": group.title if group else "",
            "item_id": turn.item_id,
            "phase": turn.phase,
            "speaker": turn.speaker,
            "speaker_id": turn.speaker_id,
            "asker": asker.full_name or asker.username,
            "official": f"{form.official_name}, {form.official_title}",
            "question": form.text,
            "limit_seconds": turn.limit_seconds,
            "started_at": turn.started_at.isoformat(),
            "ends_at": (turn.started_at + timedelta(seconds=turn.limit_seconds)).isoformat(),
        },
        "limits": limits,
    }


async def latest_conclusion(session_id: int) -> dict[str, Any] | None:
    """The chair's latest conclusion at the sitting (group, text, when), or None."""
    rnd = await Round.get_or_none(session_id=session_id)
    if rnd is None:
        return None
    groups = {g.id: g for g in await QuestionGroup.filter(round_id=rnd.id)}
    latest = (
        await GroupConclusion.filter(group_id__in=list(groups))
        .order_by("-concluded_at", "-id")
        .first()
    )
    if latest is None:
        return None
    return {
        "group_id": latest.group_id,
        "group_title": groups[latest.group_id].title,
        "text": latest.text,
        "concluded_at": latest.concluded_at.isoformat(),
    }


async def hall_shows(session_id: int, turn: dict[str, Any] | None) -> str | None:
    """What the hall screen shows of the questioning, over its own body: ``turn`` (the turn in
    progress), ``conclusion`` (the chair's latest, until the next turn or item), or None: a vote
    in progress, or the result of one that closed since, is what the hall shows then (its result
    stays until the next turn, as it stays until someone speaks after it)."""
    if await links.open_poll(session_id) is not None:
        return None
    since = await links.current_item_since(session_id)
    result_at = await links.last_result_at(session_id)

    since = _aware(since) if since is not None else None
    result_at = _aware(result_at) if result_at is not None else None

    def fresher_result(moment: datetime) -> bool:
        return result_at is not None and result_at > moment and (since is None or result_at > since)

    if turn is not None:
        started = _aware(datetime.fromisoformat(turn["started_at"]))
        return None if fresher_result(started) else "turn"
    conclusion = await latest_conclusion(session_id)
    if conclusion is None:
        return None
    concluded = _aware(datetime.fromisoformat(conclusion["concluded_at"]))
    if (since is not None and concluded < since) or fresher_result(concluded):
        return None
    return "conclusion"


async def answering_official(form: QuestionForm, official_id: int | None) -> tuple[int | None, str]:
    """Who answers the form, as (account id or None, "Name, Title").

    ``official_id``: an active account of the addressed agency the chair gives the floor to (a
    deputy may answer for the director). Without it: the agency's account whose name is the one
    on the form, else the name and title on the form."""
    if official_id is not None:
        official = await User.get_or_none(
            id=official_id, role="agency", agency_id=form.agency_id, is_active=True
        )
        if official is None:
            raise Invalid(
                fields={"official_id": str(N_("Not an official of the agency this form asks."))}
            )
    else:
        official = await User.filter(
            role="agency", agency_id=form.agency_id, is_active=True, full_name=form.official_name
        ).first()
    if official is None:
        return None, f"{form.official_name}, {form.official_title}"
    title = official.title or form.official_title
    name = official.full_name or official.username
    return official.id, f"{name}, {title}" if title else name


async def _turn(
    actor: User, session_id: int, form_id: int, phase: str, official_id: int | None = None
) -> dict[str, Any]:
    rnd, item_id = await _running(session_id)
    require_staff(actor, rnd.council_id)
    await no_vote_open(session_id)  # early, before the form's checks: the usual refusal
    form = await form_get(form_id)
    if form.round_id != rnd.id or form.state != "filed" or form.group_id is None:
        raise Invalid(fields={"form_id": str(N_("Not a form of this sitting's groups."))})
    group = await QuestionGroup.get(id=form.group_id)
    if not group.chosen:
        raise Invalid(fields={"form_id": str(N_("Not a form of this sitting's groups."))})
    if phase == "answering":
        speaker_id, speaker = await answering_official(form, official_id)
    else:
        asker = await User.get(id=form.asker_id)
        speaker_id, speaker = asker.id, asker.full_name or asker.username
    moment = now()
    async with in_transaction():
        # Again under the sitting's lock: a vote opening at this moment is committed first and
        # refuses the turn, or waits for it (a poll's opening takes the same lock).
        await links.hold_sitting(session_id)
        await no_vote_open(session_id)
        await QuestionTurn.filter(session_id=session_id, ended_at=None).update(ended_at=moment)
        # The limit in force now (questioning.limits may have changed it since ``_running``); the
        # turn keeps it whatever changes later.
        limit = limits_of(await Round.get(id=rnd.id))[phase]
        turn = await QuestionTurn.create(
            session_id=session_id,
            item_id=item_id,
            form_id=form.id,
            phase=phase,
            speaker=speaker[:300],
            speaker_id=speaker_id,
            limit_seconds=limit,
            started_at=moment,
        )
        await audit.record(
            OPERATION[phase],
            actor=actor,
            target_type="question_form",
            target_id=form.id,
            council_id=rnd.council_id,
            details={"session_id": session_id, "turn": turn.id, "speaker": turn.speaker},
        )
    return await _emit(session_id)


async def sitting_moved(session_id: int, item_id: int, at: datetime) -> None:
    """The sitting moved to another item (``signals.ITEM_CHANGED``, committed): a turn left
    open on the questioning ends at that moment, and the room hears it. Otherwise the turn ran
    on, shown "in progress" with its timer gone when the chair came back, every questioning
    control refused meanwhile, and the record counted the time away in its length."""
    kind = await links.item_kind(session_id, item_id)
    if kind is None or kind == KIND:
        return
    async with in_transaction():
        ended = await QuestionTurn.filter(
            session_id=session_id, ended_at=None, started_at__lte=at
        ).update(ended_at=at)
    if ended:
        await _emit(session_id)


async def _emit(session_id: int, **extra: Any) -> dict[str, Any]:
    """After the commit: the state to the sitting's room, and to the caller."""
    current = {**await state(session_id), **extra}
    await realtime.emit("questioning:update", current, room=realtime.session_room(session_id))
    return current


async def questioning_call(actor: User, session_id: int, form_id: int) -> dict[str, Any]:
    """The chair calls the question: the asking delegate has the floor (3 minutes by default)."""
    return await _turn(actor, session_id, form_id, "asking")


async def questioning_answer(
    actor: User, session_id: int, form_id: int, official_id: int | None = None
) -> dict[str, Any]:
    """The official answers (10 minutes by default)."""
    return await _turn(actor, session_id, form_id, "answering", official_id)


async def questioning_followup(actor: User, session_id: int, form_id: int) -> dict[str, Any]:
    """The delegate follows up (tranh luận, 2 minutes by default)."""
    return await _turn(actor, session_id, form_id, "followup")


async def questioning_limits(
    actor: User,
    session_id: int,
    *,
    asking_minutes: int | None,
    answering_minutes: int | None,
    followup_minutes: int | None,
) -> dict[str, Any]:
    """Set the round's time limits, in whole minutes (None: the default). Turns given from now on
    take them; the turn in progress keeps the limit it was given."""
    rnd = await round_for(session_id)
    require_staff(actor, rnd.council_id)
    given = {"asking": asking_minutes, "answering": answering_minutes, "followup": followup_minutes}
    wrong = str(N_("A whole number of minutes from {low} to {high}.")).format(
        low=MIN_LIMIT_MINUTES, high=MAX_LIMIT_MINUTES
    )
    errors = {
        f"{phase}_minutes": wrong
        for phase, minutes in given.items()
        if minutes is not None and not MIN_LIMIT_MINUTES <= minutes <= MAX_LIMIT_MINUTES
    }
    if errors:
        raise Invalid(fields=errors)
    rnd = await round_for(session_id, create=True)
    columns = {
        f"{phase}_seconds": None if minutes is None else minutes * 60
        for phase, minutes in given.items()
    }
    async with in_transaction():
        current = await Round.select_for_update().get(id=rnd.id)
        before = {name: getattr(current, name) for name in columns}
        if before == columns:
            return {**await limits_view(session_id), "changed": False}
        await Round.filter(id=rnd.id).update(**columns)
        await audit.record(
            "questioning.limits",
            actor=actor,
            target_type="round",
            target_id=rnd.id,
            council_id=rnd.council_id,
            details={"session_id": session_id, "before": before, "after": columns},
        )
    await _emit(session_id)
    return {**await limits_view(session_id), "changed": True}


async def limits_view(session_id: int) -> dict[str, Any]:
    """The round's limits as set (whole minutes, None: the default) and as the next turns get
    them (seconds), with the defaults (minutes) the page offers."""
    rnd = await Round.get_or_none(session_id=session_id)
    own = {phase: getattr(rnd, f"{phase}_seconds") if rnd is not None else None for phase in PHASES}
    return {
        "session_id": session_id,
        **{f"{phase}_minutes": None if v is None else v // 60 for phase, v in own.items()},
        "limits": limits_of(rnd),
        "defaults": {phase: seconds // 60 for phase, seconds in DEFAULT_LIMITS.items()},
    }


async def questioning_conclude(
    actor: User, session_id: int, group_id: int, text: str
) -> dict[str, Any]:
    """The chair concludes a group: the open turn ends and the conclusion is recorded."""
    rnd, _item_id = await _running(session_id)
    require_staff(actor, rnd.council_id)
    group = await QuestionGroup.get_or_none(id=group_id, round_id=rnd.id)
    if group is None or not group.chosen:
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
    return await _emit(session_id, concluded={"group_id": group.id, "text": text})


async def record(session_id: int) -> list[dict[str, Any]]:
    """The sitting's record: each turn (who, phase, when)."""
    return [
        {
            "form_id": t.form_id,
            "item_id": t.item_id,
            "phase": t.phase,
            "speaker": t.speaker,
            "speaker_id": t.speaker_id,
            "started_at": t.started_at.isoformat(),
            "ended_at": _iso(t.ended_at),
        }
        for t in await QuestionTurn.filter(session_id=session_id).order_by("started_at", "id")
    ]


async def board(session_id: int) -> list[dict[str, Any]]:
    """The chosen groups in order, each with its forms (asker, official, text, turns taken) and
    the chair's conclusion: what the live panel lists."""
    rnd = await Round.get_or_none(session_id=session_id)
    if rnd is None:
        return []
    groups = await QuestionGroup.filter(round_id=rnd.id, chosen=True).order_by("position", "id")
    forms = await QuestionForm.filter(group_id__in=[g.id for g in groups], state="filed").order_by(
        "id"
    )
    askers = {u.id: u for u in await User.filter(id__in={f.asker_id for f in forms})}
    taken: dict[int, set[str]] = {}
    for form_id, phase in await QuestionTurn.filter(session_id=session_id).values_list(
        "form_id", "phase"
    ):
        taken.setdefault(int(form_id), set()).add(str(phase))  # type: ignore[call-overload]
    conclusions = {
        c.group_id: c for c in await GroupConclusion.filter(group_id__in=[g.id for g in groups])
    }
    out = []
    for g in groups:
        conclusion = conclusions.get(g.id)
        out.append(
            {
                "id": g.id,
                "title": g.title,
                "conclusion": conclusion.text if conclusion else None,
                "forms": [
                    {
                        "id": f.id,
                        "asker": (askers[f.asker_id].full_name or askers[f.asker_id].username),
                        "official": f"{f.official_name}, {f.official_title}",
                        "field": f.field,
                        "text": f.text,
                        "taken": sorted(taken.get(f.id, set())),
                    }
                    for f in forms
                    if f.group_id == g.id
                ],
            }
        )
    return out
