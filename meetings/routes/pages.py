"""HTML pages and htmx fragments: preparation, dashboard, tablet, chair console, hall, public.

Every page includes the very fragment an htmx request gets alone (``render(..., fragment=...)``).
A form posted without htmx is answered with a redirect back to its page.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from council.errors import DomainError, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.livepanels import PANELS
from council.localtime import LOCAL_TZ
from council.models import Council
from council.officialdoc import number_line
from council.templating import STATIC_DIR, render, static_url
from council.validation import int_param
from council.web import Ctx, page
from meetings import operations as ops
from meetings import services
from meetings.minutes.layout import SYMBOL as MINUTES_SYMBOL
from meetings.models import ITEM_KINDS, Document, DocumentVersion, Poll, Session
from meetings.routes.api import _upload_field, file_response
from meetings.routes.panels import live_panels, panel_fragment
from meetings.routes.viewer import public_document, viewer_context, viewer_page_url
from meetings.services.attendance import check_in_is_open
from meetings.services.common import (
    KIND_MSGIDS,
    attendance_summary,
    is_staff_of,
    now,
    session_for,
    staff_session,
)
from meetings.services.hand_votes import hand_votes_of
from meetings.services.notices import history_rows, notices_read
from meetings.services.preparing import session_copy
from meetings.services.public import public_session, public_sessions

SW_FILE = Path(STATIC_DIR) / "js" / "sw.js"


def _back(ctx: Ctx, url: str) -> Response | None:
    """Forms posted without htmx go back to their page."""
    return None if ctx.is_htmx else RedirectResponse(url, status_code=303)


async def _form_int(ctx: Ctx, name: str, *, required: bool = True) -> int | None:
    value = int_param(await ctx.form(), name)
    if value is None and required:
        raise Invalid(fields={name: str(N_("This field is required."))})
    return value


async def _form_str(ctx: Ctx, name: str, default: str = "") -> str:
    value = (await ctx.form()).get(name)
    return str(value).strip() if isinstance(value, str) else default


def _kinds() -> list[tuple[str, str]]:
    return [(k, str(KIND_MSGIDS[k])) for k in ITEM_KINDS]


# --- list and creation ------------------------------------------------------------------------


@page("/meetings", perm=ops.SESSION_LIST)
async def sessions_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    sessions = await services.sessions_for(user)
    return render(
        ctx.request,
        "meetings/sessions.html",
        {
            "sessions": sessions,
            "can_create": user.role in ("admin", "secretariat"),
        },
        fragment="meetings/_session_list.html",
    )


@page(
    "/meetings/sessions/new",
    perm=ops.SESSION_NEW,
    methods=("GET", "POST"),
)
async def session_new_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    councils = await (
        Council.all() if user.role == "admin" else Council.filter(id=user.council_id or 0)
    )
    sources = (
        await Session.filter(council_id__in=[c.id for c in councils])
        .order_by("-starts_at", "-id")
        .limit(50)
    )
    error: DomainError | None = None
    if ctx.request.method == "POST":
        code = await _form_str(ctx, "council_code")
        title = await _form_str(ctx, "title")
        location = await _form_str(ctx, "location")
        raw = await _form_str(ctx, "starts_at")
        copy_from = await _form_int(ctx, "copy_from", required=False)
        try:
            try:
                starts = datetime.fromisoformat(raw)
            except ValueError:
                raise Invalid(
                    fields={
                        "starts_at": str(
                            N_("A date and time is expected here (e.g. 2026-12-01T08:00).")
                        )
                    }
                ) from None
            if starts.tzinfo is None:
                starts = starts.replace(tzinfo=LOCAL_TZ)
            if user.role != "admin":
                council = await Council.get_or_none(id=user.council_id or 0)
                code = council.code if council else code
            if copy_from is not None:
                source = await staff_session(user, copy_from)
                council = await Council.get(id=source.council_id)
                if council.code != code:
                    raise Invalid(
                        fields={"copy_from": str(N_("Copy a session of the same council."))}
                    )
                session = await session_copy(
                    user, copy_from, title=title, starts_at=starts, location=location
                )
            else:
                session = await services.session_create(
                    user, council_code=code, title=title, starts_at=starts, location=location
                )
            return RedirectResponse(f"/meetings/sessions/{session.id}/prepare", status_code=303)
        except DomainError as exc:
            error = exc
    return render(
        ctx.request,
        "meetings/session_new.html",
        {"councils": councils, "sources": sources, "error": error},
        status=error.status if error else 200,
    )


# --- preparation (secretariat) ----------------------------------------------------------------


async def _prepare_context(
    ctx: Ctx, session: Session, error: DomainError | None = None
) -> dict[str, Any]:
    items = await services.items_of(session.id)
    docs = await Document.filter(session_id=session.id).order_by("item_id", "id")
    versions = {d.id: await services.versions_of(d.id) for d in docs}
    return {
        "session": session,
        "council": await Council.get(id=session.council_id),
        "items": items,
        "kinds": _kinds(),
        "documents": docs,
        "versions": versions,
        "attendance": await services.attendance_list(session.id),
        "summary": await attendance_summary(session),
        "check_in_open": check_in_is_open(session),
        "starts_local": session.starts_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
        "polls": await Poll.filter(session_id=session.id).order_by("id"),
        "changes": await history_rows(session.id, limit=30),
        "error": error,
        **_minutes_context(ctx, session),
    }


def _minutes_context(ctx: Ctx, session: Session) -> dict[str, Any]:
    return {
        "minutes_number_text": number_line(session.minutes_number, MINUTES_SYMBOL),
        "can_number": ctx.user is not None and ctx.user.role in ("admin", "secretariat"),
    }


@page("/meetings/sessions/{session_id:int}/prepare", perm=ops.SESSION_PUBLISH)
async def prepare_page(ctx: Ctx) -> Response:
    session = await staff_session(ctx.require_user(), ctx.params["session_id"])
    return render(ctx.request, "meetings/prepare.html", await _prepare_context(ctx, session))


@page(
    "/meetings/sessions/{session_id:int}/minutes/number",
    perm=ops.MINUTES_NUMBER,
    methods=("POST",),
)
async def minutes_number_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    raw = await _form_str(ctx, "number")
    number = None if raw == "" else await _form_int(ctx, "number")
    session = await services.minutes_number(user, ctx.params["session_id"], number)
    back = _back(ctx, f"/meetings/sessions/{session.id}/prepare")
    if back:
        return back
    context = {"session": session, "saved": True, **_minutes_context(ctx, session)}
    return render(ctx.request, "meetings/_minutes_card.html", context)


async def _documents_fragment(ctx: Ctx, session: Session) -> Response:
    return render(
        ctx.request,
        "meetings/prepare.html",
        await _prepare_context(ctx, session),
        fragment="meetings/_documents_edit.html",
    )


@page("/meetings/sessions/{session_id:int}/documents", perm=ops.DOCUMENT_UPLOAD, methods=("POST",))
async def document_upload_page(ctx: Ctx) -> Response:

    user = ctx.require_user()
    session = await staff_session(user, ctx.params["session_id"])
    await services.document_upload(
        user,
        session.id,
        await _upload_field(ctx),
        title=await _form_str(ctx, "title"),
        confidentiality=await _form_str(ctx, "confidentiality", "internal"),
        item_id=await _form_int(ctx, "item_id", required=False),
    )
    return _back(ctx, f"/meetings/sessions/{session.id}/prepare") or await _documents_fragment(
        ctx, session
    )


@page(
    "/meetings/documents/{document_id:int}/versions", perm=ops.DOCUMENT_REPLACE, methods=("POST",)
)
async def document_replace_page(ctx: Ctx) -> Response:

    document = await services.document_replace(
        ctx.require_user(), ctx.params["document_id"], await _upload_field(ctx)
    )
    session = await Session.get(id=document.session_id)
    return _back(ctx, f"/meetings/sessions/{session.id}/prepare") or await _documents_fragment(
        ctx, session
    )


@page(
    "/meetings/sessions/{session_id:int}/attendance",
    perm=ops.ATTENDANCE_CHECK_IN,
    methods=("POST",),
)
async def attendance_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    user_id = await _form_int(ctx, "user_id", required=False)
    summary = await services.attendance_check_in(user, ctx.params["session_id"], user_id)
    session = await Session.get(id=ctx.params["session_id"])
    if user_id is not None and is_staff_of(user, session.council_id):
        return _back(ctx, f"/meetings/sessions/{session.id}/prepare") or await attendance_fragment(
            ctx, session
        )
    return _back(ctx, f"/meetings/sessions/{session.id}/tablet") or render(
        ctx.request,
        "meetings/_attendance_bar.html",
        {"summary": {**summary, "checked_in": True}, "session": session, "seat": True},
    )


async def attendance_fragment(
    ctx: Ctx, session: Session, error: DomainError | None = None
) -> Response:
    context = await _prepare_context(ctx, session)
    context["attendance_error"] = error
    return render(
        ctx.request,
        "meetings/_attendance_edit.html",
        context,
        status=error.status if error else 200,
    )


# --- delegate: tablet -------------------------------------------------------------------------


async def _tablet_context(ctx: Ctx, session: Session) -> dict[str, Any]:
    user = ctx.require_user()
    state = await services.session_state(user, session.id)
    docs = await services.documents_of(user, session)
    current = state["current_item"]
    return {
        "session": session,
        "state": state,
        "summary": state["attendance"],
        "poll": state["poll"],
        "last_result": state["last_result"],
        "queue": state["speakers"],
        "my_request": next((r for r in state["speakers"] if r["user_id"] == user.id), None),
        "current": current,
        "current_documents": [d for d in docs if current and d.item_id == current["id"]],
        "documents": docs,
        "items": state["items"],
        "changes": await history_rows(session.id, limit=3) if session.status != "draft" else [],
        "server_now": now().isoformat(),
        "seat": user.role in ("delegate", "chair") and user.council_id == session.council_id,
    }


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


# --- chair console ----------------------------------------------------------------------------


async def _chair_context(ctx: Ctx, session: Session) -> dict[str, Any]:
    polls = await Poll.filter(session_id=session.id).order_by("id")
    shown = [await services.poll_dict(p) for p in polls]
    voting = next((p for p in shown if p["status"] == "open"), None)
    return {
        "items": await services.items_of(session.id),
        "polls": shown,
        "kinds": _kinds(),
        "hand_votes": await hand_votes_of(voting["id"]) if voting and not voting["secret"] else [],
        "attendance": await services.attendance_list(session.id),
    }


@page("/meetings/sessions/{session_id:int}/chair", perm=ops.SESSION_START)
async def chair_page(ctx: Ctx) -> Response:
    session = await staff_session(ctx.require_user(), ctx.params["session_id"])
    context = await _tablet_context(ctx, session)
    context.update(await _chair_context(ctx, session))
    context["panels"] = await live_panels(ctx, session, "chair", context["current"])
    return render(ctx.request, "meetings/chair.html", context)


async def _chair_fragment(ctx: Ctx, session_id: int, error: DomainError | None = None) -> Response:
    session = await Session.get(id=session_id)
    back = _back(ctx, f"/meetings/sessions/{session.id}/chair")
    if back:
        return back
    context = await _tablet_context(ctx, session)
    context.update(await _chair_context(ctx, session))
    context["error"] = error
    return render(ctx.request, "meetings/_chair_live.html", context)


@page(
    "/meetings/sessions/{session_id:int}/chair/{action:str}",
    perm=ops.SESSION_START,
    methods=("POST",),
)
async def chair_action(ctx: Ctx) -> Response:
    """Start/close the session, move to an item, run the speaker queue, create/open/close polls."""
    user = ctx.require_user()
    sid = ctx.params["session_id"]
    action = ctx.params["action"]
    await staff_session(user, sid)
    if action == "start":
        await services.session_start(user, sid)
    elif action == "close":
        await services.session_close(user, sid)
    elif action == "current":
        await services.session_set_current(user, sid, await _form_int(ctx, "item_id") or 0)
    elif action == "floor":
        await services.speaker_give_floor(user, await _form_int(ctx, "request_id") or 0)
    elif action == "finish":
        await services.speaker_finish(user, sid)
    elif action == "poll":
        form = await ctx.form()
        kind = await _form_str(ctx, "kind", "motion")
        options = [
            line.strip() for line in str(form.get("options") or "").splitlines() if line.strip()
        ]
        await services.poll_create(
            user,
            sid,
            title=await _form_str(ctx, "title"),
            kind=kind,
            secret=form.get("secret") == "on",
            rule=await _form_str(ctx, "rule", "majority_of_seats"),
            item_id=await _form_int(ctx, "item_id", required=False),
            options=options or None,
            max_choices=await _form_int(ctx, "max_choices", required=False),
            countdown_seconds=int_param(form, "countdown_seconds", None, minimum=10, maximum=3600),
        )
    elif action in ("open", "close_poll"):
        poll_id = await _form_int(ctx, "poll_id") or 0
        poll = await Poll.get_or_none(id=poll_id, session_id=sid)
        if poll is None:
            raise NotFound()
        if action == "open":
            await services.poll_open(user, poll.id)
        else:
            await services.poll_close(user, poll.id)
    else:
        raise NotFound()
    return await _chair_fragment(ctx, sid)


# --- hall screen and public -------------------------------------------------------------------


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
    sessions_page,
    session_new_page,
    prepare_page,
    minutes_number_page,
    document_upload_page,
    document_replace_page,
    attendance_page,
    tablet_page,
    fragment_page,
    ballot_page,
    speak_page,
    offline_manifest,
    service_worker,
    document_page,
    document_file_page,
    note_page,
    chair_page,
    chair_action,
    public_list_page,
    public_page,
    public_document_page,
]
