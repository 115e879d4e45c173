"""Downloads: staff exports (scoped), the public export, and the two session reports (the
petitions/exports.py formats, the summary_report and results_report documents)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from council import audit, storage
from council.errors import Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import Agency, Council
from council.validation import int_param
from council.web import Ctx, api
from petitions import indexing, labels
from petitions import operations as ops
from petitions.categories import label as category_label
from petitions.exports import PERSONAL_COLUMNS, PUBLIC_COLUMNS, STAFF_COLUMNS, to_csv, to_xlsx
from petitions.models import Cycle, Petition
from petitions.results_report import results_docx, results_pdf, results_xlsx
from petitions.services import Filters
from petitions.services.queries import OPEN_STATUSES, select_all
from petitions.services.reports import report_input
from petitions.services.scope import PERSONAL_DATA_ROLES, sees_personal_data
from petitions.services.tracking import authenticate, reply_letter
from petitions.summary_report import summary_docx, summary_pdf, summary_xlsx

TAGS = ["petitions"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_EXPORT = 50_000


async def reply_letter_download(
    request: Any, code: str, token: str, ip: str, letter_id: int
) -> Response:
    """A published reply letter for its petitioner (the API and the tracking page alike): the
    tracking check first (wrong tokens count against its limit), never cached."""
    p = await authenticate(code, token, ip)
    a = await reply_letter(p, letter_id)
    return await storage.file_response(
        request,
        a.path,
        mime=a.mime,
        filename=a.original_name,
        disposition="attachment",
        headers={"Cache-Control": "private, no-store"},
    )


async def _rows(
    petitions: list[Petition], *, staff: Any = None, personal: bool = False
) -> list[dict[str, Any]]:
    councils = {c.id: c for c in await Council.all()}
    agencies = {a.id: a for a in await Agency.all()}
    now = datetime.now(UTC)
    rows = []
    for p in petitions:
        public_answer = p.status in ("published", "closed") and p.published_at is not None
        row: dict[str, Any] = {
            "code": p.code,
            "title": p.title,
            "category": category_label(p.category),
            "council": councils[p.council_id].name,
            "status": labels.text(labels.STATUS, p.status),
            "agency": agencies[p.agency_id].name if p.agency_id else "",
            "filed_at": p.created_at,
            "answered_at": p.answered_at if (staff or public_answer) else None,
            "resolution": labels.text(labels.RESOLUTION, p.resolution) if p.resolution else "",
            "weight": p.weight,
            "answer": p.answer if (staff or public_answer) else "",
        }
        if staff is not None:
            row.update(
                channel=labels.text(labels.CHANNEL, p.channel),
                cycle=p.cycle_id,
                due_at=p.due_at,
                overdue=p.status in OPEN_STATUSES and p.due_at is not None and p.due_at < now,
                body=p.body,
            )
            if personal and sees_personal_data(staff, p):
                row.update(name=p.name, phone=p.phone, email=p.email, address=p.address)
        rows.append(row)
    return rows


def _download(data: bytes, media: str, name: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


FILTER_NAMES = (
    "q",
    "status",
    "council_code",
    "category",
    "channel",
    "date_from",
    "date_to",
    "overdue",
    "agency_code",
    "cycle_id",
)
YES = ("1", "true", "yes", "on")


async def _staff_export(ctx: Ctx, fmt: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """petition.export: exactly the rows of the list as filtered (``q`` included); personal data
    columns only when asked for (``personal``) by a role that may see them, and then only in the
    rows the caller may see. Every export is audited with its filters and row count."""
    user = ctx.require_user()
    f = Filters.parse(ctx.query)
    personal = (ctx.query.get("personal") or "").strip().lower() in YES
    if personal and user.role not in PERSONAL_DATA_ROLES:
        raise Forbidden(N_("Your role may not see personal data."), field="personal")
    indexing.use_data_dir(ctx.settings.index_dir)
    petitions = await select_all(user, f, MAX_EXPORT)
    rows = await _rows(petitions, staff=user, personal=personal)
    columns = list(STAFF_COLUMNS) + (list(PERSONAL_COLUMNS) if personal else [])
    used = {k: v for k in FILTER_NAMES if (v := (ctx.query.get(k) or "").strip())}
    await audit.record(
        "petition.export",
        actor=user,
        target_type="petition_list",
        council_id=user.council_id,
        details={"format": fmt, "filters": used, "rows": len(rows), "personal": personal},
    )
    return rows, columns


EXPORT_QUERY = {
    "q": "Search text or a tracking code, as in the list",
    "status": "A status",
    "council_code": "A council",
    "category": "A field code",
    "channel": "A channel",
    "overdue": "true or false",
    "date_from": "YYYY-MM-DD",
    "date_to": "YYYY-MM-DD",
    "agency_code": "An agency",
    "cycle_id": "A cycle",
    "personal": "true: add name, phone, e-mail and address (roles that may see them; audited)",
}


@api(
    "GET",
    "/api/v1/petitions/export.csv",
    perm=ops.PETITION_EXPORT,
    tags=TAGS,
    summary="CSV of the staff list as filtered (personal data only when asked and allowed)",
    query=EXPORT_QUERY,
    raw_response="text/csv",
)
async def export_csv(ctx: Ctx) -> Response:
    rows, columns = await _staff_export(ctx, "csv")
    return _download(to_csv(rows, columns), "text/csv; charset=utf-8", "kien-nghi.csv")


@api(
    "GET",
    "/api/v1/petitions/export.xlsx",
    perm=ops.PETITION_EXPORT,
    tags=TAGS,
    summary="XLSX of the staff list as filtered (personal data only when asked and allowed)",
    query=EXPORT_QUERY,
    raw_response=XLSX,
)
async def export_xlsx(ctx: Ctx) -> Response:
    rows, columns = await _staff_export(ctx, "xlsx")
    return _download(to_xlsx(rows, columns, "Kiến nghị"), XLSX, "kien-nghi.xlsx")


@api(
    "GET",
    "/api/v1/public/petitions/export.csv",
    perm=ops.PETITION_PUBLIC_EXPORT,
    tags=TAGS,
    summary="CSV of published petitions and answers, without personal data",
    raw_response="text/csv",
)
async def public_export_csv(ctx: Ctx) -> Response:
    petitions = (
        await Petition.filter(
            status__in=("published", "closed"),
            published_at__isnull=False,
            merged_into_id__isnull=True,
        )
        .order_by("-published_at")
        .limit(MAX_EXPORT)
    )
    return _download(
        to_csv(await _rows(petitions), PUBLIC_COLUMNS),
        "text/csv; charset=utf-8",
        "kien-nghi-cong-khai.csv",
    )


async def _report_cycle(ctx: Ctx) -> tuple[Cycle, Council]:
    user = ctx.require_user()
    cycle_id = int_param(ctx.query, "cycle_id", minimum=0)
    if cycle_id is None:
        raise Invalid(fields={"cycle_id": str(N_("A whole number is expected here."))})
    cycle = await Cycle.get_or_none(id=cycle_id)
    if cycle is None:
        raise NotFound(N_("No such cycle."))
    if user.role != "admin" and user.council_id != cycle.council_id:
        raise Forbidden(N_("This belongs to another council or agency."))
    return cycle, await Council.get(id=cycle.council_id)


@api(
    "GET",
    "/api/v1/petitions/reports/{kind}.{fmt}",
    perm=ops.PETITION_REPORT,
    tags=TAGS,
    query={"cycle_id": "The session cycle"},
    raw_response=DOCX,
    summary="Summary report (kind=summary) or report on results (kind=results), grouped by "
    "topic, in the official layout: docx, pdf or xlsx",
)
async def report(ctx: Ctx) -> Response:
    kind, fmt = ctx.params["kind"], ctx.params["fmt"]
    if kind not in ("summary", "results") or fmt not in ("docx", "pdf", "xlsx"):
        raise NotFound()
    cycle, council = await _report_cycle(ctx)
    data = await report_input(cycle, council)
    render = {
        ("summary", "docx"): summary_docx,
        ("summary", "pdf"): summary_pdf,
        ("summary", "xlsx"): summary_xlsx,
        ("results", "docx"): results_docx,
        ("results", "pdf"): results_pdf,
        ("results", "xlsx"): results_xlsx,
    }[(kind, fmt)]
    name = (
        f"bao-cao-{'tong-hop' if kind == 'summary' else 'ket-qua'}-{council.code}-{cycle.id}.{fmt}"
    )
    mime = {"docx": DOCX, "pdf": "application/pdf", "xlsx": XLSX}[fmt]
    # Grouping by topic and laying the document out are CPU work: off the event loop.
    return _download(await asyncio.to_thread(render, data), mime, name)


routes = [export_csv, export_xlsx, public_export_csv, report]
