"""attendance.check_in: delegates check in from the tablet, or the secretariat marks them present."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import audit, realtime
from council.collation import name_key
from council.errors import Conflict, Forbidden, NotFound
from council.i18n import N_
from council.models import User
from meetings.models import Attendance
from meetings.services.common import (
    attendance_summary,
    get_session,
    holds_seat,
    is_staff_of,
    now,
    require_state,
    seats_and_quorum,
    user_names,
)


async def attendance_check_in(
    user: User, session_id: int, user_id: int | None = None
) -> dict[str, Any]:
    """attendance.check_in: ``user`` checks in, or (staff) marks delegate ``user_id`` present.

    Checking in twice is harmless and answers the same summary.
    """
    session = await get_session(session_id)
    require_state(session, "published", "in_progress")
    if user_id is None or user_id == user.id:
        target = user
        if not holds_seat(user, session.council_id):
            raise Forbidden(N_("Only delegates of this council check in."))
    else:
        if not is_staff_of(user, session.council_id):
            raise Forbidden(N_("Only the secretariat may mark another delegate present."))
        found = await User.get_or_none(id=user_id, is_active=True)
        if found is None or not holds_seat(found, session.council_id):
            raise NotFound(N_("This delegate does not exist in this council."))
        target = found
    seats, _ = await seats_and_quorum(session)
    created = False
    try:
        async with in_transaction():
            if not await Attendance.exists(session_id=session.id, user_id=target.id):
                if await Attendance.filter(session_id=session.id).count() >= seats:
                    raise Conflict(
                        "seats_full",
                        N_("Every seat of the council is already present."),
                        status=409,
                    )
                await Attendance.create(
                    session_id=session.id,
                    user_id=target.id,
                    checked_in_at=now(),
                    marked_by_id=user.id,
                )
                await audit.record(
                    "attendance.check_in",
                    actor=user,
                    target_type="session",
                    target_id=session.id,
                    council_id=session.council_id,
                    details={"user_id": target.id},
                )
                created = True
    except IntegrityError:
        created = False
    summary = await attendance_summary(session)
    if created:
        await realtime.emit("attendance:update", summary, room=realtime.session_room(session.id))
    return summary


async def attendance_list(session_id: int) -> list[dict[str, Any]]:
    """Every seat-holder of the session's council with whether they are present."""
    session = await get_session(session_id)
    members = await User.filter(
        council_id=session.council_id, role__in=["delegate", "chair"], is_active=True
    ).order_by("id")
    present = {a.user_id: a for a in await Attendance.filter(session_id=session.id)}
    names = await user_names([m.id for m in members])
    members.sort(key=lambda m: name_key(names[m.id]))
    return [
        {
            "user_id": m.id,
            "name": names[m.id],
            "present": m.id in present,
            "checked_in_at": present[m.id].checked_in_at if m.id in present else None,
        }
        for m in members
    ]


async def is_present(session_id: int, user_id: int) -> bool:
    return await Attendance.exists(session_id=session_id, user_id=user_id)


def may_mark_others(user: User, council_id: int) -> bool:
    return is_staff_of(user, council_id)
