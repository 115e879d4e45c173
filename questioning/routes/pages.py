"""The questioning pages: a sitting's forms and groups, a form with its answer, a commitment with
its history, the public tracker and one's inbox. Each POST points at its operation (``questioning/operations.py``);
a refused one shows the page again with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid
from council.i18n import N_
from council.localtime import local
from council.models import Agency, Council
from council.templating import render
from council.validation import parse
from council.web import Ctx, page
from questioning import links
from questioning import operations as ops
from questioning.models import (
    CRITERIA,
    QuestionGroup,
    Round,
    SelectionVote,
)
from questioning.operations import OPERATIONS
from questioning.routes.api import form_input
from questioning.routes.convert import form_out, round_out
from questioning.schemas import QFormIn, QLimitsIn
from questioning.services import answers, forms, groups, live, selection
from questioning.services.common import is_staff

CRITERION_LABELS = {
    "pressing": N_("Pressing local issue"),
    "violations": N_("Signs of violations"),
    "rejected_answers": N_("Earlier answers delegates rejected"),
    "supervision": N_("Supervision findings"),
    "requestioning": N_("Re-questioning (tái chất vấn)"),
}

# An answer as the delegate assessed it (the buttons of templates/questioning/form.html).
VERDICT_LABELS = {
    "satisfactory": N_("Satisfactory"),
    "unsatisfactory": N_("Unsatisfactory"),
}


def form_fields(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {k: form.get(k) for k in names if isinstance(form.get(k), str)}


async def _session_page(
    ctx: Ctx, error: DomainError | None = None, values: dict[str, Any] | None = None
) -> Response:
    session_id = ctx.params["session_id"]
    council_id, title, starts_at, status = await links.sitting(session_id)
    user = ctx.user
    staff = is_staff(user, council_id)
    rnd = await Round.get_or_none(session_id=session_id)
    visible = [await form_out(f) for f in await forms.question_list(user, session_id)]
    may_file = (
        user is not None
        and user.role in ("delegate", "chair")
        and user.council_id == council_id
        and status in forms.COMING
        and not (rnd and rnd.groups_fixed_at)
    )
    council = await Council.get(id=council_id)
    agencies = await Agency.filter(council_id=council_id, is_active=True).order_by("name")
    ballot = await selection.ballot_of(session_id)
    ballot_view: dict[str, Any] | None = None
    if ballot is not None and user is not None and user.council_id == council_id:
        result = await selection.tally(ballot)
        ballot_view = {
            "status": ballot.status,
            "max_choices": ballot.max_choices,
            "voted": result.voted,
            "eligible": result.eligible,
            "has_voted": await SelectionVote.exists(ballot_id=ballot.id, user_id=user.id),
            "may_vote": user.role in ("delegate", "chair"),
            "counts": result.counts if (staff or ballot.status == "closed") else None,
            "groups": await QuestionGroup.filter(round_id=ballot.round_id),
        }
    live_on = staff and status == "in_progress" and rnd is not None and rnd.groups_fixed_at
    return render(
        ctx.request,
        "questioning/session.html",
        {
            "session_id": session_id,
            "title": title,
            "starts_at": starts_at,
            "council": council,
            "forms": visible,
            "round": await round_out(session_id, rnd) if staff else None,
            "staff": staff,
            "may_file": may_file,
            "agencies": agencies,
            "criteria": [(c, CRITERION_LABELS[c]) for c in CRITERIA],
            "criterion_labels": CRITERION_LABELS,
            "ballot": ballot_view,
            "live": await live.state(session_id) if live_on else None,
            # A vote in progress holds the floor: the step buttons wait for its close.
            "vote_open": await links.open_poll(session_id) if live_on else None,
            # Each chosen group's conclusion, so that a concluded group shows it instead of an
            # empty form that looks as if the chair's "Conclude" had done nothing.
            "concluded": (
                {g["id"]: g["conclusion"] for g in await live.board(session_id) if g["conclusion"]}
                if live_on
                else {}
            ),
            "limits": await live.limits_view(session_id) if staff else None,
            "local_clock": lambda iso: local(datetime.fromisoformat(iso)).strftime("%H:%M:%S"),
            "error": error,
            "errors": (error.details.get("fields", {}) if error else {}),
            "values": values or {},
        },
        status=error.status if error else 200,
    )


@page("/questioning/sessions/{session_id:int}", perm=ops.QUESTION_LIST)
async def session_page(ctx: Ctx) -> Response:
    """A sitting's question forms (as the caller may see them) and, for the chair's side, groups."""
    return await _session_page(ctx)


async def act(
    ctx: Ctx, run: Callable[[], Awaitable[Any]], done: str, values: dict[str, Any] | None = None
) -> Response:
    try:
        await run()
    except DomainError as exc:
        return await _session_page(ctx, exc, values)
    return RedirectResponse(done, status_code=303)


FORM_FIELDS = ("agency_code", "official_name", "official_title", "field", "text", "petition_codes")


def _form_in(values: dict[str, Any], written_only: bool) -> QFormIn:
    codes = [c.strip() for c in str(values.get("petition_codes") or "").split(",") if c.strip()]
    return parse(QFormIn, {**values, "petition_codes": codes, "written_only": written_only})


@page(
    "/questioning/sessions/{session_id:int}/forms",
    perm=ops.QUESTION_FILE,
    methods=("POST",),
)
async def file_page(ctx: Ctx) -> Response:
    """A delegate files a question form."""
    form = await ctx.form()
    values = form_fields(form, FORM_FIELDS)
    sid = ctx.params["session_id"]

    async def run() -> None:
        body = _form_in(values, form.get("written_only") == "1")
        await forms.question_file(ctx.require_user(), sid, form_input(body))

    return await act(ctx, run, f"/questioning/sessions/{sid}?filed=1", values)


@page(
    "/questioning/sessions/{session_id:int}/groups",
    perm=ops.QUESTION_GROUP_CREATE,
    methods=("POST",),
)
async def group_create_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    sid = ctx.params["session_id"]

    async def run() -> None:
        await groups.question_group_create(
            ctx.require_user(),
            sid,
            title=str(form.get("title") or "").strip()[:300]
            or _raise(Invalid(fields={"title": str(N_("Give the group a title."))})),
            criterion=str(form.get("criterion") or ""),
        )

    return await act(ctx, run, f"/questioning/sessions/{sid}?group=created#groups")


def _raise(exc: DomainError) -> str:
    raise exc


def _simple(op: str, path: str, call: Callable[[Ctx, int], Awaitable[Any]]) -> Any:
    @page(path, perm=OPERATIONS[op], methods=("POST",), name=f"{op}:page")
    async def handler(ctx: Ctx) -> Response:
        sid = ctx.params["session_id"]
        return await act(ctx, lambda: call(ctx, sid), f"/questioning/sessions/{sid}#groups")

    return handler


propose_page = _simple(
    "question_group.propose",
    "/questioning/sessions/{session_id:int}/propose",
    lambda ctx, sid: groups.question_group_propose(ctx.require_user(), sid),
)
requestion_page = _simple(
    "question_group.requestion",
    "/questioning/sessions/{session_id:int}/requestion",
    lambda ctx, sid: groups.question_group_requestion(ctx.require_user(), sid),
)
fix_page = _simple(
    "question_group.fix",
    "/questioning/sessions/{session_id:int}/fix",
    lambda ctx, sid: groups.question_group_fix(ctx.require_user(), sid),
)
hold_page = _simple(
    "questioning.hold",
    "/questioning/sessions/{session_id:int}/hold",
    lambda ctx, sid: groups.questioning_hold(ctx.require_user(), sid),
)


LIMIT_FIELDS = ("asking_minutes", "answering_minutes", "followup_minutes")


@page(
    "/questioning/sessions/{session_id:int}/limits",
    perm=ops.QUESTIONING_LIMITS,
    methods=("POST",),
)
async def limits_page(ctx: Ctx) -> Response:
    """The round's time limits; htmx: the limits' card again, saved or with the refusal."""
    form = await ctx.form()
    sid = ctx.params["session_id"]
    values = form_fields(form, LIMIT_FIELDS)

    async def run() -> None:
        body = parse(QLimitsIn, {k: v.strip() or None for k, v in values.items()})
        await live.questioning_limits(
            ctx.require_user(),
            sid,
            asking_minutes=body.asking_minutes,
            answering_minutes=body.answering_minutes,
            followup_minutes=body.followup_minutes,
        )

    if not ctx.is_htmx:
        return await act(ctx, run, f"/questioning/sessions/{sid}?limits=saved#limits", values)
    error: DomainError | None = None
    try:
        await run()
    except DomainError as exc:
        error = exc
    return render(
        ctx.request,
        "questioning/_limits.html",
        {
            "session_id": sid,
            "limits": await live.limits_view(sid),
            "limits_saved": error is None,
            "limits_error": error,
            "errors": (error.details.get("fields", {}) if error else {}),
            "values": values if error else {},
        },
        status=error.status if error else 200,
        headers={"Cache-Control": "no-store"},
    )


def _ids(form: Any, name: str) -> list[int]:
    out = []
    for key, value in form.multi_items():
        if key == name and isinstance(value, str):
            for part in value.replace(",", " ").split():
                if not part.isdigit():
                    raise Invalid(fields={name: str(N_("Give group numbers."))})
                out.append(int(part))
    return out


def _max_choices(form: Any) -> int:
    value = str(form.get("max_choices") or "")
    if not value.isdigit() or not 1 <= int(value) <= 50:
        raise Invalid(fields={"max_choices": str(N_("A number of groups from 1 to 50."))})
    return int(value)


@page(
    "/questioning/sessions/{session_id:int}/selection",
    perm=ops.SELECTION_OPEN,
    methods=("POST",),
)
async def selection_open_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    sid = ctx.params["session_id"]
    return await act(
        ctx,
        lambda: selection.selection_open(ctx.require_user(), sid, _max_choices(form)),
        f"/questioning/sessions/{sid}#selection",
    )


@page(
    "/questioning/sessions/{session_id:int}/selection/votes",
    perm=ops.SELECTION_VOTE,
    methods=("POST",),
)
async def selection_vote_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    sid = ctx.params["session_id"]
    return await act(
        ctx,
        lambda: selection.selection_vote(ctx.require_user(), sid, _ids(form, "group_ids")),
        f"/questioning/sessions/{sid}#selection",
    )


@page(
    "/questioning/sessions/{session_id:int}/selection/close",
    perm=ops.SELECTION_CLOSE,
    methods=("POST",),
)
async def selection_close_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    sid = ctx.params["session_id"]
    return await act(
        ctx,
        lambda: selection.selection_close(ctx.require_user(), sid, _ids(form, "prefer")),
        f"/questioning/sessions/{sid}#selection",
    )


@page(
    "/questioning/sessions/{session_id:int}/move",
    perm=ops.QUESTION_GROUP_MOVE,
    methods=("POST",),
)
async def move_page(ctx: Ctx) -> Response:
    """Each form's group from the table's selects, and groups chosen by their checkboxes."""
    form = await ctx.form()
    sid = ctx.params["session_id"]

    async def run() -> None:
        user = ctx.require_user()
        rnd = await Round.get_or_none(session_id=sid)
        if rnd is None:
            return
        moves: dict[int | None, list[int]] = {}
        for key, value in form.multi_items():
            if key.startswith("group_of_") and isinstance(value, str):
                try:
                    fid = int(key[9:])
                    gid = int(value) if value else None
                except ValueError:
                    raise Invalid() from None
                moves.setdefault(gid, []).append(fid)
        for gid, fids in moves.items():
            await groups.question_group_move(user, gid, fids, sid)
        chosen = {str(v) for k, v in form.multi_items() if k == "chosen"}
        for g in await QuestionGroup.filter(round_id=rnd.id):
            if g.chosen != (str(g.id) in chosen):
                await groups.question_group_choose(user, g.id, str(g.id) in chosen)

    return await act(ctx, run, f"/questioning/sessions/{sid}#groups")


# --- a form and its answer ----------------------------------------------------------------------


async def _form_page(ctx: Ctx, error: DomainError | None = None) -> Response:
    form = await forms.form_for(ctx.user, ctx.params["form_id"])
    user = ctx.user
    rnd = await Round.get(id=form.round_id)
    return render(
        ctx.request,
        "questioning/form.html",
        {
            "f": await form_out(form),
            "is_asker": user is not None and user.id == form.asker_id,
            "open": rnd.groups_fixed_at is None,
            "staff": is_staff(user, form.council_id),
            "may_answer": answers.may_answer(user, form),
            "agencies": await Agency.filter(council_id=form.council_id, is_active=True),
            "error": error,
            "errors": (error.details.get("fields", {}) if error else {}),
        },
        status=error.status if error else 200,
    )


@page("/questioning/forms/{form_id:int}", perm=ops.QUESTION_VIEW)
async def form_page(ctx: Ctx) -> Response:
    """A question form, its written answer and the asker's assessment."""
    return await _form_page(ctx)


