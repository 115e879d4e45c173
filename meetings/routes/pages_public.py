"""Public HTML pages: published sessions, their public documents and files (no login)."""

from __future__ import annotations

from starlette.responses import Response

from council.models import Council
from council.templating import render
from council.web import Ctx, page
from meetings import operations as ops
from meetings import services
from meetings.routes.api import file_response
from meetings.routes.viewer import public_document, viewer_context
from meetings.services.public import public_session, public_sessions


@page("/public/sessions", perm=ops.SESSION_PUBLIC_VIEW)
async def public_list_page(ctx: Ctx) -> Response:
    sessions = await public_sessions()
    councils = {c.id: c for c in await Council.filter(id__in={s.council_id for s in sessions})}
    return render(
        ctx.request, "meetings/public_list.html", {"sessions": sessions, "councils": councils}
    )


@page("/public/sessions/{session_id:int}", perm=ops.SESSION_PUBLIC_VIEW)
async def public_page(ctx: Ctx) -> Response:
    data = await public_session(ctx.params["session_id"])
    return render(
        ctx.request,
        "meetings/public.html",
        {"data": data},
        fragment="meetings/_public_results.html",
    )


@page("/public/documents/{document_id:int}", perm=ops.SESSION_PUBLIC_VIEW)
async def public_document_page(ctx: Ctx) -> Response:
    document = await public_document(ctx.params["document_id"])
    view = await services.document_for_reader(None, document.id)
    return render(
        ctx.request,
        "meetings/document.html",
        {
            "doc": view,
            "notes": {},
            "confidential": False,
            "watermark": "",
            "versions": [],
            "can_note": False,
            "public": True,
            **await viewer_context(None, view, "/public"),
        },
    )


@page("/public/documents/{document_id:int}/file", perm=ops.SESSION_PUBLIC_VIEW)
async def public_document_file(ctx: Ctx) -> Response:
    """A public document's file, for anyone (the service refuses anything not public)."""
    return await file_response(ctx)


routes = [
    public_document_file,
    public_list_page,
    public_page,
    public_document_page,
]
