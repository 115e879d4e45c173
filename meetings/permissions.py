"""Permissions of every meetings operation, declared as data (name, roles, scope, resolver)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from council.errors import NotFound
from council.i18n import N_, LazyString
from council.permissions import Permission, Scope, allow, logged_in, public
from meetings.models import (
    AgendaItem,
    Document,
    HallDisplay,
    HandVote,
    Poll,
    Session,
    SpeakerRequest,
)

STAFF = ("admin", "secretariat", "chair")
SECRETARIAT = ("admin", "secretariat")
SEATS = ("delegate", "chair")
MEMBERS = ("admin", "secretariat", "chair", "delegate")
# A hall screen's account: named by the permissions that only show a sitting, and no other.
WATCHERS = (*MEMBERS, "display")


def _int(params: Mapping[str, Any], key: str) -> int | None:
    value = params.get(key)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


async def session_scope(params: Mapping[str, Any]) -> Scope:
    sid = _int(params, "session_id") or _int(params, "id")
    council_id = await Session.filter(id=sid or 0).values_list("council_id", flat=True)
    return _council(council_id, N_("This session does not exist."))


async def poll_scope(params: Mapping[str, Any]) -> Scope:
    pid = _int(params, "poll_id")
    rows = await Poll.filter(id=pid or 0).values_list("session__council_id", flat=True)
    return _council(rows, N_("This poll does not exist."))


async def item_scope(params: Mapping[str, Any]) -> Scope:
    iid = _int(params, "item_id")
    rows = await AgendaItem.filter(id=iid or 0).values_list("session__council_id", flat=True)
    return _council(rows, N_("This agenda item does not exist."))


async def document_scope(params: Mapping[str, Any]) -> Scope:
    did = _int(params, "document_id")
    rows = await Document.filter(id=did or 0).values_list("session__council_id", flat=True)
    return _council(rows, N_("This document does not exist."))


async def speaker_scope(params: Mapping[str, Any]) -> Scope:
    rid = _int(params, "request_id")
    rows = await SpeakerRequest.filter(id=rid or 0).values_list("session__council_id", flat=True)
    return _council(rows, N_("This request to speak does not exist."))


async def hand_vote_scope(params: Mapping[str, Any]) -> Scope:
    hid = _int(params, "hand_vote_id")
    rows = await HandVote.filter(id=hid or 0).values_list("poll__session__council_id", flat=True)
    return _council(rows, N_("This vote by hand does not exist."))


async def display_scope(params: Mapping[str, Any]) -> Scope:
    did = _int(params, "display_id")
    rows = await HallDisplay.filter(id=did or 0).values_list("council_id", flat=True)
    return _council(rows, N_("This hall display does not exist."))


async def council_code_scope(params: Mapping[str, Any]) -> Scope:
    from council.models import Council

    rows = await Council.filter(code=str(params.get("council_code", ""))).values_list(
        "id", flat=True
    )
    return _council(rows, N_("No council has this code."))


def _council(rows: Any, missing: LazyString) -> Scope:
    """The scope of the council the target belongs to; NotFound when there is no target, so that
    every role hears what an admin hears (the admin skips the resolver and meets the service's)."""
    if not rows:
        raise NotFound(missing)
    return Scope.council(*cast(list[int], rows))


def _staff(name: str, resolve: Any = session_scope) -> Permission:
    return allow(name, *STAFF, scope="council", resolve=resolve)


SESSION_CREATE = allow(
    "session.create", "admin", "secretariat", scope="council", resolve=council_code_scope
)
SESSION_LIST = allow("session.list", *MEMBERS)
SESSION_VIEW = allow("session.view", *MEMBERS, scope="council", resolve=session_scope)
SESSION_PUBLISH = _staff("session.publish")
SESSION_START = _staff("session.start")
SESSION_CLOSE = _staff("session.close")
SESSION_SET_CURRENT = _staff("session.set_current")
SESSION_JOIN = allow("session.join", *WATCHERS, scope="council", resolve=session_scope)
SESSION_UPDATE = _staff("session.update")
SESSION_COPY = allow("session.copy", *SECRETARIAT, scope="council", resolve=session_scope)
SESSION_HISTORY = allow("session.history", *MEMBERS, scope="council", resolve=session_scope)
HALL_VIEW = allow("hall.view", *WATCHERS, scope="council", resolve=session_scope)
HALL_HOME = allow("hall.home", *WATCHERS)
NOTICE_LIST = allow("notice.list", "secretariat", "chair", "delegate")
NOTICE_READ = allow("notice.read", *MEMBERS, scope="council", resolve=session_scope)
ITEM_CREATE = _staff("item.create")
ITEM_MOVE = _staff("item.move", item_scope)
ITEM_REORDER = _staff("item.reorder")
ITEM_UPDATE = _staff("item.update", item_scope)
ITEM_DELETE = _staff("item.delete", item_scope)
DOCUMENT_UPLOAD = _staff("document.upload")
DOCUMENT_REPLACE = _staff("document.replace", document_scope)
DOCUMENT_UPDATE = _staff("document.update", document_scope)
DOCUMENT_DELETE = _staff("document.delete", document_scope)
# Readers are checked per document by the service (public documents are open to everyone).
DOCUMENT_READ = logged_in("document.read")
DOCUMENT_LIST = allow("document.list", *MEMBERS, scope="council", resolve=session_scope)
DOCUMENT_READ_PUBLIC = public("document.read_public")
NOTE_SAVE = allow(
    "note.save", "secretariat", "chair", "delegate", scope="council", resolve=document_scope
)
ATTENDANCE_CHECK_IN = allow("attendance.check_in", *MEMBERS, scope="council", resolve=session_scope)
ATTENDANCE_VIEW = allow("attendance.view", *MEMBERS, scope="council", resolve=session_scope)
ATTENDANCE_OPEN = allow("attendance.open", *SECRETARIAT, scope="council", resolve=session_scope)
ATTENDANCE_UNDO = allow("attendance.undo", *SECRETARIAT, scope="council", resolve=session_scope)
ATTENDANCE_ABSENT = allow("attendance.absent", *SECRETARIAT, scope="council", resolve=session_scope)
ATTENDANCE_ABSENCE_CLEAR = allow(
    "attendance.absence_clear", *SECRETARIAT, scope="council", resolve=session_scope
)
SPEAKER_REQUEST = allow("speaker.request", *SEATS, scope="council", resolve=session_scope)
SPEAKER_WITHDRAW = allow("speaker.withdraw", *SEATS, scope="council", resolve=session_scope)
SPEAKER_GIVE_FLOOR = _staff("speaker.give_floor", speaker_scope)
SPEAKER_FINISH = _staff("speaker.finish")
POLL_CREATE = _staff("poll.create")
POLL_OPEN = _staff("poll.open", poll_scope)
POLL_CLOSE = _staff("poll.close", poll_scope)
POLL_REVOTE = _staff("poll.revote", poll_scope)
POLL_VIEW = allow("poll.view", *MEMBERS, scope="council", resolve=poll_scope)
BALLOT_CAST = allow("ballot.cast", *SEATS, scope="council", resolve=poll_scope)
BALLOT_HAND_RECORD = allow("ballot.hand_record", *SECRETARIAT, scope="council", resolve=poll_scope)
BALLOT_HAND_CONFIRM = allow(
    "ballot.hand_confirm", "admin", "chair", scope="council", resolve=hand_vote_scope
)
BALLOT_HAND_REJECT = allow("ballot.hand_reject", *STAFF, scope="council", resolve=hand_vote_scope)
BALLOT_HAND_LIST = _staff("ballot.hand_list", poll_scope)
DISPLAY_CREATE = allow("display.create", *SECRETARIAT, scope="council", resolve=council_code_scope)
DISPLAY_LIST = allow("display.list", *SECRETARIAT, scope="council", resolve=council_code_scope)
DISPLAY_REVOKE = allow("display.revoke", *SECRETARIAT, scope="council", resolve=display_scope)
DISPLAY_OPEN = public("display.open")
MINUTES_RENDER = allow("minutes.render", *MEMBERS, scope="council", resolve=session_scope)
MINUTES_NUMBER = allow(
    "minutes.number", "admin", "secretariat", scope="council", resolve=session_scope
)
PUBLIC_VIEW = public("session.public_view")
