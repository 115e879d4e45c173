"""The questioning reports as files: DOCX and PDF in the official layout, XLSX as plain data."""

from __future__ import annotations

import asyncio

from starlette.responses import Response

from council.errors import NotFound
from council.i18n import N_
from council.models import Council
from council.officialdoc import OfficialDocument, render_docx, render_pdf
from council.uploads import DOCX, PDF, XLSX
from council.web import Ctx, api
from questioning import links, reports
from questioning import operations as ops
from questioning.scopes import council_by_code

FORMATS = {"docx": DOCX, "pdf": PDF, "xlsx": XLSX}


def _format(ctx: Ctx) -> str:
    fmt = str(ctx.params["fmt"])
    if fmt not in FORMATS:
        raise NotFound(N_("Reports come as docx, pdf or xlsx."))
    return fmt


async def _file(doc: OfficialDocument | None, data: bytes | None, fmt: str, name: str) -> Response:
    if fmt == "docx" and doc is not None:
        data = await asyncio.to_thread(render_docx, doc)
    elif fmt == "pdf" and doc is not None:
        data = await asyncio.to_thread(render_pdf, doc)
    return Response(
        data or b"",
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@api(
    "GET",
    "/api/v1/councils/{code}/questioning/commitments-report.{fmt}",
    perm=ops.QUESTIONING_REPORT,
    tags=["questioning"],
    summary="The commitments status report for the next sitting (docx, pdf: official layout; xlsx: data)",
    raw_response="application/octet-stream",
)
async def commitments_report(ctx: Ctx) -> Response:
    fmt = _format(ctx)
    council = await council_by_code(ctx.params["code"])
    if fmt == "xlsx":
        return await _file(None, await reports.commitments_xlsx(council), fmt, "loi-hua")
    return await _file(await reports.commitments_document(council), None, fmt, "loi-hua")


@api(
    "GET",
    "/api/v1/questioning/sessions/{session_id:int}/forms-report.{fmt}",
    perm=ops.QUESTION_REPORT,
    tags=["questioning"],
    summary="The sitting's question forms and groups (docx, pdf: official layout; xlsx: data)",
    raw_response="application/octet-stream",
)
async def forms_report(ctx: Ctx) -> Response:
    fmt = _format(ctx)
    sid = ctx.params["session_id"]
    council_id, title, _starts, _status = await links.sitting(sid)

    council = await Council.get(id=council_id)
    if fmt == "xlsx":
        return await _file(None, await reports.forms_xlsx(sid), fmt, "phieu-chat-van")
    return await _file(
        await reports.forms_document(council, sid, title), None, fmt, "phieu-chat-van"
    )


routes = [commitments_report, forms_report]
