"""minutes.render: draft the minutes (biên bản) of a session from its record."""

from __future__ import annotations

import asyncio
import re
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime
from typing import Any, cast

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from council import audit, minutes_sections, terms
from council.collation import name_key
from council.errors import Conflict, Forbidden, Invalid
from council.i18n import N_
from council.localtime import local_date
from council.models import AuditEntry, Council, User
from meetings.minutes import (
    AttendanceRecord,
    CheckInUndone,
    DayAttendance,
    ItemRecord,
    MinutesRecord,
    SpeakerRecord,
    VoteRecord,
    render_docx,
    render_pdf,
)
from meetings.models import (
    Absence,
    Attendance,
    AttendancePast,
    BallotReceipt,
    Poll,
    PollOption,
    Session,
    SpeakerRequest,
)
from meetings.services.common import (
    KIND_LABELS_VI,
    LOCAL_TZ,
    SEAT_ROLES,
    get_session,
    is_staff_of,
    local_day,
    require_state,
    same_council,
    seats_and_quorum,
    user_names,
)
from meetings.services.sessions import items_of
from meetings.services.speakers import speakers_of_item
from meetings.services.voting import hand_of, unwrap
from meetings.voting.tally import result_from_dict

CHOICE_VI = {"yes": "tán thành", "no": "không tán thành", "abstain": "không biểu quyết"}
LEVEL_VI = {"high": "tín nhiệm cao", "medium": "tín nhiệm", "low": "tín nhiệm thấp"}


def _worded_choice(poll: Poll, choice: object, labels: dict[int, str]) -> str:
    if poll.kind == "motion":
        return CHOICE_VI.get(str(choice), str(choice))
    if poll.kind == "election" and isinstance(choice, list):
        return ", ".join(labels.get(int(c), "?") for c in choice) or "không bầu ai"
    if isinstance(choice, dict):
        return "; ".join(
            f"{labels.get(int(k), '?')}: {LEVEL_VI.get(v, v)}" for k, v in choice.items()
        )
    return str(choice)


async def _vote_record(poll: Poll, polls: dict[int, Poll]) -> VoteRecord:
    named = None
    by_hand: list[str] = []
    if not poll.secret:
        labels = {o.id: o.label for o in await PollOption.filter(poll_id=poll.id)}
        receipts = await BallotReceipt.filter(poll_id=poll.id).order_by("user_id")
        names = await user_names([r.user_id for r in receipts])
        named = sorted(
            (
                (names.get(r.user_id, ""), _worded_choice(poll, unwrap(r.choice), labels))
                for r in receipts
            ),
            key=lambda pair: name_key(pair[0]),
        )
        by_hand = sorted(
            (names.get(r.user_id, "") for r in receipts if hand_of(r.choice) is not None),
            key=name_key,
        )
    first = polls.get(poll.revote_of_id or 0)
    return VoteRecord(
        title=poll.title,
        kind=poll.kind,
        secret=poll.secret,
        result=result_from_dict(poll.result or {}),
        closed_at=poll.closed_at,
        named=named,
        by_hand=by_hand,
        revote_of=_poll_ref(first) if first else "",
        revote_reason=poll.revote_reason if first else "",
    )


def _poll_ref(poll: Poll) -> str:
    """When an earlier vote closed, as the minutes write it (local time)."""
    if poll.closed_at is None:
        return "trước đó"
    at = poll.closed_at.astimezone(LOCAL_TZ)
    return f"lúc {at:%H} giờ {at:%M} phút ngày {at:%d/%m/%Y}"


async def _attendance_days(
    session: Session, names: dict[int, str], members: list[User]
) -> list[DayAttendance]:
    """Each day of the sitting: who was present, absent with a reason, absent."""
    by_day: dict[date, set[int]] = {}
    for row in await AttendancePast.filter(session_id=session.id):
        by_day.setdefault(row.day, set()).add(row.user_id)
    today = session.attendance_day or local_day(session.started_at or session.starts_at)
    by_day[today] = set(
        cast(
            list[int],
            await Attendance.filter(session_id=session.id).values_list("user_id", flat=True),
        )
    )
    reasons: dict[date, dict[int, str]] = {}
    for absence in await Absence.filter(session_id=session.id):
        reasons.setdefault(absence.day, {})[absence.user_id] = absence.reason
    days = []
    for day in sorted(set(by_day) | set(reasons)):
        present = by_day.get(day, set())
        excused = {u: r for u, r in reasons.get(day, {}).items() if u not in present}
        days.append(
            DayAttendance(
                day=day,
                present=sorted((names[i] for i in present if i in names), key=name_key),
                excused=sorted(
                    ((names.get(u, ""), r) for u, r in excused.items()),
                    key=lambda p: name_key(p[0]),
                ),
                absent=sorted(
                    (names[m.id] for m in members if m.id not in present and m.id not in excused),
                    key=name_key,
                ),
            )
        )
    return days


