"""The live questioning over HTTP; questioning/events.py offers the same over Socket.IO."""

from __future__ import annotations

from council.errors import Invalid
from council.i18n import N_
from council.web import Ctx, api
from questioning import operations as ops
from questioning.operations import OPERATIONS
from questioning.schemas import QLimitsIn, QLimitsOut, QLiveConcludeIn, QLiveOut, QLiveTurnIn
from questioning.services import live

TAGS = ["questioning"]
STEPS = {
    "call": live.questioning_call,
    "answer": live.questioning_answer,
    "followup": live.questioning_followup,
}


def _same_session(ctx: Ctx) -> int:
    if ctx.body.session_id != ctx.params["session_id"]:
        raise Invalid(fields={"session_id": str(N_("This is another sitting."))})
    return int(ctx.params["session_id"])


def _step(step: str) -> object:
    @api(
        "POST",
        f"/api/v1/questioning/sessions/{{session_id:int}}/live/{step}",
        perm=OPERATIONS[f"questioning.{step}"],
        body=QLiveTurnIn,
        response=QLiveOut,
        tags=TAGS,
        summary={
            "call": "Call a question: the asking delegate has the floor (3 min by default)",
            "answer": "The official answers (10 min by default)",
            "followup": "The delegate follows up (2 min by default)",
        }[step],
    )
    async def handler(ctx: Ctx) -> QLiveOut:
        sid = _same_session(ctx)
        if step == "answer":
            out = await live.questioning_answer(
                ctx.require_user(), sid, ctx.body.form_id, ctx.body.official_id
            )
        else:
            out = await STEPS[step](ctx.require_user(), sid, ctx.body.form_id)
        return QLiveOut(**out)

    return handler


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/live/conclude",
    perm=ops.QUESTIONING_CONCLUDE,
    body=QLiveConcludeIn,
    response=QLiveOut,
    tags=TAGS,
    summary="The chair concludes a question group",
)
async def conclude(ctx: Ctx) -> QLiveOut:
    sid = _same_session(ctx)
    return QLiveOut(
        **await live.questioning_conclude(ctx.require_user(), sid, ctx.body.group_id, ctx.body.text)
    )


@api(
    "PUT",
    "/api/v1/questioning/sessions/{session_id:int}/limits",
    perm=ops.QUESTIONING_LIMITS,
    body=QLimitsIn,
    response=QLimitsOut,
    tags=TAGS,
    summary="Set the round's time limits (whole minutes; null: the default of 3, 10 and 2)",
)
async def limits(ctx: Ctx) -> QLimitsOut:
    body = ctx.body
    return QLimitsOut(
        **await live.questioning_limits(
            ctx.require_user(),
            ctx.params["session_id"],
            asking_minutes=body.asking_minutes,
            answering_minutes=body.answering_minutes,
            followup_minutes=body.followup_minutes,
        )
    )


@api(
    "GET",
    "/api/v1/questioning/sessions/{session_id:int}/live",
    perm=ops.QUESTIONING_LIVE,
    response=QLiveOut,
    tags=TAGS,
    summary="The live questioning: the current turn and the record of every turn",
)
async def live_state(ctx: Ctx) -> QLiveOut:
    sid = ctx.params["session_id"]
    return QLiveOut(**await live.state(sid), record=await live.record(sid))


routes = [_step("call"), _step("answer"), _step("followup"), conclude, limits, live_state]
