"""Socket.IO events of a live sitting (CONTRACT "Socket.IO"). Thin: each calls one service.

Server → room events (``agenda:current``, ``attendance:update``, ``poll:opened``,
``poll:progress``, ``poll:closed``, ``speakers:update``) are emitted by the services after commit.
"""

from __future__ import annotations

from typing import Any

from council.realtime import DEFERRED, Deferred, EventCtx, event, session_room
from meetings import operations as ops
from meetings import services


@event("session:join", perm=ops.SESSION_JOIN)
async def session_join(ctx: EventCtx) -> dict[str, Any]:
    """Enter the session's room and answer with its full state (sent again after a reconnect)."""
    state = await services.session_state(ctx.user, ctx.data.session_id)
    room = session_room(ctx.data.session_id)
    for other in ctx.rooms():
        if other.startswith("session:") and other != room:
            await ctx.leave_room(other)
    await ctx.enter_room(room)
    return state


@event("ballot:cast", perm=ops.BALLOT_CAST)
async def ballot_cast(ctx: EventCtx) -> Deferred:
    """Acked by the group commit's writer right after the batch holding this ballot commits
    (``services.ballot_cast_then``): a burst's acks go out batch by batch, with no task to wake
    per cast. Refusals known before queueing are raised here and acked as usual."""
    await services.ballot_cast_then(ctx.user, ctx.data.poll_id, ctx.data.choice, ctx.reply_later())
    return DEFERRED


@event("speaker:request", perm=ops.SPEAKER_REQUEST)
async def speaker_request(ctx: EventCtx) -> dict[str, Any]:
    return await services.speaker_request(ctx.user, ctx.data.session_id)


@event("speaker:withdraw", perm=ops.SPEAKER_WITHDRAW)
async def speaker_withdraw(ctx: EventCtx) -> dict[str, Any]:
    return await services.speaker_withdraw(ctx.user, ctx.data.session_id)
