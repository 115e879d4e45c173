"""attendance.*: check-in from the tablet or by the secretariat, per local day of the sitting.

Check-in opens by itself on the sitting's first day (Asia/Ho_Chi_Minh) or once it has started; the
secretariat may open it earlier (``attendance.open``): such check-ins count for the first day.
``Attendance`` holds the present day's rows only, so that every reader of "who is present" (quorum,
eligible voters, the ballots' write transaction) needs no notion of days; a sitting of several
days rolls over to a new day at its first use on that day (never while a poll is open), keeping
the earlier days in ``AttendancePast``. The secretariat records an absence with a reason and undoes
a mistaken check-in.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from council import audit, realtime
from council.collation import name_key
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import User
from meetings.models import Absence, Attendance, AttendancePast, Poll, Session
from meetings.services.common import (
    attendance_summary,
    get_session,
    holds_seat,
    is_staff_of,
    local_day,
    now,
    require_state,
    seats_and_quorum,
    session_dict,
    staff_session,
    user_names,
)

MAX_REASON = 300


def sitting_day(session: Session) -> date:
    """The day attendance taken now counts for: today, or the first day of a sitting whose
    check-in the secretariat opened early."""
    return max(local_day(), local_day(session.starts_at))


def check_in_is_open(session: Session) -> bool:
    """Open once the sitting has started, on its first local day, or when the secretariat opened
    it earlier; never for a draft or a closed session."""
    if session.status == "in_progress":
        return True
    if session.status != "published":
        return False
    return session.check_in_opened_at is not None or local_day() >= local_day(session.starts_at)


def _require_open(session: Session) -> None:
    require_state(session, "published", "in_progress")
    if not check_in_is_open(session):
        raise Conflict(
            "check_in_closed",
            N_(
                "Check-in opens on the day of the sitting ({day}) or once it has started; the "
                "secretariat may open it earlier."
            ).format(day=local_day(session.starts_at).strftime("%d/%m/%Y")),
            status=409,
        )


async def current_day(session: Session) -> date:
    """The day ``Attendance`` holds, after rolling a sitting of several days over to today.

    The roll-over is one conditional UPDATE (never while a poll of the session is open: the vote
    keeps the day it opened on) in the transaction that moves the earlier day's rows to
    ``AttendancePast``; whoever runs it first on a new day does it, the others find it done.
    """
    day = sitting_day(session)
    held = session.attendance_day
    if held is None or held >= day:
        return held or day
    open_polls = Subquery(Poll.filter(status="open").values("session_id"))
    async with in_transaction():
        changed = (
            await Session.filter(id=session.id, attendance_day=held)
            .exclude(id__in=open_polls)
            .update(attendance_day=day)
        )
        if changed:
            rows = await Attendance.filter(session_id=session.id)
            await AttendancePast.bulk_create(
                [
                    AttendancePast(
                        session_id=session.id,
                        user_id=r.user_id,
                        day=held,
                        checked_in_at=r.checked_in_at,
                        marked_by_id=r.marked_by_id,
                    )
                    for r in rows
                ]
            )
            await Attendance.filter(session_id=session.id).delete()
            await audit.record(
                "attendance.new_day",
                target_type="session",
                target_id=session.id,
                council_id=session.council_id,
                details={
                    "day": day.isoformat(),
                    "previous": held.isoformat(),
                    "present": len(rows),
                },
            )
    fresh = await get_session(session.id)
    session.attendance_day = fresh.attendance_day
    if changed:
        await realtime.emit(
            "attendance:update",
            await attendance_summary(session),
            room=realtime.session_room(session.id),
        )
    return session.attendance_day or day


async def _seat_holder(session: Session, user_id: int) -> User:
    found = await User.get_or_none(id=user_id, is_active=True)
    if found is None or not holds_seat(found, session.council_id):
        raise NotFound(N_("This delegate does not exist in this council."))
    return found


async def attendance_check_in(
    user: User, session_id: int, user_id: int | None = None
) -> dict[str, Any]:
    """attendance.check_in: ``user`` checks in, or (staff) marks delegate ``user_id`` present.

    Checking in twice is harmless and answers the same summary. A recorded absence of that day
    is withdrawn: the delegate has arrived.
    """
    session = await get_session(session_id)
    if user_id is None or user_id == user.id:
        target = user
        if not holds_seat(user, session.council_id):
            raise Forbidden(N_("Only delegates of this council check in."))
    else:
        if not is_staff_of(user, session.council_id):
            raise Forbidden(N_("Only the secretariat may mark another delegate present."))
        target = await _seat_holder(session, user_id)
    _require_open(session)
    day = await current_day(session)
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
                await Session.filter(id=session.id, attendance_day=None).update(attendance_day=day)
                await Absence.filter(session_id=session.id, user_id=target.id, day=day).delete()
                await audit.record(
                    "attendance.check_in",
                    actor=user,
                    target_type="session",
                    target_id=session.id,
                    council_id=session.council_id,
                    details={"user_id": target.id, "day": day.isoformat()},
                )
                created = True
    except IntegrityError:
        created = False
    summary = await attendance_summary(session)
    if created:
        await realtime.emit("attendance:update", summary, room=realtime.session_room(session.id))
    return summary


async def attendance_open(user: User, session_id: int) -> Session:
    """attendance.open: the secretariat opens check-in before the sitting's day."""
    session = await staff_session(user, session_id)
    require_state(session, "published")
    if session.check_in_opened_at is None:
        async with in_transaction():
            await Session.filter(id=session.id, check_in_opened_at=None).update(
                check_in_opened_at=now()
            )
            await audit.record(
                "attendance.open",
                actor=user,
                target_type="session",
                target_id=session.id,
                council_id=session.council_id,
            )
    session = await get_session(session.id)

    await realtime.emit(
        "session:update", {"session": session_dict(session)}, room=realtime.session_room(session.id)
    )
    return session


