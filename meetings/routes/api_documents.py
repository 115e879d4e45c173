"""JSON API of a session's documents and the readers' private notes (CONTRACT "Sessions and voting")."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from council.validation import int_param
from council.web import Ctx, api
from meetings import operations as ops
from meetings import services
from meetings.models import Document
from meetings.routes.api import TAGS, _upload_field, file_response
from meetings.schemas import DocumentListOut, DocumentOut, DocumentReadOut, NoteListOut, NoteOut
from meetings.services.common import session_for
from meetings.services.documents import KEEP_ITEM


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


routes = [
    document_upload,
    document_list,
    document_replace,
    document_update,
    document_view,
    document_file,
    note_save,
    note_list,
]
