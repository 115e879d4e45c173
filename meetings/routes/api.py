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
from meetings.models import Document, Session
from meetings.routes.minutes import current_minutes_pdf
from meetings.schemas import (
    AgendaItemOut,
    AgendaOut,
    AttendanceListOut,
    AttendanceOut,
    BallotRecordedOut,
    CurrentItemOut,
    DocumentListOut,
    DocumentOut,
    DocumentReadOut,
    MinutesNumberOut,
    NoteListOut,
    NoteOut,
    PollOut,
    PublicSessionOut,
    SessionListOut,
    SessionOut,
    SessionStateOut,
    SpeakerQueueOut,
    SpeakerRequestOut,
)
from meetings.services.common import attendance_summary, item_dict, session_dict, session_for
from meetings.services.documents import DOCX, KEEP_ITEM
from meetings.services.public import public_session

TAGS = ["meetings"]
DOCX_TYPE = DOCX


async def _session_out(session_id: int) -> dict[str, Any]:

    session = await Session.get(id=session_id)
    return session_dict(session, await Council.get(id=session.council_id))


async def document_out(document: Document) -> dict[str, Any]:
    version = await services.documents.current_version(document)
    return {
        "id": document.id,
        "session_id": document.session_id,
        "item_id": document.item_id,
        "title": document.title,
        "confidentiality": document.confidentiality,
        "version": version.number,
        "pages": version.page_count,
        "mime": version.mime,
        "size": version.size,
        "sha256": version.sha256,
    }


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


# --- documents --------------------------------------------------------------------------------


async def _upload_field(ctx: Ctx) -> UploadFile:
    form = await ctx.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(fields={"file": str(N_("This field is required."))})
    return upload


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/documents",
    perm=ops.DOCUMENT_UPLOAD,
    status=201,
    response=DocumentOut,
    tags=TAGS,
    summary="Attach a PDF or DOCX (≤ 50 MB) to a session or one of its items",
    multipart={
        "file": "PDF or DOCX file",
        "title": "title",
        "confidentiality": "public | internal | confidential",
        "item_id": "optional item",
    },
)
async def document_upload(ctx: Ctx) -> dict[str, Any]:
    form = await ctx.form()
    upload = await _upload_field(ctx)
    document = await services.document_upload(
        ctx.require_user(),
        ctx.params["session_id"],
        upload,
        title=str(form.get("title") or ""),
        confidentiality=str(form.get("confidentiality") or "internal"),
        item_id=int_param(form, "item_id"),
    )
    return await document_out(document)


@api(
    "GET",
    "/api/v1/sessions/{session_id:int}/documents",
    perm=ops.DOCUMENT_LIST,
    response=DocumentListOut,
    tags=TAGS,
    summary="The session's documents the caller may read",
)
async def document_list(ctx: Ctx) -> dict[str, Any]:

    session = await session_for(ctx.user, ctx.params["session_id"])
    docs = await services.documents_of(ctx.user, session)
    return {"items": [await document_out(d) for d in docs]}


@api(
    "POST",
    "/api/v1/documents/{document_id:int}/versions",
    perm=ops.DOCUMENT_REPLACE,
    status=201,
    response=DocumentOut,
    tags=TAGS,
    summary="Replace a document with a new version (earlier versions are kept)",
    multipart={"file": "PDF or DOCX file"},
)
async def document_replace(ctx: Ctx) -> dict[str, Any]:
    upload = await _upload_field(ctx)
    document = await services.document_replace(
        ctx.require_user(), ctx.params["document_id"], upload
    )
    return await document_out(document)


@api(
    "PATCH",
    "/api/v1/documents/{document_id:int}",
    perm=ops.DOCUMENT_UPDATE,
    response=DocumentOut,
    tags=TAGS,
    summary="Retitle, reclassify or move a document to another agenda item",
)
async def document_update(ctx: Ctx) -> dict[str, Any]:
    document = await services.document_update(
        ctx.require_user(),
        ctx.params["document_id"],
        title=ctx.body.title,
        confidentiality=ctx.body.confidentiality,
        item_id=ctx.body.item_id if "item_id" in ctx.body.model_fields_set else KEEP_ITEM,
    )
    return await document_out(document)