async def attendance_undo(user: User, session_id: int, user_id: int) -> dict[str, Any]:
    """attendance.undo: the secretariat takes back a mistaken check-in of the present day.

    Refused while a poll is open: who may vote, and the count of those who may, stay as they were
    when it opened."""
    session = await staff_session(user, session_id)
    require_state(session, "published", "in_progress")
    target = await _seat_holder(session, user_id)
    day = await current_day(session)
    async with in_transaction():
        if await Poll.exists(session_id=session.id, status="open"):
            raise Conflict(
                "poll_open", N_("A check-in cannot be undone while a vote is open."), status=409
            )
        removed = await Attendance.filter(session_id=session.id, user_id=target.id).delete()
        if not removed:
            raise Conflict("not_checked_in", N_("This delegate is not checked in."), status=409)
        await audit.record(
            "attendance.undo",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"user_id": target.id, "day": day.isoformat()},
        )
    summary = await attendance_summary(session)
    await realtime.emit("attendance:update", summary, room=realtime.session_room(session.id))
    return summary


async def absence_record(user: User, session_id: int, user_id: int, reason: str) -> Absence:
    """attendance.absent: the secretariat records that a delegate is absent, with the reason
    (vắng mặt có lý do), for the present day of the sitting."""
    session = await staff_session(user, session_id)
    require_state(session, "published", "in_progress")
    target = await _seat_holder(session, user_id)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise Invalid(fields={"reason": str(N_("Give a reason of 1 to 300 characters."))})
    day = await current_day(session)
    async with in_transaction():
        if await Attendance.exists(session_id=session.id, user_id=target.id):
            raise Conflict(
                "checked_in",
                N_("This delegate is checked in: undo the check-in first."),
                status=409,
            )
        absence = await Absence.get_or_none(session_id=session.id, user_id=target.id, day=day)
        if absence is None:
            absence = await Absence.create(
                session_id=session.id,
                user_id=target.id,
                day=day,
                reason=reason,
                recorded_by_id=user.id,
                recorded_at=now(),
            )
        else:
            absence.reason, absence.recorded_by_id, absence.recorded_at = reason, user.id, now()
            await absence.save()
        await audit.record(
            "attendance.absent",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"user_id": target.id, "day": day.isoformat(), "reason": reason},
        )
    return absence


async def absence_clear(user: User, session_id: int, user_id: int) -> None:
    """attendance.absence_clear: withdraw an absence recorded by mistake."""
    session = await staff_session(user, session_id)
    target = await _seat_holder(session, user_id)
    day = await current_day(session)
    async with in_transaction():
        removed = await Absence.filter(session_id=session.id, user_id=target.id, day=day).delete()
        if not removed:
            raise NotFound(N_("No absence is recorded for this delegate today."))
        await audit.record(
            "attendance.absence_clear",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"user_id": target.id, "day": day.isoformat()},
        )


async def attendance_list(session_id: int) -> list[dict[str, Any]]:
    """Every seat-holder of the session's council with whether they are present today, and the
    reason of a recorded absence."""
    session = await get_session(session_id)
    day = session.attendance_day or sitting_day(session)
    members = await User.filter(
        council_id=session.council_id, role__in=["delegate", "chair"], is_active=True
    ).order_by("id")
    present = {a.user_id: a for a in await Attendance.filter(session_id=session.id)}
    absent = {a.user_id: a for a in await Absence.filter(session_id=session.id, day=day)}
    names = await user_names([m.id for m in members])
    members.sort(key=lambda m: name_key(names[m.id]))
    return [
        {
            "user_id": m.id,
            "name": names[m.id],
            "present": m.id in present,
            "checked_in_at": present[m.id].checked_in_at if m.id in present else None,
            "absence_reason": absent[m.id].reason if m.id in absent else None,
        }
        for m in members
    ]


async def is_present(session_id: int, user_id: int) -> bool:
    return await Attendance.exists(session_id=session_id, user_id=user_id)


def may_mark_others(user: User, council_id: int) -> bool:
    return is_staff_of(user, council_id)
