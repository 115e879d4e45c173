"""The results workbook over the API: export the polling areas' counts as
the XLSX template, import them back (all rows or none)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from council.errors import Invalid
from council.i18n import N_
from council.web import Ctx, api
from elections import operations as ops
from elections import services, workbook
from elections.schemas import ImportOut

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def upload_bytes(ctx: Ctx) -> bytes:
    form = await ctx.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(fields={"file": str(N_("Choose the XLSX workbook to import."))})
    data = await upload.read(workbook.MAX_BYTES + 1)
    if not data:
        raise Invalid(fields={"file": str(N_("Choose the XLSX workbook to import."))})
    return data


@api(
    "GET",
    "/api/v1/elections/{slug}/counts.xlsx",
    perm=ops.AREA_EXPORT,
    tags=["elections"],
    summary="The polling areas' counts as the XLSX template (one row per polling area)",
    raw_response=XLSX,
)
async def counts_export(ctx: Ctx) -> Response:
    election = await services.election_by_slug(ctx.params["slug"])
    data = await workbook.export(election)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{election.slug}.counts.xlsx"'},
    )


@api(
    "POST",
    "/api/v1/elections/{slug}/counts.xlsx",
    perm=ops.AREA_IMPORT,
    response=ImportOut,
    tags=["elections"],
    summary="Import the polling areas' counts from the XLSX template: every row or none",
    multipart={"file": "the XLSX workbook (the template of GET …/counts.xlsx)"},
)
async def counts_import(ctx: Ctx) -> ImportOut:
    election = await services.election_by_slug(ctx.params["slug"])
    data = await upload_bytes(ctx)
    n = await workbook.import_counts(ctx.require_user(), election, data)
    return ImportOut(election_id=election.slug, areas=n)


routes = [counts_export, counts_import]
