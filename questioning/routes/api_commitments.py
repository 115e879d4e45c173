"""The questioning JSON API of commitments: recorded at the sitting, progress reports, and the
public tracker (JSON, CSV and the on-time table by agency)."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.responses import Response

from council.errors import NotFound
from council.i18n import N_
from council.models import Council
from council.web import Ctx, api
from questioning import operations as ops
from questioning import tracker
from questioning.models import Commitment
from questioning.routes.api import body_and_file
from questioning.routes.convert import commitment_out
from questioning.schemas import (
    QAgencyRowOut,
    QCommitmentIn,
    QCommitmentList,
    QCommitmentOut,
    QOnTimeTable,
    QReportIn,
)
from questioning.scopes import council_by_code
from questioning.services import commitments
from questioning.services.commitments import MilestoneInput

TAGS = ["questioning"]


# --- commitments --------------------------------------------------------------------------------


async def _commitment(cid: int) -> QCommitmentOut:

    c = await Commitment.get(id=cid).prefetch_related("agency", "milestones", "reports")
    return commitment_out(c, await Council.get(id=c.council_id))


@api(
    "POST",
    "/api/v1/questioning/sessions/{session_id:int}/commitments",
    perm=ops.COMMITMENT_CREATE,
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
    perm=ops.COMMITMENT_REPORT,
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
    perm=ops.COMMITMENT_VIEW,
    response=QCommitmentOut,
    tags=TAGS,
    summary="One commitment with its milestones and history (open data)",
)
async def commitment_view(ctx: Ctx) -> QCommitmentOut:

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
    perm=ops.COMMITMENT_LIST,
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
    perm=ops.COMMITMENT_LIST,
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
    perm=ops.COMMITMENT_LIST,
    response=QOnTimeTable,
    tags=TAGS,
    summary="Per agency: commitments done on time, late, in progress and overdue (open data)",
)
async def commitment_on_time(ctx: Ctx) -> QOnTimeTable:
    council, rows = await tracker_rows(ctx.params["code"])
    return on_time(council.code, rows)


routes = [
    commitment_create,
    commitment_report,
    commitment_view,
    commitment_list,
    commitment_csv,
    commitment_on_time,
]
