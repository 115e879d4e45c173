"""speaker.*: the queue of delegates asking for the floor, run by the chair."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from council import audit, realtime
from council.errors import Conflict, Forbidden, NotFound
from council.i18n import N_
from council.models import User
from meetings.models import AgendaItem, Attendance, SpeakerRequest
from meetings.services.common import (
    get_session,
    holds_seat,
    iso,
    now,
    require_state,
    staff_session,
    user_names,
)

ACTIVE = ("waiting", "speaking")


async def speaking_limits(session_id: int) -> tuple[int, dict[int, int]]:
    """The session's time per speaker, and the items that set their own."""
    session = await get_session(session_id)
    rows = await AgendaItem.filter(
        session_id=session_id, speaking_seconds__isnull=False
    ).values_list("id", "speaking_seconds")
    return session.speaking_seconds, {int(i): int(s) for i, s in rows}


async def speaker_queue(session_id: int) -> list[dict[str, Any]]:
    """Who has the floor first, then who waits, in the order they asked; each with the time
    they are given (their item's, else the session's)."""
    requests = await SpeakerRequest.filter(session_id=session_id, status__in=ACTIVE).order_by(
        "requested_at", "id"
    )
    names = await user_names([r.user_id for r in requests])
    default, per_item = await speaking_limits(session_id)
    rows = [
        {
            "id": r.id,
            "user_id": r.user_id,
            "name": names.get(r.user_id, ""),
            "status": r.status,
            "item_id": r.item_id,
            "requested_at": iso(r.requested_at),
            "started_at": iso(r.started_at),
            "limit_seconds": per_item.get(r.item_id or 0, default),
        }
        for r in requests
    ]
    rows.sort(key=lambda r: r["status"] != "speaking")
    return rows


async def emit_queue(session_id: int) -> None:
    session = await get_session(session_id)
    await realtime.emit(
        "speakers:update",
        {
            "session_id": session_id,
            "queue": await speaker_queue(session_id),
            "speaking_seconds": session.speaking_seconds,
        },
        room=realtime.session_room(session_id),
    )


async def speaker_request(user: User, session_id: int) -> dict[str, Any]:
    """speaker.request: a checked-in delegate asks for the floor on the current item."""
    session = await get_session(session_id)
    if not holds_seat(user, session.council_id):
        raise Forbidden(N_("Only delegates of this council may ask for the floor."))
    require_state(session, "in_progress")
    if not await Attendance.exists(session_id=session.id, user_id=user.id):
        raise Conflict("not_checked_in", N_("Check in to the session first."), status=409)
    async with in_transaction():
        if await SpeakerRequest.exists(session_id=session.id, user_id=user.id, status__in=ACTIVE):
            raise Conflict(
                "already_requested", N_("You have already asked for the floor."), status=409
            )
        req = await SpeakerRequest.create(
            session_id=session.id,
            user_id=user.id,
            item_id=session.current_item_id,
            requested_at=now(),
        )
        await audit.record(
            "speaker.request",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"request_id": req.id},
        )
    await emit_queue(session.id)
    return {"request_id": req.id, "queue": await speaker_queue(session.id)}


async def speaker_withdraw(user: User, session_id: int) -> dict[str, Any]:
    """speaker.withdraw: a delegate takes back a request that has not been given the floor."""
    session = await get_session(session_id)
    if not holds_seat(user, session.council_id):
        raise Forbidden(N_("Only delegates of this council may ask for the floor."))
    async with in_transaction():
        changed = await SpeakerRequest.filter(
            session_id=session.id, user_id=user.id, status="waiting"
        ).update(status="withdrawn", ended_at=now())
        if not changed:
            raise Conflict("no_request", N_("You have no request waiting."), status=409)
        await audit.record(
            "speaker.withdraw",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
        )
    await emit_queue(session.id)
    return {"queue": await speaker_queue(session.id)}


async def speaker_give_floor(user: User, request_id: int) -> dict[str, Any]:
    """speaker.give_floor: the chair gives the floor; whoever spoke before is done."""
    req = await SpeakerRequest.get_or_none(id=request_id)
    if req is None:
        raise NotFound(N_("This request to speak does not exist."))
    session = await staff_session(user, req.session_id)
    require_state(session, "in_progress")
    async with in_transaction():
        await SpeakerRequest.filter(session_id=session.id, status="speaking").update(
            status="done", ended_at=now()
        )
        changed = await SpeakerRequest.filter(id=req.id, status="waiting").update(
            status="speaking", started_at=now(), item_id=session.current_item_id or req.item_id
        )
        if not changed:
            raise Conflict("not_waiting", N_("This delegate is no longer waiting."), status=409)
        await audit.record(
            "speaker.give_floor",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"request_id": req.id, "user_id": req.user_id},
        )
    await emit_queue(session.id)
    return {"queue": await speaker_queue(session.id)}


async def speaker_finish(user: User, session_id: int) -> dict[str, Any]:
    """speaker.finish: the current speaker's time is over."""
    session = await staff_session(user, session_id)
    async with in_transaction():
        changed = await SpeakerRequest.filter(session_id=session.id, status="speaking").update(
            status="done", ended_at=now()
        )
        if not changed:
            raise Conflict("nobody_speaking", N_("Nobody has the floor."), status=409)
        await audit.record(
            "speaker.finish",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
        )
    await emit_queue(session.id)
    return {"queue": await speaker_queue(session.id)}


async def speakers_of_item(session_id: int) -> dict[int | None, list[SpeakerRequest]]:
    """Everyone who spoke, grouped by the agenda item they spoke on (for the minutes)."""
    spoke = await SpeakerRequest.filter(
        session_id=session_id, status__in=["speaking", "done"], started_at__isnull=False
    ).order_by("started_at", "id")
    out: dict[int | None, list[SpeakerRequest]] = {}
    for r in spoke:
        out.setdefault(r.item_id, []).append(r)
    return out
