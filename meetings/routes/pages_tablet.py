"""HTML pages of the delegate's tablet: the tablet, its live fragments, the ballot and speaking
forms, the offline copy (manifest and service worker), and the document reader.

Every page includes the very fragment an htmx request gets alone (``render(..., fragment=...)``).
A form posted without htmx is answered with a redirect back to its page.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, cast

from starlette.responses import FileResponse, JSONResponse, Response

from council.errors import DomainError, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.livepanels import PANELS
from council.templating import STATIC_DIR, render, static_url
from council.web import Ctx, page
from meetings import operations as ops
from meetings import services
from meetings.models import Document, DocumentVersion, Poll, Session
from meetings.routes.api import file_response
from meetings.routes.pages import _back, _chair_context, _form_str, _tablet_context
from meetings.routes.panels import live_panels, panel_fragment
from meetings.routes.viewer import viewer_context, viewer_page_url
from meetings.services.common import session_for, staff_session
from meetings.services.notices import notices_read

SW_FILE = Path(STATIC_DIR) / "js" / "sw.js"


def _offline_copy(ctx: Ctx) -> bool:
    """``?offline=1``: the page as the service worker stores it on the device, without what must
    never be stored there (the reader's private notes, confidential documents' titles)."""
    return ctx.query.get("offline") == "1"


def _not_confidential(docs: list[Document]) -> list[Document]:
    return [d for d in docs if d.confidentiality != "confidential"]


async def read_notices(ctx: Ctx, session: Session) -> None:
    """Opening a session's tablet is reading its notices."""
    if ctx.user is not None and ctx.user.role in ("delegate", "chair", "secretariat"):
        await notices_read(ctx.user, session.id)


@page("/meetings/sessions/{session_id:int}/tablet", perm=ops.SESSION_VIEW)
async def tablet_page(ctx: Ctx) -> Response:
    """The live tablet (``no-store``: it may list confidential titles); ``?offline=1`` is the copy
    saved for offline reading."""
    session = await session_for(ctx.user, ctx.params["session_id"])
    context = await _tablet_context(ctx, session)
    context["panels"] = await live_panels(ctx, session, "tablet", context["current"])
    if not _offline_copy(ctx):
        await read_notices(ctx, session)
    if _offline_copy(ctx):
        context["documents"] = _not_confidential(context["documents"])
        context["current_documents"] = _not_confidential(context["current_documents"])
        return render(ctx.request, "meetings/tablet.html", context)
    return render(
        ctx.request, "meetings/tablet.html", context, headers={"Cache-Control": "no-store"}
    )


@page("/meetings/sessions/{session_id:int}/fragments/{name:str}", perm=ops.HALL_VIEW)
async def fragment_page(ctx: Ctx) -> Response:
    """The live parts of the tablet, chair console and hall screen, refreshed on events. A hall
    display's account gets the hall screen's only."""
    fragments = {
        "current": "meetings/_current_item.html",
        "agenda": "meetings/_agenda_live.html",
        "vote": "meetings/_vote_panel.html",
        "speakers": "meetings/_speakers.html",
        "attendance": "meetings/_attendance_bar.html",
        "hall": "meetings/_hall.html",
        "chair": "meetings/_chair_live.html",
    }
    name = ctx.params["name"]
    if name in PANELS:
        return await panel_fragment(ctx, name)
    if name not in fragments:
        raise NotFound()
    user = ctx.require_user()
    if user.role == "display" and name != "hall":
        raise Forbidden(N_("A hall screen shows the hall screen only."))
    if name == "chair":
        await staff_session(user, ctx.params["session_id"])
    session = await session_for(ctx.user, ctx.params["session_id"])
    context = await _tablet_context(ctx, session)
    if name == "chair":
        context.update(await _chair_context(ctx, session))
    return render(ctx.request, fragments[name], context)


@page("/meetings/polls/{poll_id:int}/ballot", perm=ops.BALLOT_CAST, methods=("POST",))
async def ballot_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    poll = await Poll.get_or_none(id=ctx.params["poll_id"])
    if poll is None:
        raise NotFound()
    form = await ctx.form()
    choice: Any
    if poll.kind == "motion":
        choice = form.get("choice")
    elif poll.kind == "election":
        try:
            choice = [int(str(v)) for v in form.getlist("choice")]
        except ValueError:
            raise Invalid() from None
    else:
        choice = {
            k[len("level_") :]: str(v) for k, v in form.multi_items() if k.startswith("level_")
        }
    session = await Session.get(id=poll.session_id)
    error: DomainError | None = None
    recorded = False
    try:
        await services.ballot_cast(user, poll.id, choice)
        recorded = True
    except DomainError as exc:
        if exc.code not in ("already_voted",):
            error = exc
    back = _back(ctx, f"/meetings/sessions/{session.id}/tablet")
    if back:
        return back
    context = await _tablet_context(ctx, session)
    context["error"] = error
    # This answer alone repeats the choice just recorded, to the voter's own screen; it is not
    # read back from the ballot (a secret one cannot be), so a later refresh no longer shows it.
    context["my_choice"] = choice if recorded else None
    return render(
        ctx.request, "meetings/_vote_panel.html", context, status=error.status if error else 200
    )