@api(
    "GET",
    "/api/v1/documents/{document_id:int}",
    perm=ops.DOCUMENT_READ,
    response=DocumentReadOut,
    tags=TAGS,
    summary="A document with its text per page",
)
async def document_view(ctx: Ctx) -> dict[str, Any]:
    view = await services.document_for_reader(ctx.user, ctx.params["document_id"])
    versions = await services.versions_of(view.id)
    return {
        "id": view.id,
        "title": view.title,
        "session_id": view.session_id,
        "council_id": view.council_id,
        "item_id": view.item_id,
        "confidentiality": view.confidentiality,
        "content_hash": view.content_hash,
        "version": view.version,
        "mime": view.mime,
        "versions": [
            {
                "number": v.number,
                "sha256": v.sha256,
                "pages": v.page_count,
                "size": v.size,
                "created_at": v.created_at.isoformat(),
            }
            for v in versions
        ],
        "pages": [{"number": p.number, "text": p.text} for p in view.pages],
    }


@api(
    "GET",
    "/api/v1/documents/{document_id:int}/file",
    perm=ops.DOCUMENT_READ,
    tags=TAGS,
    summary="The stored file (not for confidential documents, which are view-only)",
    query={"version": "version number (default: current)"},
    raw_response="application/pdf",
)
async def document_file(ctx: Ctx) -> Response:
    return await file_response(ctx)


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


@api(
    "PUT",
    "/api/v1/documents/{document_id:int}/notes/{page:int}",
    perm=ops.NOTE_SAVE,
    response=NoteOut,
    tags=TAGS,
    summary="Save the caller's private note on a page (empty text deletes it)",
)
async def note_save(ctx: Ctx) -> dict[str, Any]:
    note = await services.note_save(
        ctx.require_user(), ctx.params["document_id"], ctx.params["page"], ctx.body.text
    )
    return {"page": ctx.params["page"], "text": note.text if note else ""}


@api(
    "GET",
    "/api/v1/documents/{document_id:int}/notes",
    perm=ops.NOTE_SAVE,
    response=NoteListOut,
    tags=TAGS,
    summary="The caller's own private notes on a document",
)
async def note_list(ctx: Ctx) -> dict[str, Any]:
    await services.document_for_reader(ctx.user, ctx.params["document_id"])
    notes = await services.notes_of(ctx.require_user(), ctx.params["document_id"])
    return {"notes": [{"page": p, "text": t} for p, t in sorted(notes.items())]}


# --- attendance and speakers ------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/attendance",
    perm=ops.ATTENDANCE_CHECK_IN,
    response=AttendanceOut,
    tags=TAGS,
    summary="Check in (a delegate), or mark a delegate present (secretariat: user_id)",
)
async def attendance_check_in(ctx: Ctx) -> dict[str, Any]:
    return await services.attendance_check_in(
        ctx.require_user(), ctx.params["session_id"], ctx.body.user_id
    )


