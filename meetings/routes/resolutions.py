"""The resolutions' JSON API: issuing, editing, signing (on the server or remotely), publishing,
and the public list with each resolution's signed PDF."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from council import storage
from council.models import Council
from council.signing.schemas import SignPrepareOut
from council.validation import int_param
from council.web import Ctx, api
from meetings import operations as ops
from meetings.resolutions import services, signing
from meetings.resolutions.models import Resolution
from meetings.resolutions.schemas import PublicResolutionListOut, ResolutionOut
from meetings.services.common import iso

TAGS = ["resolutions"]


async def resolution_out(resolution: Resolution) -> dict[str, Any]:
    council = await Council.get(id=resolution.council_id)
    return {
        "id": resolution.id,
        "council_code": council.code,
        "session_id": resolution.session_id,
        "item_id": resolution.item_id,
        "number": resolution.number,
        "year": resolution.year,
        "number_label": services.number_label(resolution),
        "title": resolution.title,
        "text": resolution.text,
        "vote_line": resolution.vote_line,
        "status": resolution.status,
        "passed_at": iso(resolution.passed_at),
        "issued_at": iso(resolution.issued_at),
        "signed_at": iso(resolution.signed_at),
        "signer_name": resolution.signer_name,
        "published_at": iso(resolution.published_at),
        "pdf_url": f"/api/v1/resolutions/{resolution.id}/pdf",
    }


def public_out(resolution: Resolution, council: Council) -> dict[str, Any]:
    return {
        "id": resolution.id,
        "council_code": council.code,
        "council_name": council.name,
        "number_label": services.number_label(resolution),
        "title": resolution.title,
        "passed_at": iso(resolution.passed_at),
        "published_at": iso(resolution.published_at),
        "signer_name": resolution.signer_name,
        "url": f"/public/resolutions/{resolution.id}",
        "pdf_url": f"/public/resolutions/{resolution.id}/pdf",
    }


def pdf_name(resolution: Resolution) -> str:
    return f"nghi-quyet-{resolution.number}-{resolution.year}.pdf"


@api(
    "POST",
    "/api/v1/items/{item_id:int}/resolution",
    perm=ops.RESOLUTION_ISSUE,
    status=201,
    response=ResolutionOut,
    tags=TAGS,
    summary="Issue the resolution of a passed draft-resolution item: the next number of the "
    "council's series for the year, the draft's text and the vote line",
)
async def resolution_issue(ctx: Ctx) -> dict[str, Any]:
    resolution = await services.resolution_issue(
        ctx.require_user(), ctx.params["item_id"], ctx.body.title
    )
    return await resolution_out(resolution)


@api(
    "GET",
    "/api/v1/resolutions/{resolution_id:int}",
    perm=ops.RESOLUTION_VIEW,
    response=ResolutionOut,
    tags=TAGS,
    summary="A resolution at any stage (the council's staff)",
)
async def resolution_view(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user()
    return await resolution_out(
        await services.resolution_for_staff(user, ctx.params["resolution_id"])
    )


@api(
    "PATCH",
    "/api/v1/resolutions/{resolution_id:int}",
    perm=ops.RESOLUTION_UPDATE,
    response=ResolutionOut,
    tags=TAGS,
    summary="Edit the title or text of a resolution not yet signed",
)
async def resolution_update(ctx: Ctx) -> dict[str, Any]:
    resolution = await services.resolution_update(
        ctx.require_user(), ctx.params["resolution_id"], ctx.body.title, ctx.body.text
    )
    return await resolution_out(resolution)


@api(
    "GET",
    "/api/v1/resolutions/{resolution_id:int}/pdf",
    perm=ops.RESOLUTION_VIEW,
    tags=TAGS,
    summary="The resolution as PDF: the signed file, else the draft (header X-Resolution-Signed)",
    raw_response="application/pdf",
)
async def resolution_pdf(ctx: Ctx) -> Response:
    resolution = await services.resolution_for_staff(
        ctx.require_user(), ctx.params["resolution_id"]
    )
    data, signed = await signing.resolution_pdf(resolution)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{pdf_name(resolution)}"',
            "X-Resolution-Signed": "true" if signed else "false",
            "Cache-Control": "no-store",
        },
    )


@api(
    "POST",
    "/api/v1/resolutions/{resolution_id:int}/sign",
    perm=ops.RESOLUTION_SIGN,
    response=ResolutionOut,
    tags=TAGS,
    summary="The chair signs with the server's key (PKCS#12 file, or a PKCS#11 token and its PIN)",
)
async def resolution_sign(ctx: Ctx) -> dict[str, Any]:
    resolution = await signing.resolution_sign(
        ctx.require_user(), ctx.params["resolution_id"], ctx.settings, ctx.body.pin
    )
    return await resolution_out(resolution)


@api(
    "POST",
    "/api/v1/resolutions/{resolution_id:int}/sign/prepare",
    perm=ops.RESOLUTION_SIGN_PREPARE,
    response=SignPrepareOut,
    tags=TAGS,
    summary="Remote signing, step 1: the server prepares the PDF; the answer is the digest the "
    "chair's client signs (a CMS SignedData, PAdES) and the session to complete",
)
async def resolution_sign_prepare(ctx: Ctx) -> dict[str, Any]:
    return await signing.resolution_sign_prepare(
        ctx.require_user(), ctx.params["resolution_id"], ctx.body.certificate
    )


@api(
    "POST",
    "/api/v1/resolutions/{resolution_id:int}/sign/complete",
    perm=ops.RESOLUTION_SIGN_COMPLETE,
    response=ResolutionOut,
    tags=TAGS,
    summary="Remote signing, step 2: the CMS signature (base64 DER) is checked and embedded",
)
async def resolution_sign_complete(ctx: Ctx) -> dict[str, Any]:
    resolution = await signing.resolution_sign_complete(
        ctx.require_user(),
        ctx.params["resolution_id"],
        ctx.body.session_id,
        ctx.body.cms,
        ctx.settings,
    )
    return await resolution_out(resolution)


@api(
    "POST",
    "/api/v1/resolutions/{resolution_id:int}/publish",
    perm=ops.RESOLUTION_PUBLISH,
    response=ResolutionOut,
    tags=TAGS,
    summary="Publish a signed resolution on the public portal",
)
async def resolution_publish(ctx: Ctx) -> dict[str, Any]:
    resolution = await services.resolution_publish(ctx.require_user(), ctx.params["resolution_id"])
    return await resolution_out(resolution)


async def public_rows(ctx: Ctx) -> tuple[list[tuple[Resolution, Council]], int]:
    """The public list's page of (resolution, council) from the query, and the total."""
    q = str(ctx.query.get("q", ""))[:200]
    code = str(ctx.query.get("council_code", ""))[:32] or None
    limit = int_param(ctx.query, "limit", services.PUBLIC_PAGE, minimum=1, maximum=200)
    offset = int_param(ctx.query, "offset", 0, minimum=0, maximum=100_000)
    rows, total = await services.public_resolutions(code, q, limit, offset)
    councils = {c.id: c for c in await Council.filter(id__in={r.council_id for r in rows})}
    return [(r, councils[r.council_id]) for r in rows], total


