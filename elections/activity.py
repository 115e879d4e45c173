"""A delegate's public activity record for the term (TheyWorkForYou's idea): attendance at each
sitting day, their choice in every named vote, the questions they asked and their answers, their
speeches by agenda item, the voter-contact meetings they held and the petitions raised there with
their outcome, each with the record it comes from.

Meetings' tables are only read here. Secret polls are left out entirely: ``BallotReceipt.choice``
is kept for named polls only, and only polls with ``secret=False`` are queried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from council import activity
from council.errors import NotFound
from council.i18n import N_
from council.models import Council, User
from elections import contacts, services
from elections.models import Candidate, Term, TermSeat
from meetings.models import (  # read only: meetings owns these records
    Absence,
    AgendaItem,
    Attendance,
    AttendancePast,
    BallotReceipt,
    Poll,
    PollOption,
    Session,
    SpeakerRequest,
)

PUBLIC_ROLES = ("delegate", "chair")


@dataclass
class Day:
    session_id: int
    title: str
    day: date
    state: str  # present | excused | absent
    reason: str = ""


@dataclass
class Vote:
    session_id: int
    poll_id: int
    title: str
    choice: str  # yes | no | abstain | not_voted | an option's label, or several
    passed: bool | None


@dataclass
class Speech:
    session_id: int
    session_title: str
    item: str
    started_at: datetime | None


@dataclass
class Record:
    user: User
    council: Council
    term: Term | None
    term_label: str | None
    seat: TermSeat | None
    candidate: Candidate | None
    since: date | None
    until: date | None
    days: list[Day] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)
    meetings: list[contacts.ContactView] = field(default_factory=list)
    questions: list[activity.Entry] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for d in self.days if d.state == state)


def _choice_text(kind: str, stored: object, labels: dict[int, str]) -> str:
    # Meetings stores a named choice as {"c": choice} (plus "h" for a hand vote).
    choice = stored.get("c") if isinstance(stored, dict) and "c" in stored else stored
    if choice is None:
        return "not_voted"
    if kind == "motion" and isinstance(choice, str):
        return choice
    if isinstance(choice, list):
        return ", ".join(labels.get(int(c), str(c)) for c in choice) or "abstain"
    if isinstance(choice, dict):
        return ", ".join(f"{labels.get(int(k), k)}: {v}" for k, v in choice.items())
    return str(choice)


async def record(user_id: int) -> Record:
    """The delegate's record over their seat in the council's current term (or, without a
    roster, the current term's days)."""

    user = await User.get_or_none(id=user_id)
    if user is None or user.role not in PUBLIC_ROLES or user.council_id is None:  # type: ignore[attr-defined]
        raise NotFound(N_("No delegate has this id."))
    council = await Council.get(id=user.council_id)  # type: ignore[attr-defined]
    term = await services.current_term(council.id)
    seat = (
        await TermSeat.filter(term_id=term.id, user_id=user.id).order_by("-since").first()
        if term
        else None
    )
    if term is not None and seat is None:
        # A seat of an earlier term: the record of the term they sat in.
        seat = await TermSeat.filter(user_id=user.id).order_by("-since").first()
        term = await Term.get(id=seat.term_id) if seat else term  # type: ignore[attr-defined]
    since = seat.since if seat else (term.starts_on if term else None)
    until = seat.until if seat and seat.until else (term.ends_on if term else None)
    candidate_id = seat.candidate_id if seat else None  # type: ignore[attr-defined]
    candidate = await Candidate.get_or_none(id=candidate_id) if candidate_id else None
    out = Record(
        user=user,
        council=council,
        term=term,
        term_label=services.term_label(term) if term else None,
        seat=seat,
        candidate=candidate,
        since=since,
        until=until,
    )

    qs = Session.filter(council_id=council.id, status__in=["in_progress", "closed"])
    if since:
        qs = qs.filter(starts_at__gte=datetime.combine(since, time.min, contacts.LOCAL))
    if until:
        qs = qs.filter(starts_at__lt=datetime.combine(until, time.max, contacts.LOCAL))
    sessions = {s.id: s for s in await qs.order_by("starts_at", "id")}
    ids = list(sessions)
    out.meetings = [v for v in await contacts.of_delegate(user.id) if not v.coming]
    # Questions asked and their answers: kept by questioning, given through the core.
    out.questions = await activity.entries("question", user.id, since, until)
    if not ids:
        return out

    # Attendance: each sitting day recorded for anyone, then this delegate's state on it.
    present = {
        (a.session_id, a.day)
        for a in await AttendancePast.filter(session_id__in=ids, user_id=user.id)
    }
    excused = {
        (a.session_id, a.day): a.reason
        for a in await Absence.filter(session_id__in=ids, user_id=user.id)
    }
    days: set[tuple[int, date]] = set(present) | set(excused)
    for sid, day in await AttendancePast.filter(session_id__in=ids).values_list(
        "session_id", "day"
    ):
        days.add((sid, day))
    for sid, day in await Absence.filter(session_id__in=ids).values_list("session_id", "day"):
        days.add((sid, day))
    current_in = set(
        await Attendance.filter(session_id__in=ids, user_id=user.id).values_list(
            "session_id", flat=True
        )
    )
    for sid, s in sessions.items():
        current = s.attendance_day or s.starts_at.astimezone(contacts.LOCAL).date()
        days.add((sid, current))
        if sid in current_in:
            present.add((sid, current))
    for sid, day in sorted(days, key=lambda k: (sessions[k[0]].starts_at, k[1])):
        if (sid, day) in present:
            state = "present"
        elif (sid, day) in excused:
            state = "excused"
        else:
            state = "absent"
        out.days.append(Day(sid, sessions[sid].title, day, state, excused.get((sid, day), "")))

    # Named votes only: never a secret poll.
    polls = await Poll.filter(
        session_id__in=ids, secret=False, status="closed", session__closed_sitting=False
    ).order_by("id")
    receipts = {
        r.poll_id: r.choice
        for r in await BallotReceipt.filter(poll_id__in=[p.id for p in polls], user_id=user.id)
    }
    labels = {o.id: o.label for o in await PollOption.filter(poll_id__in=[p.id for p in polls])}
    for p in polls:
        result = p.result or {}
        out.votes.append(
            Vote(
                p.session_id,
                p.id,
                p.title,
                _choice_text(p.kind, receipts.get(p.id), labels)
                if p.id in receipts
                else "not_voted",
                result.get("passed") if isinstance(result, dict) else None,
            )
        )

    # Speeches: requests that got the floor, by agenda item.
    spoken = await SpeakerRequest.filter(
        session_id__in=ids, user_id=user.id, started_at__not_isnull=True
    ).order_by("started_at")
    items = {
        i.id: i.title
        for i in await AgendaItem.filter(id__in=[r.item_id for r in spoken if r.item_id])
    }
    for r in spoken:
        out.speeches.append(
            Speech(
                r.session_id,
                sessions[r.session_id].title,
                items.get(r.item_id, "") if r.item_id else "",
                r.started_at,
            )
        )
    return out
