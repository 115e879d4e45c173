"""Socket.IO events of a live sitting (CONTRACT "Socket.IO"). Thin: each calls one service.

Server → room events (``agenda:current``, ``attendance:update``, ``poll:opened``,
``poll:progress``, ``poll:closed``, ``speakers:update``) are emitted by the services after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from council.permissions import Scope, allow
from council.realtime import DEFERRED, Deferred, EventCtx, event, session_room
from council.validation import Schema
from meetings import permissions as perms
from meetings import services
from meetings.services.poll_facts import poll_facts


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


async def _poll_scope(params: Mapping[str, Any]) -> Scope:
    """As ``perms.poll_scope``, from the cached facts of the poll (a poll never changes council):
    no query for a poll this process knows; NotFound, as over HTTP, for one that does not exist."""
    facts = await poll_facts(int(params.get("poll_id") or 0))
    return Scope.council(facts.council_id)


# The same permission as the HTTP route's (name, roles, scope), resolved without a query: a burst
# of hundreds of casts must not read the poll once per cast.
BALLOT_CAST = allow("ballot.cast", *perms.SEATS, scope="council", resolve=_poll_scope)


@event("ballot:cast", perm=BALLOT_CAST, body=BallotIn)
async def ballot_cast(ctx: EventCtx) -> Deferred:
    """Acked by the group commit's writer right after the batch holding this ballot commits
    (``services.ballot_cast_then``): a burst's acks go out batch by batch, with no task to wake
    per cast. Refusals known before queueing are raised here and acked as usual."""
    await services.ballot_cast_then(ctx.user, ctx.data.poll_id, ctx.data.choice, ctx.reply_later())
    return DEFERRED


@event("speaker:request", perm=perms.SPEAKER_REQUEST, body=SessionRef)
async def speaker_request(ctx: EventCtx) -> dict[str, Any]:
    return await services.speaker_request(ctx.user, ctx.data.session_id)


@event("speaker:withdraw", perm=perms.SPEAKER_WITHDRAW, body=SessionRef)
async def speaker_withdraw(ctx: EventCtx) -> dict[str, Any]:
    return await services.speaker_withdraw(ctx.user, ctx.data.session_id)