async def _undone(session: Session) -> list[CheckInUndone]:
    """Check-ins the secretariat took back, from the audit log."""
    entries = await AuditEntry.filter(
        operation="attendance.undo", target_type="session", target_id=str(session.id)
    ).order_by("id")
    names = await user_names(
        [int(e.details.get("user_id", 0)) for e in entries] + [e.actor_id or 0 for e in entries]
    )
    return [
        CheckInUndone(
            name=names.get(int(e.details.get("user_id", 0)), ""),
            at=e.created_at.astimezone(LOCAL_TZ),
            by=names.get(e.actor_id or 0, e.actor_name),
        )
        for e in entries
    ]


def _speaker_record(r: SpeakerRequest, names: dict[int, str]) -> SpeakerRecord:
    seconds = (
        int((r.ended_at - r.started_at).total_seconds()) if r.ended_at and r.started_at else None
    )
    return SpeakerRecord(names.get(r.user_id, ""), r.started_at, seconds)


async def minutes_record(session: Session) -> MinutesRecord:
    """Attendance, items in agenda order with their speakers and closed polls, other polls."""
    council = await Council.get(id=session.council_id)
    seats, quorum = await seats_and_quorum(session)
    present_ids = set(
        cast(
            list[int],
            await Attendance.filter(session_id=session.id).values_list("user_id", flat=True),
        )
    )
    # The seat holders: the active ones, and whoever was present even if gone since.
    members = (
        await User.filter(council_id=council.id, role__in=SEAT_ROLES)
        .filter(Q(is_active=True) | Q(id__in=list(present_ids)))
        .order_by("id")
    )
    past_ids = set(
        cast(
            list[int],
            await AttendancePast.filter(session_id=session.id).values_list("user_id", flat=True),
        )
    )
    names = await user_names([m.id for m in members] + list(present_ids | past_ids))
    chair = next((m for m in members if m.role == "chair"), None)
    secretary = await User.filter(council_id=council.id, role="secretariat").order_by("id").first()
    polls = await Poll.filter(session_id=session.id, status="closed").order_by("closed_at", "id")
    by_id = {p.id: p for p in polls}
    speakers = await speakers_of_item(session.id)
    speaker_names = await user_names([r.user_id for rs in speakers.values() for r in rs])
    days = await _attendance_days(session, names, list(members))
    items = []
    item_ids = set()
    for item in await items_of(session.id):
        item_ids.add(item.id)
        items.append(
            ItemRecord(
                position=item.position,
                title=item.title,
                kind_label=KIND_LABELS_VI.get(item.kind, KIND_LABELS_VI["other"]),
                description=item.description,
                speakers=[_speaker_record(r, speaker_names) for r in speakers.get(item.id, [])],
                votes=[await _vote_record(p, by_id) for p in polls if p.item_id == item.id],
                sections=await minutes_sections.lines_for(session.id, item.id, item.kind),
            )
        )
    return MinutesRecord(
        council_name=council.name,
        session_title=session.title,
        starts_at=session.started_at or session.starts_at,
        closed_at=session.closed_at,
        location=session.location,
        chair_name=(chair.full_name or chair.username) if chair else "",
        secretary_name=(secretary.full_name or secretary.username) if secretary else "",
        attendance=AttendanceRecord(
            seats=seats,
            quorum=quorum,
            present=sorted((names[i] for i in present_ids if i in names), key=name_key),
            absent=sorted((names[m.id] for m in members if m.id not in present_ids), key=name_key),
            excused=days[-1].excused if days else [],
            days=days,
            undone=await _undone(session),
        ),
        items=items,
        other_votes=[await _vote_record(p, by_id) for p in polls if p.item_id not in item_ids],
        other_speakers=[
            _speaker_record(r, speaker_names)
            for item_id, rs in speakers.items()
            if item_id not in item_ids
            for r in rs
        ],
        audit_anchor=await _close_anchor(session),
        number=session.minutes_number,
    )


