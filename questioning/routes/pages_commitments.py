"""Pages of commitments (recorded, reported on, their evidence), the public tracker of a council and
one's questioning inbox."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from council import storage
from council.errors import DomainError, NotFound
from council.i18n import N_
from council.localtime import local_date
from council.models import Council
from council.permissions import EVERY_ROLE
from council.templating import NavItem, register_nav, render
from council.validation import parse
from council.web import Ctx, page
from questioning import links, tracker
from questioning import operations as ops
from questioning.models import (
    Commitment,
    Notice,
    ProgressReport,
    QuestionForm,
)
from questioning.routes.api_commitments import on_time, tracker_rows
from questioning.routes.convert import commitment_out, form_out
from questioning.routes.pages import act, form_fields
from questioning.schemas import QCommitmentIn, QReportIn
from questioning.services import commitments
from questioning.services.commitments import MilestoneInput
from questioning.services.common import now

STATE_LABELS = {
    "done_on_time": N_("Done on time"),
    "done_late": N_("Done late"),
    "in_progress": N_("Being carried out"),
    "overdue": N_("Overdue"),
}


# --- commitments --------------------------------------------------------------------------------


@page(
    "/questioning/sessions/{session_id:int}/commitments",
    perm=ops.COMMITMENT_CREATE,
    methods=("POST",),
)
async def commitment_create_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    sid = ctx.params["session_id"]
    values = form_fields(
        form, ("agency_code", "official_name", "official_title", "measure", "deadline", "form_id")
    )

    async def run() -> None:
        data: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
        milestone = str(form.get("milestone_title") or "").strip()
        if milestone:
            data["milestones"] = [{"title": milestone, "due_on": form.get("milestone_due_on")}]
        body = parse(QCommitmentIn, data)
        await commitments.commitment_create(
            ctx.require_user(),
            sid,
            agency_code=body.agency_code,
            official_name=body.official_name,
            official_title=body.official_title,
            measure=body.measure,
            deadline=body.deadline,
            form_id=body.form_id,
            milestones=[MilestoneInput(m.title, m.due_on) for m in body.milestones],
        )

    return await act(ctx, run, f"/questioning/sessions/{sid}#commitments", values)


async def _commitment_page(ctx: Ctx, error: DomainError | None = None) -> Response:
    c = await Commitment.get_or_none(id=ctx.params["commitment_id"]).prefetch_related(
        "agency", "milestones", "reports"
    )
    if c is None:
        raise NotFound(N_("No such commitment."))
    council = await Council.get(id=c.council_id)
    return render(
        ctx.request,
        "questioning/commitment.html",
        {
            "c": commitment_out(c, council),
            "council": council,
            "may_report": commitments.may_report(ctx.user, c),
            "state_labels": STATE_LABELS,
            "error": error,
            "errors": (error.details.get("fields", {}) if error else {}),
        },
        status=error.status if error else 200,
    )


@page("/questioning/commitments/{commitment_id:int}", perm=ops.COMMITMENT_VIEW)
async def commitment_page(ctx: Ctx) -> Response:
    """A commitment: its measure, deadline, milestones, reports and evidence (public)."""
    return await _commitment_page(ctx)


@page(
    "/questioning/commitments/{commitment_id:int}/report",
    perm=ops.COMMITMENT_REPORT,
    methods=("POST",),
)
async def report_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    try:
        body = parse(
            QReportIn,
            {
                "percent": form.get("percent"),
                "note": form.get("note"),
                "milestones_done": [v for k, v in form.multi_items() if k == "milestones_done"],
            },
        )
        evidence = form.get("evidence")
        await commitments.commitment_report(
            ctx.require_user(),
            ctx.params["commitment_id"],
            percent=body.percent,
            note=body.note,
            milestones_done=body.milestones_done,
            evidence=evidence if isinstance(evidence, UploadFile) else None,
        )
    except DomainError as exc:
        return await _commitment_page(ctx, exc)
    return RedirectResponse(
        f"/questioning/commitments/{ctx.params['commitment_id']}", status_code=303
    )


@page("/questioning/evidence/{report_id:int}", perm=ops.COMMITMENT_VIEW)
async def evidence_page(ctx: Ctx) -> Response:
    """A progress report's evidence: public, as the tracker is."""
    report = await ProgressReport.get_or_none(id=ctx.params["report_id"])
    if report is None or not report.evidence_path:
        raise NotFound(N_("No such evidence."))
    return await storage.file_response(
        ctx.request,
        report.evidence_path,
        mime=report.evidence_mime or "application/octet-stream",
        filename=report.evidence_name,
        disposition="inline",
    )


@page("/questioning/tracker/{code}", perm=ops.COMMITMENT_LIST)
async def tracker_page(ctx: Ctx) -> Response:
    """The public tracker of a council's commitments, by agency, with the on-time table."""
    council, rows = await tracker_rows(ctx.params["code"])
    by_agency: dict[str, list[Any]] = {}
    for r in rows:
        by_agency.setdefault(r.agency_name, []).append(r)
    return render(
        ctx.request,
        "questioning/tracker.html",
        {
            "council": council,
            "by_agency": sorted(by_agency.items()),
            "table": on_time(council.code, rows),
            "state_labels": STATE_LABELS,
            "today": local_date(now()),
        },
    )


@page("/questioning", perm=ops.QUESTION_LIST)
async def hub_page(ctx: Ctx) -> Response:
    """Where questioning starts: one's council's sittings, one's inbox, every council's tracker."""
    user = ctx.user
    sittings = await links.sittings_of(user.council_id) if user and user.council_id else []
    notices = await Notice.filter(user_id=user.id).limit(20) if user else []
    to_answer: list[Any] = []
    to_report: list[Any] = []
    if user is not None and user.role == "agency" and user.agency_id:
        to_answer = [
            await form_out(f)
            for f in await QuestionForm.filter(
                agency_id=user.agency_id,
                state="filed",
                answered_at=None,
                answer_due_at__not_isnull=True,
            )
        ]
        to_report = await Commitment.filter(agency_id=user.agency_id, done_on=None)
    # Every council with a tracker, with how many commitments it holds, done and overdue.
    tallies = tracker.tally(
        await Commitment.all().values_list("council_id", "deadline", "done_on"),
        local_date(now()),  # Vietnam's day, as each council's tracker counts it
    )
    councils = [
        (c, tallies[c.id]) for c in await Council.filter(id__in=set(tallies)).order_by("name")
    ]
    return render(
        ctx.request,
        "questioning/hub.html",
        {
            "sittings": sittings,
            "notices": notices,
            "to_answer": to_answer,
            "to_report": to_report,
            "councils": councils,
            "now": now(),
        },
    )


register_nav(NavItem(N_("Questioning"), "/questioning", roles=EVERY_ROLE, order=45, public=True))


routes = [
    hub_page,
    commitment_create_page,
    commitment_page,
    report_page,
    evidence_page,
    tracker_page,
]