def _form_op(op: str, suffix: str, call: Callable[[Ctx, Any], Awaitable[Any]]) -> Any:
    @page(
        f"/questioning/forms/{{form_id:int}}/{suffix}",
        perm=OPERATIONS[op],
        methods=("POST",),
        name=f"{op}:page",
    )
    async def handler(ctx: Ctx) -> Response:
        data = await ctx.form()
        try:
            await call(ctx, data)
        except DomainError as exc:
            return await _form_page(ctx, exc)
        return RedirectResponse(f"/questioning/forms/{ctx.params['form_id']}", status_code=303)

    return handler


async def _edit(ctx: Ctx, data: Any) -> None:
    body = _form_in(form_fields(data, FORM_FIELDS), data.get("written_only") == "1")
    await forms.question_edit(ctx.require_user(), ctx.params["form_id"], form_input(body))


def _working_days(data: Any) -> int:
    try:
        return int(str(data.get("working_days") or "10"))
    except ValueError:
        raise Invalid(fields={"working_days": str(N_("Between 1 and 60 working days."))}) from None


async def _answer(ctx: Ctx, data: Any) -> None:
    text = str(data.get("text") or "").strip()
    if not text:
        raise Invalid(fields={"text": str(N_("Write the answer."))})
    letter = data.get("letter")
    await answers.answer_submit(
        ctx.require_user(),
        ctx.params["form_id"],
        text[:20000],
        letter if isinstance(letter, UploadFile) else None,
    )


edit_page = _form_op("question.edit", "edit", _edit)
withdraw_page = _form_op(
    "question.withdraw",
    "withdraw",
    lambda ctx, data: forms.question_withdraw(ctx.require_user(), ctx.params["form_id"]),
)
request_page = _form_op(
    "answer.request",
    "answer-request",
    lambda ctx, data: answers.answer_request(
        ctx.require_user(), ctx.params["form_id"], _working_days(data)
    ),
)
answer_page = _form_op("answer.submit", "answer", _answer)
assess_page = _form_op(
    "answer.assess",
    "assess",
    lambda ctx, data: answers.answer_assess(
        ctx.require_user(), ctx.params["form_id"], str(data.get("verdict") or "")
    ),
)


routes = [
    session_page,
    file_page,
    group_create_page,
    propose_page,
    requestion_page,
    fix_page,
    hold_page,
    move_page,
    limits_page,
    selection_open_page,
    selection_vote_page,
    selection_close_page,
    form_page,
    edit_page,
    withdraw_page,
    request_page,
    answer_page,
    assess_page,
]
