"""Attendance run by the secretariat: opening check-in early, absences with a reason, undoing a
mistaken check-in. JSON API and the preparation page's htmx forms."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from council.errors import DomainError
from council.web import Ctx, api, page
from meetings import operations as ops
from meetings.routes.api import TAGS, _session_out
from meetings.routes.pages import _back, _form_int, _form_str, attendance_fragment
from meetings.schemas import AbsenceOut, AttendanceOut, DeletedOut, SessionOut
from meetings.services.attendance import (
    absence_clear,
    absence_record,
    attendance_open,
    attendance_undo,
)
from meetings.services.common import get_session


def _absence(absence: Any) -> dict[str, Any]:
    return {
        "session_id": absence.session_id,
        "user_id": absence.user_id,
        "day": absence.day.isoformat(),
        "reason": absence.reason,
    }


@api(
    "POST",
    "/api/v1/sessions/{session_id:int}/attendance/open",
    perm=ops.ATTENDANCE_OPEN,
    response=SessionOut,
    tags=TAGS,
    summary="Open check-in before the sitting's day (secretariat)",
)
async def attendance_open_api(ctx: Ctx) -> dict[str, Any]:
    session = await attendance_open(ctx.require_user(), ctx.params["session_id"])
    return await _session_out(session.id)


@api(
    "DELETE",
    "/api/v1/sessions/{session_id:int}/attendance/{user_id:int}",
    perm=ops.ATTENDANCE_UNDO,
    response=AttendanceOut,
    tags=TAGS,
    summary="Undo a mistaken check-in of today (secretariat; refused while a vote is open)",
)
async def attendance_undo_api(ctx: Ctx) -> dict[str, Any]:
    return await attendance_undo(
        ctx.require_user(), ctx.params["session_id"], ctx.params["user_id"]
    )


@api(
    "PUT",
    "/api/v1/sessions/{session_id:int}/absences/{user_id:int}",
    perm=ops.ATTENDANCE_ABSENT,
    response=AbsenceOut,
    tags=TAGS,
    summary="Record a delegate absent today with a reason (vắng mặt có lý do)",
)
async def absence_record_api(ctx: Ctx) -> dict[str, Any]:
    absence = await absence_record(
        ctx.require_user(), ctx.params["session_id"], ctx.params["user_id"], ctx.body.reason
    )
    return _absence(absence)


@api(
    "DELETE",
    "/api/v1/sessions/{session_id:int}/absences/{user_id:int}",
    perm=ops.ATTENDANCE_ABSENCE_CLEAR,
    response=DeletedOut,
    tags=TAGS,
    summary="Withdraw an absence recorded today",
)
async def absence_clear_api(ctx: Ctx) -> dict[str, Any]:
    await absence_clear(ctx.require_user(), ctx.params["session_id"], ctx.params["user_id"])
    return {"deleted": True}


def _prepare_url(session_id: int) -> str:
    return f"/meetings/sessions/{session_id}/prepare"


@page(
    "/meetings/sessions/{session_id:int}/attendance/open",
    perm=ops.ATTENDANCE_OPEN,
    methods=("POST",),
)
async def attendance_open_page(ctx: Ctx) -> Response:
    session = await attendance_open(ctx.require_user(), ctx.params["session_id"])
    return _back(ctx, _prepare_url(session.id)) or await attendance_fragment(ctx, session)


async def _answer(ctx: Ctx, session_id: int, error: DomainError | None) -> Response:
    session = await get_session(session_id)
    if error is not None and not ctx.is_htmx:
        raise error
    return _back(ctx, _prepare_url(session.id)) or await attendance_fragment(ctx, session, error)


@page(
    "/meetings/sessions/{session_id:int}/attendance/undo",
    perm=ops.ATTENDANCE_UNDO,
    methods=("POST",),
)
async def attendance_undo_page(ctx: Ctx) -> Response:
    error = None
    try:
        await attendance_undo(
            ctx.require_user(), ctx.params["session_id"], await _form_int(ctx, "user_id") or 0
        )
    except DomainError as exc:
        error = exc
    return await _answer(ctx, ctx.params["session_id"], error)


@page(
    "/meetings/sessions/{session_id:int}/absences",
    perm=ops.ATTENDANCE_ABSENT,
    methods=("POST",),
)
async def absence_page(ctx: Ctx) -> Response:
    error = None
    try:
        await absence_record(
            ctx.require_user(),
            ctx.params["session_id"],
            await _form_int(ctx, "user_id") or 0,
            await _form_str(ctx, "reason"),
        )
    except DomainError as exc:
        error = exc
    return await _answer(ctx, ctx.params["session_id"], error)


@page(
    "/meetings/sessions/{session_id:int}/absences/clear",
    perm=ops.ATTENDANCE_ABSENCE_CLEAR,
    methods=("POST",),
)
async def absence_clear_page(ctx: Ctx) -> Response:
    error = None
    try:
        await absence_clear(
            ctx.require_user(), ctx.params["session_id"], await _form_int(ctx, "user_id") or 0
        )
    except DomainError as exc:
        error = exc
    return await _answer(ctx, ctx.params["session_id"], error)


routes = [
    attendance_open_api,
    attendance_undo_api,
    absence_record_api,
    absence_clear_api,
    attendance_open_page,
    attendance_undo_page,
    absence_page,
    absence_clear_page,
]
