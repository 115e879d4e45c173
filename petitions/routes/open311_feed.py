"""Open311 GeoReport v2, read-only (https://wiki.open311.org/GeoReport_v2): services are the
petition fields, requests are published petitions. JSON and XML, as the spec's format suffix."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from council.i18n import get_language
from council.models import Agency, Council
from petitions import open311
from petitions import operations as ops
from petitions.categories import BY_CODE
from petitions.categories import label as category_label
from petitions.models import Petition

MAX_REQUESTS = 1000
DEFAULT_REQUESTS = 50


def _respond(fmt: str, root: str, item: str, rows: list[dict]) -> Response:
    if fmt == "xml":
        return Response(open311.to_xml(root, item, rows), media_type="text/xml; charset=utf-8")
    return JSONResponse(rows)


def _error(fmt: str, status: int, text: str) -> Response:
    rows = open311.error(status, text)
    if fmt == "xml":
        return Response(
            open311.to_xml("errors", "error", rows),
            status_code=status,
            media_type="text/xml; charset=utf-8",
        )
    return JSONResponse(rows, status_code=status)


async def discovery(request: Request) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    return JSONResponse(
        {
            "changeset": "2026-01-01T00:00:00Z",
            "contact": "Văn phòng Hội đồng nhân dân",
            "key_service": "",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-01-01T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        }
    )


async def services(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in ("json", "xml"):
        return _error("json", 404, "format must be json or xml")
    return _respond(fmt, "services", "service", open311.services(get_language()))


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(value) from exc


async def _public_requests(petitions: list[Petition]) -> list[dict]:
    councils = {c.id: c for c in await Council.all()}
    agencies = {a.id: a for a in await Agency.all()}
    rows = []
    for p in petitions:
        rows.append(
            open311.request(
                open311.PublicRequest(
                    code=p.code,
                    category=p.category,
                    category_name=category_label(p.category),
                    title=p.title,
                    description=p.body,
                    status=p.status,
                    answer=p.answer,
                    agency=agencies[p.agency_id].name if p.agency_id else None,
                    commune=councils[p.council_id].name,
                    requested=p.created_at,
                    updated=p.updated_at,
                    expected=None,
                )
            )
        )
    return rows


def _published():
    return Petition.filter(
        status__in=("published", "closed"), published_at__isnull=False, merged_into_id__isnull=True
    )


async def requests(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in ("json", "xml"):
        return _error("json", 404, "format must be json or xml")
    q = request.query_params
    qs = _published()
    if ids := q.get("service_request_id"):
        qs = qs.filter(code__in=[i.strip() for i in ids.split(",")[:MAX_REQUESTS] if i.strip()])
    if code := q.get("service_code"):
        if code not in BY_CODE:
            return _error(fmt, 400, "unknown service_code")
        qs = qs.filter(category=code)
    if status := q.get("status"):
        if status not in ("open", "closed"):
            return _error(fmt, 400, "status must be open or closed")
        qs = qs.filter(status="closed") if status == "closed" else qs.exclude(status="closed")
    try:
        start, end = _parse_time(q.get("start_date")), _parse_time(q.get("end_date"))
    except ValueError:
        return _error(fmt, 400, "start_date and end_date must be W3C date-times")
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lte=end)
    petitions = await qs.order_by("-created_at").limit(
        DEFAULT_REQUESTS if not ids else MAX_REQUESTS
    )
    return _respond(fmt, "service_requests", "request", await _public_requests(petitions))


async def one_request(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in ("json", "xml"):
        return _error("json", 404, "format must be json or xml")
    p = await _published().get_or_none(code=request.path_params["code"])
    if p is None:
        return _error(fmt, 404, "no such published request")
    return _respond(fmt, "service_requests", "request", await _public_requests([p]))


async def read_only(request: Request) -> Response:
    return _error("json", 403, "this endpoint is read-only; file petitions at /petitions/new")


routes = [
    Route(
        "/open311/v2/discovery.json", discovery, methods=["GET"], name=ops.OPEN311_DISCOVERY.name
    ),
    Route("/open311/v2/services.{fmt}", services, methods=["GET"], name=ops.OPEN311_SERVICES.name),
    Route("/open311/v2/requests.{fmt}", requests, methods=["GET"], name=ops.OPEN311_REQUESTS.name),
    Route("/open311/v2/requests.{fmt}", read_only, methods=["POST"], name=ops.OPEN311_POST.name),
    Route(
        "/open311/v2/requests/{code}.{fmt}",
        one_request,
        methods=["GET"],
        name=ops.OPEN311_REQUEST.name,
    ),
]
