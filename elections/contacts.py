"""Voter-contact meetings (tiếp xúc cử tri) tied to the delegates' accounts and a constituency.

Petitions keeps the record of a meeting once held (``petitions.models.VoterMeeting``: place,
attendees, the delegates as free text, the petitions raised). Here the secretariat schedules coming
meetings, and links each held one to the delegates who hold seats in the current term and to the
constituency they met; petitions' own tables are only read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User
from elections import services
from elections.models import Constituency, ContactDelegate, ContactMeeting, Term, TermSeat
from petitions.models import Petition, VoterMeeting  # read only: petitions owns these records

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    """The date in Vietnam: "coming" and "held" are about local days."""
    return datetime.now(LOCAL).date()


async def term_constituency(term: Term, number: int | None) -> Constituency | None:
    """Constituency no. ``number`` of the term (of its latest regular election), or None."""
    if number is None:
        return None
    constituency = (
        await Constituency.filter(election__term_id=term.id, number=number)
        .order_by("election__kind", "-election__day")
        .first()
    )
    if constituency is None:
        raise Invalid(
            fields={
                "constituency": str(N_("The current term has no constituency with this number."))
            }
        )
    return constituency


async def _delegates(term: Term, user_ids: list[int]) -> list[int]:
    ids = sorted(set(user_ids))
    if not ids or len(ids) > 50:
        raise Invalid(fields={"delegate_ids": str(N_("Choose the delegates taking part."))})
    seated = set(
        await TermSeat.filter(term_id=term.id, until=None, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    if seated != set(ids):
        raise Invalid(
            fields={
                "delegate_ids": str(
                    N_("Only delegates holding a seat in the current term can be named.")
                )
            }
        )
    return ids


def _clean_time(value: str) -> str:
    value = (value or "").strip()
    if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise Invalid(fields={"time": str(N_("Give the time as HH:MM, e.g. 08:00."))})
    return value


async def _term(council: Council) -> Term:
    term = await services.current_term(council.id)
    if term is None or term.ends_on is not None:
        raise Conflict("no_term", N_("This council has no current term with a roster yet."))
    return term


async def _save(
    actor: User,
    council: Council,
    operation: str,
    *,
    term: Term,
    day: date,
    time: str,
    place: str,
    constituency: Constituency | None,
    delegate_ids: list[int],
    voter_meeting_id: int | None = None,
    scheduled: ContactMeeting | None = None,
) -> ContactMeeting:
    async with in_transaction():
        if scheduled is not None:
            meeting = scheduled
            meeting.voter_meeting_id = voter_meeting_id  # type: ignore[attr-defined]
            meeting.day, meeting.place = day, place
            meeting.constituency_id = constituency.id if constituency else None  # type: ignore[attr-defined]
            await meeting.save()
            await ContactDelegate.filter(meeting_id=meeting.id).delete()
        else:
            meeting = await ContactMeeting.create(
                council_id=council.id,
                term_id=term.id,
                constituency_id=constituency.id if constituency else None,
                voter_meeting_id=voter_meeting_id,
                day=day,
                time=time,
                place=place,
                created_by_id=actor.id,
            )
        for uid in delegate_ids:
            await ContactDelegate.create(meeting_id=meeting.id, user_id=uid)
        await audit.record(
            operation,
            actor=actor,
            target_type="contact_meeting",
            target_id=meeting.id,
            council_id=council.id,
            details={
                "day": day.isoformat(),
                "constituency": constituency.number if constituency else None,
                "delegates": delegate_ids,
                "voter_meeting": voter_meeting_id,
            },
        )
    return meeting


async def contact_schedule(
    actor: User,
    council: Council,
    *,
    day: date,
    time: str,
    place: str,
    constituency: int | None,
    delegate_ids: list[int],
) -> ContactMeeting:
    """contact.schedule: a coming meeting of named delegates with the voters of a constituency."""
    services.require_manager(actor, council.id)
    term = await _term(council)
    if day < today():
        raise Invalid(
            fields={
                "day": str(
                    N_(
                        "This day has passed: record the meeting held in petitions, "
                        "then link it here."
                    )
                )
            }
        )
    place = place.strip()
    if not place or len(place) > 300:
        raise Invalid(fields={"place": str(N_("Give the place (up to 300 characters)."))})
    return await _save(
        actor,
        council,
        "contact.schedule",
        term=term,
        day=day,
        time=_clean_time(time),
        place=place,
        constituency=await term_constituency(term, constituency),
        delegate_ids=await _delegates(term, delegate_ids),
    )


async def contact_link(
    actor: User,
    council: Council,
    *,
    voter_meeting_id: int,
    constituency: int | None,
    delegate_ids: list[int],
    scheduled_id: int | None = None,
) -> ContactMeeting:
    """contact.link: tie a meeting petitions recorded (delegates as free text) to the delegates'
    accounts and the constituency; its day and place are petitions' record's. Given
    ``scheduled_id``, the meeting scheduled here becomes that record's."""
    services.require_manager(actor, council.id)
    term = await _term(council)
    held = await VoterMeeting.get_or_none(id=voter_meeting_id, council_id=council.id)
    if held is None:
        raise NotFound(N_("This council has no recorded voter-contact meeting with this id."))
    if await ContactMeeting.exists(voter_meeting_id=held.id):
        raise Conflict("already_linked", N_("This meeting is already linked to its delegates."))
    scheduled = None
    if scheduled_id is not None:
        scheduled = await ContactMeeting.get_or_none(
            id=scheduled_id, council_id=council.id, voter_meeting_id=None
        )
        if scheduled is None:
            raise Invalid(
                fields={
                    "scheduled_id": str(N_("No scheduled meeting of this council has this id."))
                }
            )
    return await _save(
        actor,
        council,
        "contact.link",
        term=term,
        day=held.held_on,
        time="",
        place=held.place,
        constituency=await term_constituency(term, constituency),
        delegate_ids=await _delegates(term, delegate_ids),
        voter_meeting_id=held.id,
        scheduled=scheduled,
    )


