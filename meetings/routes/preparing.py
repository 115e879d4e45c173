"""Preparing and editing a session: session details, agenda items, documents, copying an earlier
session, the history of changes after publishing and delegates' notices. JSON API and htmx pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import RedirectResponse, Response

from council.dashboard import Widget
from council.errors import DomainError, Invalid
from council.i18n import N_
from council.mailer import MailConfig
from council.templating import render
from council.validation import int_param
from council.web import Ctx, api, page
from meetings import operations as ops
from meetings import services
from meetings.models import ITEM_KINDS, AgendaItem, Document, Session
from meetings.routes.api import TAGS, _session_out
from meetings.routes.pages import _back, _form_int, _form_str, _prepare_context
from meetings.schemas import (
    AgendaItemOut,
    DeletedOut,
    NoticeListOut,
    NoticesReadOut,
    SessionHistoryOut,
    SessionOut,
)
from meetings.services import notices, preparing
from meetings.services.common import LOCAL_TZ, item_dict, session_for, staff_session

# --- JSON API -----------------------------------------------------------------------------------


@api(
    "PATCH",
    "/api/v1/sessions/{session_id:int}",
    perm=ops.SESSION_UPDATE,
    response=SessionOut,
    tags=TAGS,
    summary="Change a session's title, start, place or default speaking time",
)
async def session_update(ctx: Ctx) -> dict[str, Any]:
    b = ctx.body
    session = await preparing.session_update(
        ctx.require_user(),
        ctx.params["session_id"],
        title=b.title,
        starts_at=b.starts_at,
        location=b.location,
        speaking_seconds=b.speaking_seconds,
    )
    return await _session_out(session.id)


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/copy",
    perm=ops.SESSION_COPY,
    status=201,
    response=SessionOut,
    tags=TAGS,
    summary="A new draft session with this session's agenda (no documents, no votes)",
)
async def session_copy(ctx: Ctx) -> dict[str, Any]:
    b = ctx.body
    session = await preparing.session_copy(
        ctx.require_user(),
        ctx.params["session_id"],
        title=b.title,
        starts_at=b.starts_at,
        location=b.location,
    )
    return await _session_out(session.id)


@api(
    "PATCH",
    "/api/v1/items/{item_id:int}",
    perm=ops.ITEM_UPDATE,
    response=AgendaItemOut,
    tags=TAGS,
    summary="Change an agenda item (announced to delegates once the session is published)",
)
async def item_update(ctx: Ctx) -> dict[str, Any]:
    b = ctx.body
    item = await preparing.item_update(
        ctx.require_user(),
        ctx.params["item_id"],
        title=b.title,
        kind=b.kind,
        description=b.description,
        speaking_seconds=b.speaking_seconds
        if "speaking_seconds" in b.model_fields_set
        else preparing.UNSET,
    )
    return item_dict(item) or {}


@api(
    "DELETE",
    "/api/v1/items/{item_id:int}",
    perm=ops.ITEM_DELETE,
    response=DeletedOut,
    tags=TAGS,
    summary="Remove an agenda item (not the current one, nor one with votes or speeches)",
)
async def item_delete(ctx: Ctx) -> dict[str, Any]:
    await preparing.item_delete(ctx.require_user(), ctx.params["item_id"])
    return {"deleted": True}


@api(
    "DELETE",
    "/api/v1/documents/{document_id:int}",
    perm=ops.DOCUMENT_DELETE,
    response=DeletedOut,
    tags=TAGS,
    summary="Delete a document and all its versions",
)
async def document_delete(ctx: Ctx) -> dict[str, Any]:
    await services.document_delete(ctx.require_user(), ctx.params["document_id"])
    return {"deleted": True}


@api(
    "GET",
    "/api/v1/sessions/{session_id:int}/history",
    perm=ops.SESSION_HISTORY,
    response=SessionHistoryOut,
    tags=TAGS,
    summary="Changes to the agenda and documents since the session was published",
)
async def session_history(ctx: Ctx) -> dict[str, Any]:

    session = await session_for(ctx.user, ctx.params["session_id"])
    return {"items": [notices.change_dict(c) for c in await notices.history(session.id)]}


@api(
    "GET",
    "/api/v1/notices",
    perm=ops.NOTICE_LIST,
    response=NoticeListOut,
    tags=TAGS,
    summary="The caller's notices about sessions (published, changed), newest first",
    query={"unread": "1: unread only"},
)
async def notice_list(ctx: Ctx) -> dict[str, Any]:
    found = await notices.notices_for(
        ctx.require_user(), unread_only=ctx.query.get("unread") == "1"
    )
    return {"items": [notices.notice_dict(n, n.session) for n in found]}


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/notices/read",
    perm=ops.NOTICE_READ,
    response=NoticesReadOut,
    tags=TAGS,
    summary="Mark the caller's notices about a session as read",
)
async def notice_read(ctx: Ctx) -> dict[str, Any]:
    return {"read": await notices.notices_read(ctx.require_user(), ctx.params["session_id"])}


# --- pages --------------------------------------------------------------------------------------


def _prepare_url(session_id: int) -> str:
    return f"/meetings/sessions/{session_id}/prepare"


async def agenda_response(
    ctx: Ctx, session: Session, error: DomainError | None = None, status: int = 200
) -> Response:
    """The agenda fragment, with the documents' list and item choice swapped out of band: both
    name the items, and follow each change without a reload."""
    context = await _prepare_context(ctx, session, error)
    return render(ctx.request, "meetings/_agenda_response.html", context, status=status)


async def documents_response(
    ctx: Ctx, session: Session, error: DomainError | None = None
) -> Response:
    context = await _prepare_context(ctx, session)
    context["doc_error"] = error
    return render(
        ctx.request,
        "meetings/_documents_edit.html",
        context,
        status=error.status if error else 200,
    )


def _kind_of(value: str) -> str:
    """The page form's kind: a required choice (the API's stays optional)."""
    if value not in ITEM_KINDS:
        raise Invalid(fields={"kind": str(N_("Choose the kind of item."))})
    return value


async def _seconds(ctx: Ctx, name: str) -> int | None:
    return int_param(await ctx.form(), name, None, minimum=10, maximum=7200)


@page("/meetings/sessions/{session_id:int}/items", perm=ops.ITEM_CREATE, methods=("POST",))
async def item_create_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    session = await staff_session(user, ctx.params["session_id"])
    try:
        await services.item_create(
            user,
            session.id,
            title=await _form_str(ctx, "title"),
            kind=_kind_of(await _form_str(ctx, "kind")),
            description=await _form_str(ctx, "description"),
            speaking_seconds=await _seconds(ctx, "speaking_seconds"),
        )
    except DomainError as exc:
        if not ctx.is_htmx:
            raise
        return await agenda_response(ctx, session, exc, status=exc.status)
    return _back(ctx, _prepare_url(session.id)) or await agenda_response(ctx, session)


@page("/meetings/items/{item_id:int}/move", perm=ops.ITEM_MOVE, methods=("POST",))
async def item_move_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    position = await _form_int(ctx, "position")
    items = await services.item_move(user, ctx.params["item_id"], position=position or 1)
    session = await Session.get(id=items[0].session_id)
    return _back(ctx, _prepare_url(session.id)) or await agenda_response(ctx, session)


@page("/meetings/items/{item_id:int}/edit", perm=ops.ITEM_UPDATE, methods=("POST",))
async def item_edit_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    item = await AgendaItem.get(id=ctx.params["item_id"])
    session = await staff_session(user, item.session_id)
    try:
        await preparing.item_update(
            user,
            item.id,
            title=await _form_str(ctx, "title"),
            kind=_kind_of(await _form_str(ctx, "kind")),
            description=await _form_str(ctx, "description"),
            speaking_seconds=await _seconds(ctx, "speaking_seconds"),
        )
    except DomainError as exc:
        if not ctx.is_htmx:
            raise
        return await agenda_response(ctx, session, exc, status=exc.status)
    return _back(ctx, _prepare_url(session.id)) or await agenda_response(ctx, session)


@page("/meetings/items/{item_id:int}/delete", perm=ops.ITEM_DELETE, methods=("POST",))
async def item_delete_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    item = await AgendaItem.get(id=ctx.params["item_id"])
    session = await staff_session(user, item.session_id)
    try:
        await preparing.item_delete(user, item.id)
    except DomainError as exc:
        if not ctx.is_htmx:
            raise
        return await agenda_response(ctx, session, exc, status=exc.status)
    return _back(ctx, _prepare_url(session.id)) or await agenda_response(ctx, session)


@page("/meetings/documents/{document_id:int}/edit", perm=ops.DOCUMENT_UPDATE, methods=("POST",))
async def document_edit_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    document = await Document.get(id=ctx.params["document_id"])
    session = await staff_session(user, document.session_id)
    try:
        await services.document_update(
            user,
            document.id,
            title=await _form_str(ctx, "title"),
            confidentiality=await _form_str(ctx, "confidentiality") or None,
            item_id=await _form_int(ctx, "item_id", required=False),
        )
    except DomainError as exc:
        if not ctx.is_htmx:
            raise
        return await documents_response(ctx, session, exc)
    return _back(ctx, _prepare_url(session.id)) or await documents_response(ctx, session)


@page("/meetings/documents/{document_id:int}/delete", perm=ops.DOCUMENT_DELETE, methods=("POST",))
async def document_delete_page(ctx: Ctx) -> Response:
    session = await services.document_delete(ctx.require_user(), ctx.params["document_id"])
    return _back(ctx, _prepare_url(session.id)) or await documents_response(ctx, session)


@page("/meetings/sessions/{session_id:int}/edit", perm=ops.SESSION_UPDATE, methods=("POST",))
async def session_edit_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    raw = await _form_str(ctx, "starts_at")
    starts = _local_datetime(raw) if raw else None
    session = await preparing.session_update(
        user,
        ctx.params["session_id"],
        title=await _form_str(ctx, "title"),
        location=await _form_str(ctx, "location"),
        starts_at=starts,
        speaking_seconds=await _seconds(ctx, "speaking_seconds"),
    )
    return RedirectResponse(_prepare_url(session.id), status_code=303)


def _local_datetime(raw: str) -> datetime:
    """A form's date and time, read as Vietnam's local time when it names no zone."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            fields={
                "starts_at": str(N_("A date and time is expected here (e.g. 2026-12-01T08:00)."))
            }
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