@api(
    "GET",
    "/api/v1/public/resolutions",
    perm=ops.RESOLUTION_PUBLIC,
    response=PublicResolutionListOut,
    tags=TAGS,
    summary="Published resolutions, newest first; q finds every word in the number, title or "
    "text, with or without Vietnamese accents",
    query={
        "council_code": "one council's resolutions",
        "q": "words to find",
        "limit": "1-200",
        "offset": "from",
    },
)
async def public_resolutions(ctx: Ctx) -> dict[str, Any]:
    rows, total = await public_rows(ctx)
    return {"items": [public_out(r, c) for r, c in rows], "total": total}


async def signed_file(ctx: Ctx) -> Response:
    """A published resolution's signed PDF, for anyone."""
    resolution = await services.public_resolution(ctx.params["resolution_id"])
    return await storage.file_response(
        ctx.request,
        resolution.signed_path or "",
        mime="application/pdf",
        filename=pdf_name(resolution),
        disposition="attachment",
    )


@api(
    "GET",
    "/api/v1/public/resolutions/{resolution_id:int}/pdf",
    perm=ops.RESOLUTION_PUBLIC,
    tags=TAGS,
    summary="A published resolution's signed PDF",
    raw_response="application/pdf",
)
async def public_resolution_pdf(ctx: Ctx) -> Response:
    return await signed_file(ctx)


routes = [
    resolution_issue,
    resolution_view,
    resolution_update,
    resolution_pdf,
    resolution_sign,
    resolution_sign_prepare,
    resolution_sign_complete,
    resolution_publish,
    public_resolutions,
    public_resolution_pdf,
]
