"""JSON API of the floor: attendance, speakers, polls and ballots (CONTRACT "Sessions and voting")."""

from __future__ import annotations

from typing import Any

from council.web import Ctx, api
from meetings import operations as ops
from meetings import services
from meetings.routes.api import TAGS
from meetings.schemas import (
    AttendanceListOut,
    AttendanceOut,
    SpeakerQueueOut,
    SpeakerRequestOut,
)
from meetings.schemas_polls import BallotRecordedOut, PollOut
from meetings.services.common import attendance_summary, session_for

# --- attendance and speakers ------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/attendance",
    perm=ops.ATTENDANCE_CHECK_IN,
    response=AttendanceOut,
    tags=TAGS,
    summary="Check in (a delegate), or mark a delegate present (secretariat: user_id)",
)
async def attendance_check_in(ctx: Ctx) -> dict[str, Any]:
    return await services.attendance_check_in(
        ctx.require_user(), ctx.params["session_id"], ctx.body.user_id
    )


@api(
    "GET",
    "/api/v1/sessions/{session_id:int}/attendance",
    perm=ops.ATTENDANCE_VIEW,
    response=AttendanceListOut,
    tags=TAGS,
    summary="Who is present, and the quorum",
)
async def attendance_view(ctx: Ctx) -> dict[str, Any]:

    session = await session_for(ctx.user, ctx.params["session_id"])
    rows = await services.attendance_list(session.id)
    return {
        **await attendance_summary(session),
        "delegates": [
            {**r, "checked_in_at": r["checked_in_at"].isoformat() if r["checked_in_at"] else None}
            for r in rows
        ],
    }


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/speakers",
    perm=ops.SPEAKER_REQUEST,
    status=201,
    response=SpeakerRequestOut,
    tags=TAGS,
    summary="Ask for the floor (a checked-in delegate)",
)
async def speaker_request(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_request(ctx.require_user(), ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/speakers/withdraw",
    perm=ops.SPEAKER_WITHDRAW,
    response=SpeakerQueueOut,
    tags=TAGS,
    summary="Withdraw one's own request to speak",
)
async def speaker_withdraw(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_withdraw(ctx.require_user(), ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/speakers/{request_id:int}/floor",
    perm=ops.SPEAKER_GIVE_FLOOR,
    response=SpeakerQueueOut,
    tags=TAGS,
    summary="Give the floor to a waiting delegate (chair)",
)
async def speaker_give_floor(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_give_floor(ctx.require_user(), ctx.params["request_id"])


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/speakers/finish",
    perm=ops.SPEAKER_FINISH,
    response=SpeakerQueueOut,
    tags=TAGS,
    summary="End the current speaker's turn (chair)",
)
async def speaker_finish(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_finish(ctx.require_user(), ctx.params["session_id"])


# --- polls ------------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/polls",
    perm=ops.POLL_CREATE,
    status=201,
    response=PollOut,
    tags=TAGS,
    summary="Create a draft poll: motion, election or confidence",
)
async def poll_create(ctx: Ctx) -> dict[str, Any]:
    b = ctx.body
    poll = await services.poll_create(
        ctx.require_user(),
        ctx.params["session_id"],
        title=b.title,
        kind=b.kind,
        secret=b.secret,
        rule=b.rule,
        item_id=b.item_id,
        options=[o.label for o in b.options or []],
        max_choices=b.max_choices,
        countdown_seconds=b.countdown_seconds,
    )
    return await services.poll_dict(poll)


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/open",
    perm=ops.POLL_OPEN,
    response=PollOut,
    tags=TAGS,
    summary="Open a poll (refused with 409 no_quorum without quorum)",
)
async def poll_open(ctx: Ctx) -> dict[str, Any]:
    return await services.poll_dict(
        await services.poll_open(ctx.require_user(), ctx.params["poll_id"])
    )


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/close",
    perm=ops.POLL_CLOSE,
    response=PollOut,
    tags=TAGS,
    summary="Close a poll and tally it",
)
async def poll_close(ctx: Ctx) -> dict[str, Any]:
    return await services.poll_dict(
        await services.poll_close(ctx.require_user(), ctx.params["poll_id"])
    )


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/ballots",
    perm=ops.BALLOT_CAST,
    status=201,
    response=BallotRecordedOut,
    tags=TAGS,
    summary="Cast one's ballot (409 already_voted, 409 poll_not_open)",
)
async def ballot_cast(ctx: Ctx) -> dict[str, Any]:
    return await services.ballot_cast(ctx.require_user(), ctx.params["poll_id"], ctx.body.choice)


@api(
    "GET",
    "/api/v1/polls/{poll_id:int}",
    perm=ops.POLL_VIEW,
    response=PollOut,
    tags=TAGS,
    summary="A poll: status, voted, eligible, and the result once closed",
)
async def poll_view(ctx: Ctx) -> dict[str, Any]:
    return await services.poll_for_reader(ctx.user, ctx.params["poll_id"])


routes = [
    attendance_check_in,
    attendance_view,
    speaker_request,
    speaker_withdraw,
    speaker_give_floor,
    speaker_finish,
    poll_create,
    poll_open,
    poll_close,
    ballot_cast,
    poll_view,
]