@page("/meetings/sessions/{session_id:int}/publish", perm=ops.SESSION_PUBLISH, methods=("POST",))
async def publish_page(ctx: Ctx) -> Response:
    session = await services.session_publish(
        ctx.require_user(), ctx.params["session_id"], MailConfig.of(ctx.settings)
    )
    return RedirectResponse(_prepare_url(session.id), status_code=303)


@page("/meetings/sessions/{session_id:int}/copy", perm=ops.SESSION_COPY, methods=("POST",))
async def session_copy_page(ctx: Ctx) -> Response:
    session = await preparing.session_copy(
        ctx.require_user(),
        ctx.params["session_id"],
        title=await _form_str(ctx, "title"),
        starts_at=_local_datetime(await _form_str(ctx, "starts_at")),
        location=await _form_str(ctx, "location") or None,
    )
    return RedirectResponse(_prepare_url(session.id), status_code=303)


@page("/meetings/sessions/{session_id:int}/history", perm=ops.SESSION_HISTORY)
async def history_page(ctx: Ctx) -> Response:

    session = await session_for(ctx.user, ctx.params["session_id"])
    return render(
        ctx.request,
        "meetings/_history.html",
        {"session": session, "changes": await notices.history_rows(session.id)},
    )


async def notices_widget(ctx: Ctx) -> list[Any]:
    """The caller's unread notices on the dashboard."""

    user = ctx.user
    if user is None or user.role not in ("delegate", "chair", "secretariat"):
        return []
    found = await notices.notices_for(user, unread_only=True, limit=10)
    if not found:
        return []
    rows = [
        {
            "session_id": n.session_id,
            "text": notices.notice_text(n, n.session),
            "url": notices.notice_url(n),
            "updated_at": n.updated_at,
        }
        for n in found
    ]
    return [Widget("meetings/_notices.html", {"notices": rows}, order=5)]


routes = [
    session_update,
    session_copy,
    item_update,
    item_delete,
    document_delete,
    session_history,
    notice_list,
    notice_read,
    item_create_page,
    item_move_page,
    item_edit_page,
    item_delete_page,
    document_edit_page,
    document_delete_page,
    session_edit_page,
    publish_page,
    session_copy_page,
    history_page,
]