@page("/meetings/sessions/{session_id:int}/speak", perm=ops.SPEAKER_REQUEST, methods=("POST",))
async def speak_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    action = await _form_str(ctx, "action", "request")
    if action == "withdraw":
        await services.speaker_withdraw(user, ctx.params["session_id"])
    else:
        await services.speaker_request(user, ctx.params["session_id"])
    session = await Session.get(id=ctx.params["session_id"])
    return _back(ctx, f"/meetings/sessions/{session.id}/tablet") or render(
        ctx.request, "meetings/_speakers.html", await _tablet_context(ctx, session)
    )


# The static files of the tablet and document pages (templates/base.html, meetings/tablet.html,
# meetings/document.html), cached with them for offline reading.
OFFLINE_ASSETS = (
    "css/app.css",
    "css/meetings.css",
    "favicon.svg",
    "vendor/htmx.min.js",
    "vendor/socket.io.min.js",
    "js/app.js",
    "js/meetings.js",
    "js/meetings-tablet.js",
    "js/meetings-reader.js",
)


async def _page_count(document_id: int, version: int | None = None) -> int:
    """Pages of one version, or the most of any version of the document."""
    query = DocumentVersion.filter(document_id=document_id)
    if version is not None:
        query = query.filter(number=version)
    counts = await query.values_list("page_count", flat=True)
    return max(cast(list[int], counts), default=0)


@page("/meetings/sessions/{session_id:int}/offline.json", perm=ops.SESSION_VIEW)
async def offline_manifest(ctx: Ctx) -> Response:
    """URLs the service worker may cache for offline reading: never a confidential document.

    ``forget`` lists those of confidential documents, which the worker drops: a document raised
    to confidential after a tablet saved it must not stay readable there, in any version."""
    session = await session_for(ctx.user, ctx.params["session_id"])
    urls = [f"/meetings/sessions/{session.id}/tablet?offline=1"]
    forget = []
    for d in await services.documents_of(ctx.user, session):
        if d.confidentiality in ("public", "internal"):
            urls += [f"/meetings/documents/{d.id}?offline=1", f"/meetings/documents/{d.id}/file"]
            urls += [
                viewer_page_url("/meetings", d.id, d.current_version, n)
                for n in range(1, await _page_count(d.id, d.current_version) + 1)
            ]
        else:
            forget += [f"/meetings/documents/{d.id}", f"/meetings/documents/{d.id}/file"]
            # Page images are cached under their path, whatever the version.
            forget += [
                f"/meetings/documents/{d.id}/pages/{n}.webp"
                for n in range(1, await _page_count(d.id) + 1)
            ]
    # What those pages load, so that they read the same with the network off.
    urls += [static_url(path) for path in OFFLINE_ASSETS]
    return JSONResponse(
        {"session_id": session.id, "urls": urls, "forget": forget},
        headers={"Cache-Control": "no-store"},
    )


@page("/meetings/sw.js", perm=ops.SERVICE_WORKER)
async def service_worker(ctx: Ctx) -> Response:
    """Served under /meetings/ so that its scope covers the tablet and the document pages."""
    return FileResponse(
        SW_FILE,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/meetings/"},
    )


# --- documents --------------------------------------------------------------------------------


@page("/meetings/documents/{document_id:int}", perm=ops.DOCUMENT_READ)
async def document_page(ctx: Ctx) -> Response:
    """The reader: page images, then the text view with the reader's private notes (then
    ``no-store``); ``?offline=1`` is the copy saved for offline reading, without them.
    ``X-Offline-Version`` changes with the document, so that the service worker saves its copy
    again when it has changed."""
    user = ctx.require_user()
    view = await services.document_for_reader(user, ctx.params["document_id"])
    confidential = view.confidentiality == "confidential"
    offline = _offline_copy(ctx)
    can_note = user.role != "admin" and not offline
    copy_version = hashlib.sha256(f"{view.content_hash}/{view.title}".encode()).hexdigest()
    headers = {"X-Confidentiality": view.confidentiality, "X-Offline-Version": copy_version[:16]}
    if confidential or can_note:
        headers["Cache-Control"] = "no-store"
    return render(
        ctx.request,
        "meetings/document.html",
        {
            "doc": view,
            "notes": await services.notes_of(user, view.id) if can_note else {},
            "confidential": confidential,
            "watermark": f"{user.full_name or user.username} · {user.username}",
            "versions": await services.versions_of(view.id),
            "can_note": can_note,
            "offline_copy": offline and user.role != "admin",
            **await viewer_context(user, view, "/meetings"),
        },
        headers=headers,
    )


@page("/meetings/documents/{document_id:int}/file", perm=ops.DOCUMENT_READ)
async def document_file_page(ctx: Ctx) -> Response:
    return await file_response(ctx)


@page(
    "/meetings/documents/{document_id:int}/notes/{page:int}",
    perm=ops.NOTE_SAVE,
    methods=("POST",),
)
async def note_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    note = await services.note_save(
        user, ctx.params["document_id"], ctx.params["page"], await _form_str(ctx, "text")
    )
    return _back(
        ctx, f"/meetings/documents/{ctx.params['document_id']}#page-{ctx.params['page']}"
    ) or render(
        ctx.request,
        "meetings/_note.html",
        {
            "doc_id": ctx.params["document_id"],
            "page": ctx.params["page"],
            "note": note.text if note else "",
            "saved": True,
        },
        headers={"Cache-Control": "no-store"},
    )


routes = [
    tablet_page,
    fragment_page,
    ballot_page,
    speak_page,
    offline_manifest,
    service_worker,
    document_page,
    document_file_page,
    note_page,
]
