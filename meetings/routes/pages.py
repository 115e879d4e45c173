"""HTML pages and htmx fragments: the sessions list, creation, preparation and the chair console,
and the helpers the other page modules share (``pages_tablet``, ``pages_public``, ``preparing``,
``presence``, ``chairing``, ``hall``).

Every page includes the very fragment an htmx request gets alone (``render(..., fragment=...)``).
A form posted without htmx is answered with a redirect back to its page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid, NotFound
from council.i18n import N_
from council.localtime import LOCAL_TZ
from council.models import Council
from council.officialdoc import number_line
from council.templating import render
from council.validation import int_param
from council.web import Ctx, page
from meetings import operations as ops
from meetings import services
from meetings.minutes.layout import SYMBOL as MINUTES_SYMBOL
from meetings.models import ITEM_KINDS, Document, Poll, Session
from meetings.routes.api import _upload_field
from meetings.routes.panels import live_panels
from meetings.services.attendance import check_in_is_open
from meetings.services.common import (
    KIND_MSGIDS,
    attendance_summary,
    is_staff_of,
    now,
    staff_session,
)
from meetings.services.hand_votes import hand_votes_of
from meetings.services.notices import history_rows
from meetings.services.preparing import session_copy


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


routes = [
    sessions_page,
    session_new_page,
    prepare_page,
    minutes_number_page,
    document_upload_page,
    document_replace_page,
    attendance_page,
    chair_page,
    chair_action,
]
