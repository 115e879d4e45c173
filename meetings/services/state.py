"""The full live state of a session, as one reader sees it (the ``session:join`` ack)."""

from __future__ import annotations

from typing import Any

from council.models import Council, User
from meetings.models import Attendance, Poll
from meetings.services.attendance import check_in_is_open, current_day
from meetings.services.common import (
    attendance_summary,
    iso,
    item_dict,
    now,
    session_dict,
    session_for,
)
from meetings.services.sessions import current_item, items_of
from meetings.services.speakers import speaker_queue
from meetings.services.voting import poll_dict


async def session_state(user: User | None, session_id: int) -> dict[str, Any]:
    """Session, agenda, current item, attendance, open poll (with whether ``user`` voted),
    the last closed poll's result and the speaker queue."""
    session = await session_for(user, session_id)
    if session.status in ("published", "in_progress"):
        await current_day(session)
    council = await Council.get(id=session.council_id)
    attendance = await attendance_summary(session)
    attendance["check_in_open"] = check_in_is_open(session)
    if user is not None:
        attendance["checked_in"] = await Attendance.exists(session_id=session.id, user_id=user.id)
    open_poll = await Poll.filter(session_id=session.id, status="open").first()
    last_closed = (
        await Poll.filter(session_id=session.id, status="closed").order_by("-closed_at").first()
    )
    return {
        "session": session_dict(session, council),
        "items": [item_dict(i) for i in await items_of(session.id)],
        "current_item": item_dict(await current_item(session)),
        "attendance": attendance,
        "poll": await poll_dict(open_poll, user=user) if open_poll else None,
        "last_result": await poll_dict(last_closed, user=user) if last_closed else None,
        "speakers": await speaker_queue(session.id),
        # Screens count timers on the server's clock, not their own.
        "server_now": iso(now()),
    }
