"""Socket.IO events of a live sitting (CONTRACT "Socket.IO"). Thin: each calls one service.

Server → room events (``agenda:current``, ``attendance:update``, ``poll:opened``,
``poll:progress``, ``poll:closed``, ``speakers:update``) are emitted by the services after commit.
"""

from __future__ import annotations

from typing import Any

from council.realtime import EventCtx, event, session_room
from council.validation import Schema
from meetings import permissions as perms
from meetings import services


class SessionRef(Schema):
    session_id: int


class BallotIn(Schema):
    poll_id: int
    choice: Any = None


@event("session:join", perm=perms.SESSION_JOIN, body=SessionRef)
async def session_join(ctx: EventCtx) -> dict[str, Any]:
    """Enter the session's room and answer with its full state (sent again after a reconnect)."""
    state = await services.session_state(ctx.user, ctx.data.session_id)
    room = session_room(ctx.data.session_id)
    for other in ctx.rooms():
        if other.startswith("session:") and other != room:
            await ctx.leave_room(other)
    await ctx.enter_room(room)
    return state


@event("ballot:cast", perm=perms.BALLOT_CAST, body=BallotIn)
async def ballot_cast(ctx: EventCtx) -> dict[str, Any]:
    return await services.ballot_cast(ctx.user, ctx.data.poll_id, ctx.data.choice)


@event("speaker:request", perm=perms.SPEAKER_REQUEST, body=SessionRef)
async def speaker_request(ctx: EventCtx) -> dict[str, Any]:
    return await services.speaker_request(ctx.user, ctx.data.session_id)


@event("speaker:withdraw", perm=perms.SPEAKER_WITHDRAW, body=SessionRef)
async def speaker_withdraw(ctx: EventCtx) -> dict[str, Any]:
    return await services.speaker_withdraw(ctx.user, ctx.data.session_id)
