"""Socket.IO events of the live questioning: the chair's console sends these instead of HTTP; the
same services answer, and ``questioning:update`` reaches the sitting's room."""

from __future__ import annotations

from typing import Any

from council.realtime import EventCtx, event
from questioning import operations as ops
from questioning.schemas import QLiveConcludeIn, QLiveTurnIn
from questioning.services import live


@event("questioning:call", perm=ops.QUESTIONING_CALL, body=QLiveTurnIn)
async def call(ev: EventCtx) -> dict[str, Any]:
    return await live.questioning_call(ev.user, ev.data.session_id, ev.data.form_id)


@event("questioning:answer", perm=ops.QUESTIONING_ANSWER, body=QLiveTurnIn)
async def answer(ev: EventCtx) -> dict[str, Any]:
    return await live.questioning_answer(
        ev.user, ev.data.session_id, ev.data.form_id, ev.data.official_id
    )


@event("questioning:followup", perm=ops.QUESTIONING_FOLLOWUP, body=QLiveTurnIn)
async def followup(ev: EventCtx) -> dict[str, Any]:
    return await live.questioning_followup(ev.user, ev.data.session_id, ev.data.form_id)


@event("questioning:conclude", perm=ops.QUESTIONING_CONCLUDE, body=QLiveConcludeIn)
async def conclude(ev: EventCtx) -> dict[str, Any]:
    return await live.questioning_conclude(
        ev.user, ev.data.session_id, ev.data.group_id, ev.data.text
    )