@api(
    "GET",
    "/api/v1/sessions/{session_id:int}/attendance",
    perm=ops.ATTENDANCE_VIEW,
    response=AttendanceListOut,
    tags=TAGS,
    summary="Who is present, and the quorum",
)
async def attendance_view(ctx: Ctx) -> dict[str, Any]:

    session = await session_for(ctx.user, ctx.params["session_id"])
    rows = await services.attendance_list(session.id)
    return {
        **await attendance_summary(session),
        "delegates": [
            {**r, "checked_in_at": r["checked_in_at"].isoformat() if r["checked_in_at"] else None}
            for r in rows
        ],
    }


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/speakers",
    perm=ops.SPEAKER_REQUEST,
    status=201,
    response=SpeakerRequestOut,
    tags=TAGS,
    summary="Ask for the floor (a checked-in delegate)",
)
async def speaker_request(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_request(ctx.require_user(), ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/speakers/withdraw",
    perm=ops.SPEAKER_WITHDRAW,
    response=SpeakerQueueOut,
    tags=TAGS,
    summary="Withdraw one's own request to speak",
)
async def speaker_withdraw(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_withdraw(ctx.require_user(), ctx.params["session_id"])


@api(
    "POST",
    "/api/v1/speakers/{request_id:int}/floor",
    perm=ops.SPEAKER_GIVE_FLOOR,
    response=SpeakerQueueOut,
    tags=TAGS,
    summary="Give the floor to a waiting delegate (chair)",
)
async def speaker_give_floor(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_give_floor(ctx.require_user(), ctx.params["request_id"])


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/speakers/finish",
    perm=ops.SPEAKER_FINISH,
    response=SpeakerQueueOut,
    tags=TAGS,
    summary="End the current speaker's turn (chair)",
)
async def speaker_finish(ctx: Ctx) -> dict[str, Any]:
    return await services.speaker_finish(ctx.require_user(), ctx.params["session_id"])


# --- polls ------------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/polls",
    perm=ops.POLL_CREATE,
    status=201,
    response=PollOut,
    tags=TAGS,
    summary="Create a draft poll: motion, election or confidence",
)
async def poll_create(ctx: Ctx) -> dict[str, Any]:
    b = ctx.body
    poll = await services.poll_create(
        ctx.require_user(),
        ctx.params["session_id"],
        title=b.title,
        kind=b.kind,
        secret=b.secret,
        rule=b.rule,
        item_id=b.item_id,
        options=[o.label for o in b.options or []],
        max_choices=b.max_choices,
        countdown_seconds=b.countdown_seconds,
    )
    return await services.poll_dict(poll)


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/open",
    perm=ops.POLL_OPEN,
    response=PollOut,
    tags=TAGS,
    summary="Open a poll (refused with 409 no_quorum without quorum)",
)
async def poll_open(ctx: Ctx) -> dict[str, Any]:
    return await services.poll_dict(
        await services.poll_open(ctx.require_user(), ctx.params["poll_id"])
    )


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/close",
    perm=ops.POLL_CLOSE,
    response=PollOut,
    tags=TAGS,
    summary="Close a poll and tally it",
)
async def poll_close(ctx: Ctx) -> dict[str, Any]:
    return await services.poll_dict(
        await services.poll_close(ctx.require_user(), ctx.params["poll_id"])
    )


@api(
    "POST",
    "/api/v1/polls/{poll_id:int}/ballots",
    perm=ops.BALLOT_CAST,
    status=201,
    response=BallotRecordedOut,
    tags=TAGS,
    summary="Cast one's ballot (409 already_voted, 409 poll_not_open)",
)
async def ballot_cast(ctx: Ctx) -> dict[str, Any]:
    return await services.ballot_cast(ctx.require_user(), ctx.params["poll_id"], ctx.body.choice)


@api(
    "GET",
    "/api/v1/polls/{poll_id:int}",
    perm=ops.POLL_VIEW,
    response=PollOut,
    tags=TAGS,
    summary="A poll: status, voted, eligible, and the result once closed",
)
async def poll_view(ctx: Ctx) -> dict[str, Any]:
    return await services.poll_for_reader(ctx.user, ctx.params["poll_id"])


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
    document_upload,
    document_list,
    document_replace,
    document_update,
    document_view,
    document_file,
    note_save,
    note_list,
    attendance_check_in,
    attendance_view,
    speaker_request,
    speaker_withdraw,
    speaker_give_floor,
    speaker_finish,
    poll_create,
    poll_open,
    poll_close,
    ballot_cast,
    poll_view,
    minutes_docx,
    minutes_pdf,
    minutes_number,
    public_view,
]
