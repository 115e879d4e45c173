"""Open data over the API: a council's current term's constituencies and delegates, as JSON and
CSV (UTF-8 with a BOM, for Excel)."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.responses import Response

from council.web import Ctx, api
from elections import operations as ops
from elections import services
from elections.opendata import constituencies, delegates
from elections.schemas import (
    OpenConstituencies,
    OpenConstituencyOut,
    OpenDelegateOut,
    OpenDelegates,
)


def _csv(rows: list[dict[str, Any]], columns: list[str], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                ";".join(row[c]) if isinstance(row[c], list) else ("" if row[c] is None else row[c])
                for c in columns
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@api(
    "GET",
    "/api/v1/councils/{code}/constituencies",
    perm=ops.CONSTITUENCY_LIST,
    response=OpenConstituencies,
    tags=["elections"],
    summary="The current term's constituencies with their seats in office and vacant (open data)",
)
async def constituencies_json(ctx: Ctx) -> OpenConstituencies:
    return await constituencies(await services.council_by_code(ctx.params["code"]))


@api(
    "GET",
    "/api/v1/councils/{code}/constituencies.csv",
    perm=ops.CONSTITUENCY_LIST,
    tags=["elections"],
    summary="The current term's constituencies as CSV (open data)",
    raw_response="text/csv",
)
async def constituencies_csv(ctx: Ctx) -> Response:
    council = await services.council_by_code(ctx.params["code"])
    data = await constituencies(council)
    rows = [i.model_dump(mode="json") for i in data.items]
    return _csv(rows, list(OpenConstituencyOut.model_fields), f"{council.code}.constituencies.csv")


@api(
    "GET",
    "/api/v1/councils/{code}/delegates",
    perm=ops.DELEGATE_LIST,
    response=OpenDelegates,
    tags=["elections"],
    summary="The current term's delegates with their published profiles and seats (open data)",
)
async def delegates_json(ctx: Ctx) -> OpenDelegates:
    return await delegates(await services.council_by_code(ctx.params["code"]))


@api(
    "GET",
    "/api/v1/councils/{code}/delegates.csv",
    perm=ops.DELEGATE_LIST,
    tags=["elections"],
    summary="The current term's delegates as CSV (open data)",
    raw_response="text/csv",
)
async def delegates_csv(ctx: Ctx) -> Response:
    council = await services.council_by_code(ctx.params["code"])
    data = await delegates(council)
    rows = [i.model_dump(mode="json") for i in data.items]
    return _csv(rows, list(OpenDelegateOut.model_fields), f"{council.code}.delegates.csv")


routes = [constituencies_json, constituencies_csv, delegates_json, delegates_csv]