@dataclass(frozen=True)
class Raised:
    """A petition raised at a voter-contact meeting, as the public may see it: its outcome, and
    its title and public page once the answer is published (nothing of the petitioner)."""

    code: str
    outcome: str  # answered | in_progress | rejected | merged
    title: str  # only once published
    source: str  # the published petition's public page, or ""


def _outcome(status: str) -> str:
    if status in ("published", "closed"):
        return "answered"
    if status in ("rejected", "merged"):
        return status
    return "in_progress"


async def raised_at(voter_meeting_id: int) -> list[Raised]:
    """The petitions raised at a meeting petitions recorded, with their outcome."""
    out = []
    for p in await Petition.filter(meeting_id=voter_meeting_id).order_by("id"):
        published = p.status in ("published", "closed") and p.published_at is not None
        out.append(
            Raised(
                code=p.code,
                outcome=_outcome(p.status),
                title=p.title if published else "",
                source=f"/petitions/p/{p.code}" if published else "",
            )
        )
    return out


@dataclass
class ContactView:
    meeting: ContactMeeting
    constituency: int | None
    delegates: list[User]
    petitions: int  # raised at the meeting (petitions' record), once held
    raised: list[Raised] = field(default_factory=list)

    @property
    def coming(self) -> bool:
        return self.meeting.day >= today() and self.meeting.voter_meeting_id is None  # type: ignore[attr-defined]


async def views(meetings: list[ContactMeeting]) -> list[ContactView]:
    out = []
    for m in meetings:
        links = await ContactDelegate.filter(meeting_id=m.id).prefetch_related("user")
        constituency = (
            await Constituency.get_or_none(id=m.constituency_id) if m.constituency_id else None  # type: ignore[attr-defined]
        )
        raised = await raised_at(m.voter_meeting_id) if m.voter_meeting_id else []  # type: ignore[attr-defined]
        out.append(
            ContactView(
                m,
                constituency.number if constituency else None,
                sorted((link.user for link in links), key=lambda u: u.full_name),
                len(raised),
                raised,
            )
        )
    return out


async def of_council(council: Council, *, coming_only: bool = False) -> list[ContactView]:
    qs = ContactMeeting.filter(council_id=council.id)
    if coming_only:
        qs = qs.filter(day__gte=today(), voter_meeting_id=None)
    return await views(list(await qs.order_by("day", "time", "id").limit(500)))


async def of_delegate(user_id: int) -> list[ContactView]:
    ids = await ContactDelegate.filter(user_id=user_id).values_list("meeting_id", flat=True)
    return await views(
        list(await ContactMeeting.filter(id__in=list(ids)).order_by("day", "time", "id"))
    )


async def unlinked(council: Council, limit: int = 100) -> list[VoterMeeting]:
    """The meetings petitions recorded for the council that are not linked yet, newest first."""
    linked = await ContactMeeting.filter(
        council_id=council.id, voter_meeting_id__not_isnull=True
    ).values_list("voter_meeting_id", flat=True)
    return list(
        await VoterMeeting.filter(council_id=council.id)
        .exclude(id__in=list(linked) or [0])
        .order_by("-held_on")
        .limit(limit)
    )