async def _close_anchor(session: Session) -> tuple[int, int, str] | None:
    """The audit entry that recorded the session's close, as ``(chain, seq, hash)``."""
    if session.status != "closed":
        return None
    entry = (
        await AuditEntry.filter(
            operation="session.close", target_type="session", target_id=str(session.id)
        )
        .order_by("-id")
        .first()
    )
    return (entry.chain, entry.seq, entry.hash) if entry is not None else None


# Characters no DOCX (XML 1.0) can hold, nor a printed page shows: C0 controls but tab, newline
# and carriage return, DEL, and the non-characters U+FFFE/U+FFFF. Text typed into a title or a
# reason may carry them (pasted from elsewhere); the minutes leave them out.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _printable(value: Any) -> Any:
    """``value`` with every string in it (dataclasses, lists, tuples) made printable."""
    if isinstance(value, str):
        return _UNPRINTABLE.sub("", value)
    if isinstance(value, list):
        return [_printable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_printable(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(
            value, **{f.name: _printable(getattr(value, f.name)) for f in fields(value) if f.init}
        )
    return value


async def minutes_render(user: User, session_id: int, fmt: str) -> tuple[Session, bytes]:
    """minutes.render: the minutes as ``docx`` or ``pdf`` for the council's members."""
    session = await get_session(session_id)
    if not same_council(user, session.council_id) or session.status == "draft":
        raise Forbidden(N_("This session belongs to another council."))
    record = _printable(await minutes_record(session))
    render = render_pdf if fmt == "pdf" else render_docx
    return session, await asyncio.to_thread(render, record)


async def minutes_pdf_bytes(session: Session) -> bytes:
    """The minutes generated from the session's record now, as PDF (the workflow's drafts)."""
    record = _printable(await minutes_record(session))
    return await asyncio.to_thread(render_pdf, record)


MAX_MINUTES_NUMBER = 99_999


async def _last_sitting(council_id: int, starts_at: datetime, boundary: datetime) -> bool:
    """Whether the sitting that started at ``starts_at`` is its closed term's last one."""
    later = Session.filter(council_id=council_id, starts_at__gt=starts_at, starts_at__lt=boundary)
    return not await later.exists()


# A closed term's records are read-only (council.terms), except to finish its last minutes:
# number them and take them through the signing workflow.
terms.allow_on_closed_term(
    "minutes.number",
    "minutes.draft",
    "minutes.review",
    "minutes.approve",
    "minutes.sign",
    "minutes.sign_prepare",
    "minutes.sign_complete",
    "minutes.publish",
    only_if=_last_sitting,
)


def minutes_year(session: Session) -> int:
    """The year the minutes are dated in (local time): numbers run per council and year."""
    return local_date(session.closed_at or session.started_at or session.starts_at).year


async def minutes_number(user: User, session_id: int, number: int | None) -> Session:
    """minutes.number: the secretariat sets (or clears, with None) the minutes' number.

    Numbers run per council and calendar year, as the decree numbers documents: one number is
    given to one session's minutes in a year."""
    session = await get_session(session_id)
    if not is_staff_of(user, session.council_id) or user.role == "chair":
        raise Forbidden(N_("Only the council's secretariat may number the minutes."))
    require_state(session, "published", "in_progress", "closed")
    if number is not None and not 1 <= number <= MAX_MINUTES_NUMBER:
        raise Invalid(
            fields={"number": str(N_("A number from 1 to 99999 is expected."))},
        )
    async with in_transaction():
        session = await Session.select_for_update(no_key=True).get(id=session.id)
        if number is not None:
            year = minutes_year(session)
            others = await Session.filter(
                council_id=session.council_id, minutes_number=number
            ).exclude(id=session.id)
            if any(minutes_year(other) == year for other in others):
                raise Conflict(
                    "minutes_number_taken",
                    N_("Another session's minutes already have this number this year."),
                    status=409,
                    number=number,
                )
        previous = session.minutes_number
        session.minutes_number = number
        await session.save(update_fields=["minutes_number"])
        await audit.record(
            "minutes.number",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"number": number, "previous": previous},
        )
    return session
