"""The chair's newer tools: a re-vote (biểu quyết lại) and votes recorded by hand for a delegate
whose device failed (entered by the secretariat, confirmed by the chair). JSON API and the chair
console's htmx forms."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from council.errors import DomainError, NotFound
from council.web import Ctx, api, page
from meetings import operations as ops
from meetings import services
from meetings.models import HandVote, Poll
from meetings.routes.api import TAGS
from meetings.routes.pages import _chair_fragment, _form_int, _form_str
from meetings.schemas import HandVoteListOut, HandVoteOut
from meetings.schemas_polls import PollOut
from meetings.services import hand_votes
from meetings.services.revote import poll_revote
from meetings.services.voting import get_poll


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/revote",
    perm=ops.POLL_REVOTE,
    status=201,
    response=PollOut,
    tags=TAGS,
    summary="Take a closed vote again: a new draft poll linked to it, with the reason",
)
async def revote_api(ctx: Ctx) -> dict[str, Any]:
    poll = await poll_revote(ctx.require_user(), ctx.params["poll_id"], ctx.body.reason)
    return await services.poll_dict(poll)


async def _hand_out(hand: HandVote) -> dict[str, Any]:
    rows = await hand_votes.hand_votes_of(hand.poll_id)
    return next(r for r in rows if r["id"] == hand.id)


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/hand-votes",
    perm=ops.BALLOT_HAND_RECORD,
    status=201,
    response=HandVoteOut,
    tags=TAGS,
    summary="Record a checked-in delegate's vote by show of hands (secretariat; named polls)",
)
async def hand_record_api(ctx: Ctx) -> dict[str, Any]:
    hand = await hand_votes.hand_record(
        ctx.require_user(), ctx.params["poll_id"], ctx.body.user_id, ctx.body.choice
    )
    return await _hand_out(hand)


@api(
    "GET",
    "/api/v1/polls/{poll_id:int}/hand-votes",
    perm=ops.BALLOT_HAND_LIST,
    response=HandVoteListOut,
    tags=TAGS,
    summary="A poll's votes by hand: pending, confirmed, rejected",
)
async def hand_list_api(ctx: Ctx) -> dict[str, Any]:
    poll = await get_poll(ctx.params["poll_id"])
    return {"items": await hand_votes.hand_votes_of(poll.id)}


@api(
    "POST",
    "/api/v1/hand-votes/{hand_vote_id:int}/confirm",
    perm=ops.BALLOT_HAND_CONFIRM,
    response=HandVoteOut,
    tags=TAGS,
    summary="Confirm a vote by hand (chair): the delegate's ballot is cast, marked by_hand",
)
async def hand_confirm_api(ctx: Ctx) -> dict[str, Any]:
    hand = await hand_votes.hand_confirm(ctx.require_user(), ctx.params["hand_vote_id"])
    return await _hand_out(hand)


@api(
    "POST",
    "/api/v1/hand-votes/{hand_vote_id:int}/reject",
    perm=ops.BALLOT_HAND_REJECT,
    response=HandVoteOut,
    tags=TAGS,
    summary="Reject a vote by hand that waits for confirmation",
)
async def hand_reject_api(ctx: Ctx) -> dict[str, Any]:
    hand = await hand_votes.hand_reject(ctx.require_user(), ctx.params["hand_vote_id"])
    return await _hand_out(hand)


# --- the chair console's forms -------------------------------------------------------------------


async def _session_of_poll(poll_id: int) -> int:
    poll = await Poll.get_or_none(id=poll_id)
    if poll is None:
        raise NotFound()
    return poll.session_id


@page("/meetings/polls/{poll_id:int}/revote", perm=ops.POLL_REVOTE, methods=("POST",))
async def revote_page(ctx: Ctx) -> Response:
    session_id = await _session_of_poll(ctx.params["poll_id"])
    error: DomainError | None = None
    try:
        await poll_revote(ctx.require_user(), ctx.params["poll_id"], await _form_str(ctx, "reason"))
    except DomainError as exc:
        error = exc
    return await _chair_fragment(ctx, session_id, error)


@page("/meetings/polls/{poll_id:int}/hand-votes", perm=ops.BALLOT_HAND_RECORD, methods=("POST",))
async def hand_record_page(ctx: Ctx) -> Response:
    session_id = await _session_of_poll(ctx.params["poll_id"])
    error: DomainError | None = None
    try:
        await hand_votes.hand_record(
            ctx.require_user(),
            ctx.params["poll_id"],
            await _form_int(ctx, "user_id") or 0,
            await _form_str(ctx, "choice"),
        )
    except DomainError as exc:
        error = exc
    return await _chair_fragment(ctx, session_id, error)


async def _hand_session(hand_vote_id: int) -> int:
    hand = await HandVote.get_or_none(id=hand_vote_id)
    if hand is None:
        raise NotFound()
    return await _session_of_poll(hand.poll_id)


@page(
    "/meetings/hand-votes/{hand_vote_id:int}/confirm",
    perm=ops.BALLOT_HAND_CONFIRM,
    methods=("POST",),
)
async def hand_confirm_page(ctx: Ctx) -> Response:
    session_id = await _hand_session(ctx.params["hand_vote_id"])
    error: DomainError | None = None
    try:
        await hand_votes.hand_confirm(ctx.require_user(), ctx.params["hand_vote_id"])
    except DomainError as exc:
        error = exc
    return await _chair_fragment(ctx, session_id, error)


@page(
    "/meetings/hand-votes/{hand_vote_id:int}/reject",
    perm=ops.BALLOT_HAND_REJECT,
    methods=("POST",),
)
async def hand_reject_page(ctx: Ctx) -> Response:
    session_id = await _hand_session(ctx.params["hand_vote_id"])
    error: DomainError | None = None
    try:
        await hand_votes.hand_reject(ctx.require_user(), ctx.params["hand_vote_id"])
    except DomainError as exc:
        error = exc
    return await _chair_fragment(ctx, session_id, error)


routes = [
    revote_api,
    hand_record_api,
    hand_list_api,
    hand_confirm_api,
    hand_reject_api,
    revote_page,
    hand_record_page,
    hand_confirm_page,
    hand_reject_page,
]
