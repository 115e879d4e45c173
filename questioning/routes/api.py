"""The questioning JSON API; every route points at its operation (``questioning/operations.py``)."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from council import storage
from council.errors import DomainError, NotFound
from council.i18n import N_
from council.validation import parse
from council.web import Ctx, api
from questioning import operations as ops
from questioning.models import QuestionGroup, Round, SelectionVote
from questioning.routes.convert import form_out, round_out
from questioning.schemas import (
    QAnswerIn,
    QAnswerRequestIn,
    QAssessIn,
    QChooseIn,
    QFormIn,
    QFormList,
    QFormOut,
    QGroupIn,
    QGroupOut,
    QMoveIn,
    QRoundOut,
    QSelectionCloseIn,
    QSelectionOpenIn,
    QSelectionOut,
    QSelectionVoteIn,
)
from questioning.services import answers, forms, groups, selection
from questioning.services.common import is_staff

TAGS = ["questioning"]


def form_input(body: QFormIn) -> forms.FormInput:
    return forms.FormInput(
        agency_code=body.agency_code,
        official_name=body.official_name,
        official_title=body.official_title,
        field=body.field,
        text=body.text,
        petition_codes=tuple(body.petition_codes),
        written_only=body.written_only,
    )


async def body_and_file(
    ctx: Ctx, schema: type[Any], file_field: str
) -> tuple[Any, UploadFile | None]:
    """A JSON body, or the same fields as multipart with one optional file."""
    if ctx.request.headers.get("content-type", "").startswith("multipart/"):
        form = await ctx.form()
        upload = form.get(file_field)
        fields: dict[str, Any] = {
            k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"
        }
        if "milestones_done" in fields:
            fields["milestones_done"] = [
                v for k, v in form.multi_items() if k == "milestones_done" and isinstance(v, str)
            ]
        return parse(schema, fields), upload if isinstance(upload, UploadFile) else None
    raw = await ctx.request.body()
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise DomainError(
            "bad_request", N_("The request body is not valid JSON."), status=400
        ) from None
    return parse(schema, data), None


# --- forms --------------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/forms",
    perm=ops.QUESTION_FILE,
    body=QFormIn,
    response=QFormOut,
    status=201,
    tags=TAGS,
    summary="File a question form for a coming sitting (a delegate of its council)",
)
async def question_file(ctx: Ctx) -> QFormOut:
    form = await forms.question_file(
        ctx.require_user(), ctx.params["session_id"], form_input(ctx.body)
    )
    return await form_out(form)


@api(
    "GET",
    "/api/v1/questioning/sessions/{session_id:int}/forms",
    perm=ops.QUESTION_LIST,
    response=QFormList,
    tags=TAGS,
    summary="The sitting's question forms the caller may see",
)
async def question_list(ctx: Ctx) -> QFormList:
    found = await forms.question_list(ctx.user, ctx.params["session_id"])
    return QFormList(items=[await form_out(f) for f in found])


@api(
    "GET",
    "/api/v1/questioning/forms/{form_id:int}",
    perm=ops.QUESTION_VIEW,
    response=QFormOut,
    tags=TAGS,
    summary="One question form (404 when the caller may not see it)",
)
async def question_view(ctx: Ctx) -> QFormOut:
    return await form_out(await forms.form_for(ctx.user, ctx.params["form_id"]))


@api(
    "PUT",
    "/api/v1/questioning/forms/{form_id:int}",
    perm=ops.QUESTION_EDIT,
    body=QFormIn,
    response=QFormOut,
    tags=TAGS,
    summary="Change one's question form until the groups are fixed",
)
async def question_edit(ctx: Ctx) -> QFormOut:
    form = await forms.question_edit(
        ctx.require_user(), ctx.params["form_id"], form_input(ctx.body)
    )
    return await form_out(form)


@api(
    "POST",
    "/api/v1/questioning/forms/{form_id:int}/withdraw",
    perm=ops.QUESTION_WITHDRAW,
    response=QFormOut,
    tags=TAGS,
    summary="Withdraw one's question form until the groups are fixed",
)
async def question_withdraw(ctx: Ctx) -> QFormOut:
    return await form_out(await forms.question_withdraw(ctx.require_user(), ctx.params["form_id"]))


# --- groups -------------------------------------------------------------------------------------


async def _round(session_id: int) -> QRoundOut:
    return await round_out(session_id, await Round.get_or_none(session_id=session_id))


@api(
    "GET",
    "/api/v1/questioning/sessions/{session_id:int}/groups",
    perm=ops.QUESTION_GROUP_LIST,
    response=QRoundOut,
    tags=TAGS,
    summary="The sitting's question groups",
)
async def group_list(ctx: Ctx) -> QRoundOut:
    return await _round(ctx.params["session_id"])


def _group_out(g: Any, ids: list[int]) -> QGroupOut:
    return QGroupOut(
        id=g.id,
        title=g.title,
        criterion=g.criterion,
        machine_made=g.machine_made,
        chosen=g.chosen,
        form_ids=ids,
    )


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/groups",
    perm=ops.QUESTION_GROUP_CREATE,
    body=QGroupIn,
    response=QGroupOut,
    status=201,
    tags=TAGS,
    summary="Create a question group with its selection criterion",
)
async def group_create(ctx: Ctx) -> QGroupOut:
    g = await groups.question_group_create(
        ctx.require_user(),
        ctx.params["session_id"],
        title=ctx.body.title,
        criterion=ctx.body.criterion,
    )
    return _group_out(g, [])


@api(
    "PUT",
    "/api/v1/questioning/groups/{group_id:int}",
    perm=ops.QUESTION_GROUP_EDIT,
    body=QGroupIn,
    response=QRoundOut,
    tags=TAGS,
    summary="Rename a group or change its criterion (a proposal becomes the editor's)",
)
async def group_edit(ctx: Ctx) -> QRoundOut:
    g = await groups.question_group_edit(
        ctx.require_user(),
        ctx.params["group_id"],
        title=ctx.body.title,
        criterion=ctx.body.criterion,
    )
    rnd = await Round.get(id=g.round_id)
    return await round_out(rnd.session_id, rnd)


@api(
    "POST",
    "/api/v1/questioning/groups/{group_id:int}/choose",
    perm=ops.QUESTION_GROUP_CHOOSE,
    body=QChooseIn,
    response=QRoundOut,
    tags=TAGS,
    summary="Take a group at the sitting, or not",
)
async def group_choose(ctx: Ctx) -> QRoundOut:
    g = await groups.question_group_choose(
        ctx.require_user(), ctx.params["group_id"], ctx.body.chosen
    )
    rnd = await Round.get(id=g.round_id)
    return await round_out(rnd.session_id, rnd)


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/groups/move",
    perm=ops.QUESTION_GROUP_MOVE,
    body=QMoveIn,
    response=QRoundOut,
    tags=TAGS,
    summary="Move forms into a group (group_id null: out of any)",
)
async def group_move(ctx: Ctx) -> QRoundOut:
    sid = ctx.params["session_id"]
    await groups.question_group_move(ctx.require_user(), ctx.body.group_id, ctx.body.form_ids, sid)
    return await _round(sid)


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/groups/propose",
    perm=ops.QUESTION_GROUP_PROPOSE,
    response=QRoundOut,
    tags=TAGS,
    summary="Group the forms not yet in a group by topic (groups labelled machine-made)",
)
async def group_propose(ctx: Ctx) -> QRoundOut:
    await groups.question_group_propose(ctx.require_user(), ctx.params["session_id"])
    return await _round(ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/groups/requestion",
    perm=ops.QUESTION_GROUP_REQUESTION,
    response=QRoundOut,
    tags=TAGS,
    summary="Offer a re-questioning group from overdue commitments and rejected answers",
)
async def group_requestion(ctx: Ctx) -> QRoundOut:
    await groups.question_group_requestion(ctx.require_user(), ctx.params["session_id"])
    return await _round(ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/groups/fix",
    perm=ops.QUESTION_GROUP_FIX,
    response=QRoundOut,
    tags=TAGS,
    summary="Fix the groups: forms can no longer be edited or withdrawn",
)
async def group_fix(ctx: Ctx) -> QRoundOut:
    await groups.question_group_fix(ctx.require_user(), ctx.params["session_id"])
    return await _round(ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/hold",
    perm=ops.QUESTIONING_HOLD,
    response=QRoundOut,
    tags=TAGS,
    summary="Record that the questioning took place (chosen forms become public)",
)
async def questioning_hold(ctx: Ctx) -> QRoundOut:
    await groups.questioning_hold(ctx.require_user(), ctx.params["session_id"])
    return await _round(ctx.params["session_id"])


# --- the selection ballot -----------------------------------------------------------------------


async def selection_out(ctx: Ctx, session_id: int) -> QSelectionOut:
    ballot = await selection.ballot_for(session_id)
    result = await selection.tally(ballot)
    rnd = await Round.get(id=ballot.round_id)
    user = ctx.require_user()
    show = ballot.status == "closed" or is_staff(user, rnd.council_id)
    chosen = await QuestionGroup.filter(round_id=rnd.id, chosen=True).values_list("id", flat=True)
    return QSelectionOut(
        status=ballot.status,
        max_choices=ballot.max_choices,
        voted=result.voted,
        eligible=result.eligible,
        has_voted=await SelectionVote.exists(ballot_id=ballot.id, user_id=user.id),
        counts={str(k): v for k, v in result.counts.items()} if show else None,
        chosen=sorted(int(i) for i in chosen) if ballot.status == "closed" else [],  # type: ignore[call-overload]
    )


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/selection",
    perm=ops.SELECTION_OPEN,
    body=QSelectionOpenIn,
    response=QSelectionOut,
    status=201,
    tags=TAGS,
    summary="Open the delegates' ballot choosing up to N of the groups (no quorum, no seat threshold)",
)
async def selection_open(ctx: Ctx) -> QSelectionOut:
    await selection.selection_open(
        ctx.require_user(), ctx.params["session_id"], ctx.body.max_choices
    )
    return await selection_out(ctx, ctx.params["session_id"])


@api(
    "GET",
    "/api/v1/questioning/sessions/{session_id:int}/selection",
    perm=ops.SELECTION_VIEW,
    response=QSelectionOut,
    tags=TAGS,
    summary="The selection ballot: who may vote, how many did, and the counts once closed",
)
async def selection_view(ctx: Ctx) -> QSelectionOut:
    return await selection_out(ctx, ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/selection/votes",
    perm=ops.SELECTION_VOTE,
    body=QSelectionVoteIn,
    response=QSelectionOut,
    status=201,
    tags=TAGS,
    summary="A delegate chooses up to N groups (once; 409 already_voted)",
)
async def selection_vote(ctx: Ctx) -> QSelectionOut:
    await selection.selection_vote(ctx.require_user(), ctx.params["session_id"], ctx.body.group_ids)
    return await selection_out(ctx, ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/selection/close",
    perm=ops.SELECTION_CLOSE,
    body=QSelectionCloseIn,
    response=QSelectionOut,
    tags=TAGS,
    summary="Close the ballot: the top N are chosen (409 tie names the tied groups to order)",
)
async def selection_close(ctx: Ctx) -> QSelectionOut:
    await selection.selection_close(ctx.require_user(), ctx.params["session_id"], ctx.body.prefer)
    return await selection_out(ctx, ctx.params["session_id"])


# --- written answers ----------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/questioning/forms/{form_id:int}/answer-request",
    perm=ops.ANSWER_REQUEST,
    body=QAnswerRequestIn,
    response=QFormOut,
    tags=TAGS,
    summary="Send a question for a written answer, due in working days",
)
async def answer_request(ctx: Ctx) -> QFormOut:
    form = await answers.answer_request(
        ctx.require_user(), ctx.params["form_id"], ctx.body.working_days
    )
    return await form_out(form)


@api(
    "POST",
    "/api/v1/questioning/forms/{form_id:int}/answer",
    perm=ops.ANSWER_SUBMIT,
    response=QFormOut,
    tags=TAGS,
    summary="Answer in writing (JSON, or multipart with an optional PDF `letter`)",
    multipart={"text": "text", "letter": "file"},
    json_alt=QAnswerIn,
)
async def answer_submit(ctx: Ctx) -> QFormOut:
    body, letter = await body_and_file(ctx, QAnswerIn, "letter")
    form = await answers.answer_submit(ctx.require_user(), ctx.params["form_id"], body.text, letter)
    return await form_out(form)


@api(
    "POST",
    "/api/v1/questioning/forms/{form_id:int}/assessment",
    perm=ops.ANSWER_ASSESS,
    body=QAssessIn,
    response=QFormOut,
    tags=TAGS,
    summary="The asking delegate finds the answer satisfactory or not",
)
async def answer_assess(ctx: Ctx) -> QFormOut:
    form = await answers.answer_assess(ctx.require_user(), ctx.params["form_id"], ctx.body.verdict)
    return await form_out(form)


@api(
    "GET",
    "/api/v1/questioning/forms/{form_id:int}/letter.pdf",
    perm=ops.QUESTION_VIEW,
    tags=TAGS,
    summary="The answer's PDF letter (to those who may see the form)",
    raw_response="application/pdf",
)
async def answer_letter(ctx: Ctx) -> Response:
    form = await forms.form_for(ctx.user, ctx.params["form_id"])
    if not form.letter_path:
        raise NotFound(N_("This answer has no letter."))
    return await storage.file_response(
        ctx.request, form.letter_path, mime="application/pdf", filename=form.letter_name
    )


routes = [
    question_file,
    question_list,
    question_view,
    question_edit,
    question_withdraw,
    group_list,
    group_create,
    group_edit,
    group_choose,
    group_move,
    group_propose,
    group_requestion,
    group_fix,
    questioning_hold,
    selection_open,
    selection_view,
    selection_vote,
    selection_close,
    answer_request,
    answer_submit,
    answer_assess,
    answer_letter,
]
