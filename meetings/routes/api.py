"""JSON API of sessions and voting (CONTRACT "Sessions and voting"), thin over the services."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from council import storage
from council.errors import Invalid
from council.i18n import N_
from council.mailer import MailConfig
from council.models import Council
from council.officialdoc import number_line
from council.validation import int_param
from council.web import Ctx, api
from meetings import operations as ops
from meetings import services
from meetings.minutes.layout import SYMBOL
from meetings.models import Session
from meetings.routes.minutes import current_minutes_pdf
from meetings.schemas import (
    AgendaItemOut,
    AgendaOut,
    CurrentItemOut,
    MinutesNumberOut,
    PublicSessionOut,
    SessionListOut,
    SessionOut,
    SessionStateOut,
)
from meetings.services.common import item_dict, session_dict
from meetings.services.documents import DOCX
from meetings.services.public import public_session

TAGS = ["meetings"]
DOCX_TYPE = DOCX


async def _session_out(session_id: int) -> dict[str, Any]:

    session = await Session.get(id=session_id)
    return session_dict(session, await Council.get(id=session.council_id))


# --- sessions ---------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/sessions",
    perm=ops.SESSION_CREATE,
    status=201,
    response=SessionOut,
    tags=TAGS,
    summary="Create a draft session of a council (secretariat)",
)
async def session_create(ctx: Ctx) -> dict[str, Any]:
    b = ctx.body
    session = await services.session_create(
        ctx.require_user(),
        council_code=b.council_code,
        title=b.title,
        starts_at=b.starts_at,
        location=b.location,
    )
    return await _session_out(session.id)


@api(
    "GET",
    "/api/v1/sessions",
    perm=ops.SESSION_LIST,
    response=SessionListOut,
    tags=TAGS,
    summary="Sessions the caller may see",
)
async def session_list(ctx: Ctx) -> dict[str, Any]:
    sessions = await services.sessions_for(ctx.require_user())
    return {"items": [session_dict(s) for s in sessions]}


@api(
    "GET",
    "/api/v1/sessions/{session_id:int}",
    perm=ops.SESSION_VIEW,
    response=SessionStateOut,
    tags=TAGS,
    summary="A session's full live state (as the session:join ack)",
)
async def session_view(ctx: Ctx) -> dict[str, Any]:
    return await services.session_state(ctx.user, ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/publish",
    perm=ops.SESSION_PUBLISH,
    response=SessionOut,
    tags=TAGS,
    summary="Publish a draft session: every delegate is notified (in the app; by e-mail with "
    "SMTP_URL)",
)
async def session_publish(ctx: Ctx) -> dict[str, Any]:
    session = await services.session_publish(
        ctx.require_user(), ctx.params["session_id"], MailConfig.of(ctx.settings)
    )
    return await _session_out(session.id)


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/start",
    perm=ops.SESSION_START,
    response=SessionOut,
    tags=TAGS,
    summary="Start the sitting (chair or secretariat)",
)
async def session_start(ctx: Ctx) -> dict[str, Any]:
    session = await services.session_start(ctx.require_user(), ctx.params["session_id"])
    return await _session_out(session.id)


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/close",
    perm=ops.SESSION_CLOSE,
    response=SessionOut,
    tags=TAGS,
    summary="Close the sitting (chair or secretariat)",
)
async def session_close(ctx: Ctx) -> dict[str, Any]:
    session = await services.session_close(ctx.require_user(), ctx.params["session_id"])
    return await _session_out(session.id)


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/current",
    perm=ops.SESSION_SET_CURRENT,
    response=CurrentItemOut,
    tags=TAGS,
    summary="Move the sitting to an agenda item (chair)",
)
async def session_set_current(ctx: Ctx) -> dict[str, Any]:
    return await services.session_set_current(
        ctx.require_user(), ctx.params["session_id"], ctx.body.item_id
    )


# --- agenda -----------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/items",
    perm=ops.ITEM_CREATE,
    status=201,
    response=AgendaItemOut,
    tags=TAGS,
    summary="Add an item at the end of the agenda",
)
async def item_create(ctx: Ctx) -> dict[str, Any]:
    b = ctx.body
    item = await services.item_create(
        ctx.require_user(),
        ctx.params["session_id"],
        title=b.title,
        kind=b.kind,
        description=b.description,
        speaking_seconds=b.speaking_seconds,
    )
    return item_dict(item) or {}


@api(
    "POST",
    "/api/v1/items/{item_id:int}/move",
    perm=ops.ITEM_MOVE,
    response=AgendaOut,
    tags=TAGS,
    summary="Move an agenda item to a position (1-based)",
)
async def item_move(ctx: Ctx) -> dict[str, Any]:
    items = await services.item_move(
        ctx.require_user(), ctx.params["item_id"], position=ctx.body.position
    )
    return {"items": [item_dict(i) for i in items]}


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/items/order",
    perm=ops.ITEM_REORDER,
    response=AgendaOut,
    tags=TAGS,
    summary="Reorder the whole agenda",
)
async def item_reorder(ctx: Ctx) -> dict[str, Any]:
    items = await services.item_reorder(
        ctx.require_user(), ctx.params["session_id"], ctx.body.order
    )
    return {"items": [item_dict(i) for i in items]}


# --- shared by the document routes (api_documents, pages) -------------------------------------


async def _upload_field(ctx: Ctx) -> UploadFile:
    form = await ctx.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(fields={"file": str(N_("This field is required."))})
    return upload


async def file_response(ctx: Ctx) -> Response:
    version = int_param(ctx.query, "version")
    document, stored = await services.document_file(ctx.user, ctx.params["document_id"], version)
    disposition = "attachment" if ctx.query.get("download") == "1" else "inline"
    ext = ".pdf" if stored.mime == "application/pdf" else ".docx"
    return await storage.file_response(
        ctx.request,
        stored.path,
        mime=stored.mime,
        filename=f"document-{document.id}-v{stored.number}{ext}",
        disposition=disposition,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300",
            "X-Confidentiality": document.confidentiality,
        },
    )


# --- minutes and public -----------------------------------------------------------------------


async def _minutes(ctx: Ctx, fmt: str) -> Response:
    session, data = await services.minutes_render(ctx.require_user(), ctx.params["session_id"], fmt)
    media = "application/pdf" if fmt == "pdf" else DOCX_TYPE
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="bien-ban-ky-hop-{session.id}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


@api(
    "GET",
    "/api/v1/sessions/{session_id:int}/minutes.docx",
    perm=ops.MINUTES_RENDER,
    tags=TAGS,
    summary="Draft minutes as DOCX",
    raw_response=DOCX_TYPE,
)
async def minutes_docx(ctx: Ctx) -> Response:
    return await _minutes(ctx, "docx")


@api(
    "GET",
    "/api/v1/sessions/{session_id:int}/minutes.pdf",
    perm=ops.MINUTES_RENDER,
    tags=TAGS,
    summary="The minutes as PDF: the latest signed version, else the draft (X-Minutes-Version)",
    raw_response="application/pdf",
)
async def minutes_pdf(ctx: Ctx) -> Response:
    return await current_minutes_pdf(ctx)


def minutes_number_out(session_id: int, number: int | None) -> dict[str, Any]:
    return {"session_id": session_id, "number": number, "text": number_line(number, SYMBOL)}


@api(
    "PUT",
    "/api/v1/sessions/{session_id:int}/minutes/number",
    perm=ops.MINUTES_NUMBER,
    response=MinutesNumberOut,
    tags=TAGS,
    summary="Set the minutes' number (secretariat); null clears it",
)
async def minutes_number(ctx: Ctx) -> dict[str, Any]:
    session = await services.minutes_number(
        ctx.require_user(), ctx.params["session_id"], ctx.body.number
    )
    return minutes_number_out(session.id, session.minutes_number)


@api(
    "GET",
    "/api/v1/public/sessions/{session_id:int}",
    perm=ops.SESSION_PUBLIC_VIEW,
    response=PublicSessionOut,
    tags=TAGS,
    summary="A published session's agenda, public documents and results (no individual secret choice)",
)
async def public_view(ctx: Ctx) -> dict[str, Any]:
    return await public_session(ctx.params["session_id"])


routes = [
    session_create,
    session_list,
    session_view,
    session_publish,
    session_start,
    session_close,
    session_set_current,
    item_create,
    item_move,
    item_reorder,
    minutes_docx,
    minutes_pdf,
    minutes_number,
    public_view,
]
