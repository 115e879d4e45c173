"""The questioning JSON API; every route takes its permission from ``perms.OPERATIONS``."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from council import storage
from council.errors import DomainError, NotFound
from council.i18n import N_
from council.validation import parse
from council.web import Ctx, api
from questioning import tracker
from questioning.models import QuestionGroup, Round, SelectionVote
from questioning.routes.convert import commitment_out, form_out, round_out
from questioning.routes.perms import OPERATIONS, council_by_code
from questioning.schemas import (
    QAgencyRowOut,
    QAnswerIn,
    QAnswerRequestIn,
    QAssessIn,
    QChooseIn,
    QCommitmentIn,
    QCommitmentList,
    QCommitmentOut,
    QFormIn,
    QFormList,
    QFormOut,
    QGroupIn,
    QGroupOut,
    QMoveIn,
    QOnTimeTable,
    QReportIn,
    QRoundOut,
    QSelectionCloseIn,
    QSelectionOpenIn,
    QSelectionOut,
    QSelectionVoteIn,
)
from questioning.services import answers, commitments, forms, groups, selection
from questioning.services.commitments import MilestoneInput
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
    perm=OPERATIONS["question.file"],
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
    perm=OPERATIONS["question.list"],
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
    perm=OPERATIONS["question.view"],
    response=QFormOut,
    tags=TAGS,
    summary="One question form (404 when the caller may not see it)",
)
async def question_view(ctx: Ctx) -> QFormOut:
    return await form_out(await forms.form_for(ctx.user, ctx.params["form_id"]))


@api(
    "PUT",
    "/api/v1/questioning/forms/{form_id:int}",
    perm=OPERATIONS["question.edit"],
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
    perm=OPERATIONS["question.withdraw"],
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
    perm=OPERATIONS["question_group.list"],
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
    perm=OPERATIONS["question_group.create"],
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
    perm=OPERATIONS["question_group.edit"],
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
    perm=OPERATIONS["question_group.choose"],
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
    perm=OPERATIONS["question_group.move"],
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
    perm=OPERATIONS["question_group.propose"],
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
    perm=OPERATIONS["question_group.requestion"],
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
    perm=OPERATIONS["question_group.fix"],
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
    perm=OPERATIONS["questioning.hold"],
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
    perm=OPERATIONS["selection.open"],
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
    perm=OPERATIONS["selection.view"],
    response=QSelectionOut,
    tags=TAGS,
    summary="The selection ballot: who may vote, how many did, and the counts once closed",
)
async def selection_view(ctx: Ctx) -> QSelectionOut:
    return await selection_out(ctx, ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/selection/votes",
    perm=OPERATIONS["selection.vote"],
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
    perm=OPERATIONS["selection.close"],
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
    perm=OPERATIONS["answer.request"],
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
    perm=OPERATIONS["answer.submit"],
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
    perm=OPERATIONS["answer.assess"],
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
    perm=OPERATIONS["question.view"],
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


# --- commitments --------------------------------------------------------------------------------


async def _commitment(cid: int) -> QCommitmentOut:
    from council.models import Council
    from questioning.models import Commitment

    c = await Commitment.get(id=cid).prefetch_related("agency", "milestones", "reports")
    return commitment_out(c, await Council.get(id=c.council_id))


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/commitments",
    perm=OPERATIONS["commitment.create"],
    body=QCommitmentIn,
    response=QCommitmentOut,
    status=201,
    tags=TAGS,
    summary="Record a commitment from the questioning or its resolution",
)
async def commitment_create(ctx: Ctx) -> QCommitmentOut:
    b: QCommitmentIn = ctx.body
    c = await commitments.commitment_create(
        ctx.require_user(),
        ctx.params["session_id"],
        agency_code=b.agency_code,
        official_name=b.official_name,
        official_title=b.official_title,
        measure=b.measure,
        deadline=b.deadline,
        form_id=b.form_id,
        milestones=[MilestoneInput(m.title, m.due_on) for m in b.milestones],
    )
    return await _commitment(c.id)


@api(
    "POST",
    "/api/v1/questioning/commitments/{commitment_id:int}/reports",
    perm=OPERATIONS["commitment.report"],
    response=QCommitmentOut,
    status=201,
    tags=TAGS,
    summary="Report progress (JSON, or multipart with an optional `evidence` PDF or image)",
    multipart={"percent": "text", "note": "text", "milestones_done": "text", "evidence": "file"},
    json_alt=QReportIn,
)
async def commitment_report(ctx: Ctx) -> QCommitmentOut:
    body, evidence = await body_and_file(ctx, QReportIn, "evidence")
    await commitments.commitment_report(
        ctx.require_user(),
        ctx.params["commitment_id"],
        percent=body.percent,
        note=body.note,
        milestones_done=body.milestones_done,
        evidence=evidence,
    )
    return await _commitment(ctx.params["commitment_id"])


@api(
    "GET",
    "/api/v1/public/commitments/{commitment_id:int}",
    perm=OPERATIONS["commitment.view"],
    response=QCommitmentOut,
    tags=TAGS,
    summary="One commitment with its milestones and history (open data)",
)
async def commitment_view(ctx: Ctx) -> QCommitmentOut:
    from questioning.models import Commitment

    if not await Commitment.exists(id=ctx.params["commitment_id"]):
        raise NotFound(N_("No such commitment."))
    return await _commitment(ctx.params["commitment_id"])


async def tracker_rows(code: str) -> tuple[Any, list[QCommitmentOut]]:
    council = await council_by_code(code)
    return council, [
        commitment_out(c, council) for c in await commitments.commitments_of(council.id)
    ]


@api(
    "GET",
    "/api/v1/public/councils/{code}/commitments",
    perm=OPERATIONS["commitment.list"],
    response=QCommitmentList,
    tags=TAGS,
    summary="A council's commitments from questioning, with state and history (open data)",
)
async def commitment_list(ctx: Ctx) -> QCommitmentList:
    _council, rows = await tracker_rows(ctx.params["code"])
    return QCommitmentList(items=rows)


CSV_COLUMNS = (
    "id",
    "council_code",
    "session_id",
    "agency_code",
    "agency_name",
    "official_name",
    "official_title",
    "measure",
    "deadline",
    "percent",
    "done_on",
    "state",
)


@api(
    "GET",
    "/api/v1/public/councils/{code}/commitments.csv",
    perm=OPERATIONS["commitment.list"],
    tags=TAGS,
    summary="The same commitments as CSV (open data)",
    raw_response="text/csv",
)
async def commitment_csv(ctx: Ctx) -> Response:
    council, rows = await tracker_rows(ctx.params["code"])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        data = r.model_dump(mode="json")
        writer.writerow(["" if data[k] is None else data[k] for k in CSV_COLUMNS])
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{council.code}.commitments.csv"'},
    )


def on_time(code: str, rows: list[QCommitmentOut]) -> QOnTimeTable:
    table = tracker.on_time_table((r.agency_name, r.state) for r in rows)  # type: ignore[misc]
    return QOnTimeTable(
        council_code=code,
        rows=[
            QAgencyRowOut(agency=t.agency, on_time_rate=t.on_time_rate, **t.counts) for t in table
        ],
    )


@api(
    "GET",
    "/api/v1/public/councils/{code}/commitments/on-time",
    perm=OPERATIONS["commitment.list"],
    response=QOnTimeTable,
    tags=TAGS,
    summary="Per agency: commitments done on time, late, in progress and overdue (open data)",
)
async def commitment_on_time(ctx: Ctx) -> QOnTimeTable:
    council, rows = await tracker_rows(ctx.params["code"])
    return on_time(council.code, rows)


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
    commitment_create,
    commitment_report,
    commitment_view,
    commitment_list,
    commitment_csv,
    commitment_on_time,
]
