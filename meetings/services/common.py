"""Helpers shared by the meetings services: lookups, access rules and serialisation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

from council import terms
from council.errors import Conflict, Forbidden, NotFound
from council.i18n import N_
from council.localtime import LOCAL_TZ as LOCAL_TZ
from council.localtime import local_date
from council.models import Council, User
from council.services import SEAT_ROLES as SEAT_ROLES
from meetings.models import AgendaItem, Attendance, Session

# SEAT_ROLES (the core's): users who hold a seat check in, vote and ask for the floor.
# Council staff who prepare and run sessions.
STAFF_ROLES = frozenset({"secretariat", "chair"})
KIND_MSGIDS = {
    "opening": N_("Opening"),
    "report": N_("Report"),
    "proposal": N_("Proposal"),
    "draft_resolution": N_("Draft resolution"),
    "verification_report": N_("Verification report"),
    "questioning": N_("Questioning"),
    "petitions_report": N_("Report on voters' petitions"),
    "closing": N_("Closing"),
    "other": N_("Other business"),
}
# A vote's kind, passing rule and a document's confidentiality, as the pages word them (the
# macros of templates/meetings/_macros.html read these, and so does the audit log).
POLL_KIND_MSGIDS = {
    "motion": N_("Motion"),
    "election": N_("Election"),
    "confidence": N_("Vote of confidence"),
}
POLL_RULE_MSGIDS = {
    "majority_of_seats": N_("more than half of all seats"),
    "two_thirds_of_seats": N_("at least two thirds of all seats"),
}
CONFIDENTIALITY_MSGIDS = {
    "public": N_("Public"),
    "internal": N_("Internal"),
    "confidential": N_("Confidential"),
}
# A named vote's choice and who signed the minutes, in the pages' words.
CHOICE_MSGIDS = {"yes": N_("For"), "no": N_("Against"), "abstain": N_("Abstain")}
# The fields of a poll's result (tally.py's as_dict), as the audit log names them.
RESULT_FIELD_MSGIDS = {
    "yes": N_("For"),
    "no": N_("Against"),
    "abstain": N_("Abstain"),
    "not_voted": N_("Did not take part in the vote"),
    "required": N_("Votes needed"),
    "passed": N_("Outcome of the vote"),
    "ballots": N_("Ballots cast"),
    "option_id": N_("Choice no."),
    "label": N_("Name"),
    "votes": N_("Votes received"),
    "qualified": N_("Reached the votes needed"),
    "elected": N_("Elected"),
    "tied": N_("Tied"),
    "high": N_("High confidence"),
    "medium": N_("Confidence"),
    "low": N_("Low confidence"),
    "not_rated": N_("Not rated"),
    "low_over_half": N_("Low confidence from more than half of all seats"),
    "low_two_thirds": N_("Low confidence from at least two thirds of all seats"),
}
PASSED_MSGIDS = {"true": N_("passed"), "false": N_("not passed")}
# The tables templates/meetings/_macros.html words codes with (a Jinja global, ``meeting_labels``).
TEMPLATE_LABELS = {
    "item_kind": KIND_MSGIDS,
    "poll_kind": POLL_KIND_MSGIDS,
    "poll_rule": POLL_RULE_MSGIDS,
    "confidentiality": CONFIDENTIALITY_MSGIDS,
    "choice": CHOICE_MSGIDS,
}
SIGNER_MSGIDS = {"chair": N_("Chair"), "secretary": N_("Secretary")}
# What a resolution's edit changed.
RESOLUTION_FIELD_MSGIDS = {"title": N_("Title"), "text": N_("Text")}
# Minutes are always drafted in Vietnamese (a legal record), whatever the reader's language.
KIND_LABELS_VI = {
    "opening": "Khai mạc",
    "report": "Báo cáo",
    "proposal": "Tờ trình",
    "draft_resolution": "Dự thảo nghị quyết",
    "verification_report": "Báo cáo thẩm tra",
    "questioning": "Chất vấn",
    "petitions_report": "Báo cáo kết quả giải quyết kiến nghị cử tri",
    "closing": "Bế mạc",
    "other": "Nội dung khác",
}


def now() -> datetime:
    return datetime.now(UTC)


def local_day(moment: datetime | None = None) -> date:
    """The calendar day in Vietnam (Asia/Ho_Chi_Minh) at ``moment`` (default: now): the "day" of
    a sitting's attendance."""
    return local_date(moment or now())


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == "admin"


def same_council(user: User | None, council_id: int) -> bool:
    return user is not None and (user.role == "admin" or user.council_id == council_id)


def is_staff_of(user: User | None, council_id: int) -> bool:
    return is_admin(user) or (
        user is not None and user.role in STAFF_ROLES and user.council_id == council_id
    )


def holds_seat(user: User | None, council_id: int) -> bool:
    return user is not None and user.role in SEAT_ROLES and user.council_id == council_id


def can_see_session(user: User | None, session: Session) -> bool:
    """Drafts are visible to the council's staff only; published sessions to the council."""
    if session.status == "draft":
        return is_staff_of(user, session.council_id)
    return same_council(user, session.council_id)


async def get_session(session_id: int) -> Session:
    session = await Session.get_or_none(id=session_id)
    if session is None:
        raise NotFound(N_("This session does not exist."))
    return session


# The sitting's turn: on PostgreSQL a lock on its row that whatever must see a vote opening at the
# same moment takes first (a poll's opening, the questioning's turns, the move to the
# questioning, the close). FOR NO KEY UPDATE, not FOR UPDATE: it serializes those against each
# other but leaves the row's KEY SHARE free, which the foreign key of every row inserted for the
# sitting takes (a change notice, a document): an edit that has already taken the audit chain's
# lock and then inserts one must not wait here while the lock's holder waits for the chain.
# (SQLite's writers take turns already: nothing to do there.)
SITTING_LOCK_SQL = f"SELECT id FROM {Session._meta.db_table} WHERE id = ? FOR NO KEY UPDATE"


async def lock_sitting(session_id: int) -> None:
    """In a transaction: take the sitting's turn (see ``SITTING_LOCK_SQL``) until its end."""
    await Session.select_for_update(no_key=True).filter(id=session_id).only("id").first()


async def session_for(user: User | None, session_id: int) -> Session:
    """The session if ``user`` may see it: 404 for drafts of others, 403 for another council."""
    session = await get_session(session_id)
    if not same_council(user, session.council_id):
        raise Forbidden(N_("This session belongs to another council."))
    if not can_see_session(user, session):
        raise NotFound(N_("This session does not exist."))
    return session


async def staff_session(user: User, session_id: int) -> Session:
    session = await get_session(session_id)
    if not is_staff_of(user, session.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    return session


def require_state(session: Session, *states: str) -> None:
    if session.status not in states:
        raise Conflict(
            "session_state",
            N_("This cannot be done in the session's current state."),
            status=409,
            state=session.status,
        )


async def council_of(session: Session) -> Council:
    return await Council.get(id=session.council_id)


async def seats_and_quorum(session: Session) -> tuple[int, int]:
    """The seats and quorum a session counts against: as they were when its sitting started
    (kept on the session), or the council's as they are now for a session not yet started:
    "tổng số đại biểu" as the council reads it (``council.terms``)."""
    if session.seats is not None and session.quorum_count is not None:
        return session.seats, session.quorum_count
    council = await council_of(session)
    seats = await terms.delegates_total(council)
    return seats, terms.quorum_of(council, seats)


async def present_user_ids(session_id: int) -> list[int]:
    rows = await Attendance.filter(session_id=session_id).values_list("user_id", flat=True)
    return cast(list[int], rows)


async def attendance_summary(session: Session) -> dict[str, Any]:
    """``{session_id, present, seats, quorum, quorum_met}`` as the attendance event carries it."""
    seats, quorum = await seats_and_quorum(session)
    present = await Attendance.filter(session_id=session.id).count()
    return {
        "session_id": session.id,
        "present": present,
        "seats": seats,
        "quorum": quorum,
        "quorum_met": present >= quorum,
    }


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def item_dict(item: AgendaItem | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "id": item.id,
        "session_id": item.session_id,
        "position": item.position,
        "title": item.title,
        "kind": item.kind,
        "kind_label": str(KIND_MSGIDS.get(item.kind, KIND_MSGIDS["other"])),
        "description": item.description,
        "speaking_seconds": item.speaking_seconds,
    }


def session_dict(session: Session, council: Council | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": session.id,
        "council_id": session.council_id,
        "title": session.title,
        "location": session.location,
        "starts_at": iso(session.starts_at),
        "status": session.status,
        "current_item_id": session.current_item_id,
        "current_item_at": iso(session.current_item_at),
        "speaking_seconds": session.speaking_seconds,
        "started_at": iso(session.started_at),
        "closed_at": iso(session.closed_at),
        "check_in_opened_at": iso(session.check_in_opened_at),
        "copied_from_id": session.copied_from_id,
        "closed_sitting": session.closed_sitting,
    }
    if council is not None:
        out["council_code"] = council.code
        out["council_name"] = council.name
    return out


async def user_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = await User.filter(id__in=ids).only("id", "full_name", "username")
    return {u.id: (u.full_name or u.username) for u in users}
