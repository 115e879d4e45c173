"""The term's roster made from the results, the previous term ended, vacancies, and the term's view."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from council import audit
from council import services as core
from council.errors import Conflict, Invalid
from council.i18n import N_
from council.models import Council, User
from elections import people
from elections.models import (
    Candidate,
    Election,
    Term,
    TermSeat,
)
from elections.services.common import (
    current_term,
    require_manager,
    require_term_open,
    term_label,
)
from elections.services.counting import outcome

# --- the term's roster --------------------------------------------------------------------------


@dataclass
class RosterEntry:
    candidate: Candidate
    user: User
    password: str | None  # a one-time password for a new account, shown once


def _username(council: Council, full_name: str, taken: set[str]) -> str:
    plain = unicodedata.normalize("NFKD", full_name.replace("đ", "d").replace("Đ", "D"))
    letters = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower().split()
    base = f"{council.code.lower()}.{''.join(w[0] for w in letters[:-1])}{letters[-1] if letters else 'db'}"
    base = re.sub(r"[^a-z0-9_.-]", "", base)[:60]
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


async def roster_create(actor: User, election: Election) -> list[RosterEntry]:
    """term.roster: each winner of a confirmed election becomes a delegate of its term, with a new
    account or linked to the account already given; a regular election ends the previous term, whose
    delegates who were not re-elected lose their access (their records stay)."""
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    await require_term_open(election.term_id)  # type: ignore[attr-defined]
    if election.status != "confirmed":
        raise Conflict("election_not_confirmed", N_("Confirm the results first."))
    council = await Council.get(id=election.council_id)  # type: ignore[attr-defined]
    term = await Term.get(id=election.term_id)  # type: ignore[attr-defined]
    result = await outcome(election)
    winners = [
        next(c for c in o.candidates if c.id == cid)
        for o in result.constituencies
        for cid in o.result.winners
    ]
    if await TermSeat.filter(candidate_id__in=[w.id for w in winners]).exists():
        raise Conflict("roster_exists", N_("The roster of this election was already made."))
    entries: list[RosterEntry] = []
    ended: list[int] = []  # the accounts closed: told once the roster has committed
    async with in_transaction():
        if election.kind == "regular":
            await _end_previous_term(actor, council, term, {w.user_id for w in winners}, ended)  # type: ignore[attr-defined]
        taken = {str(u) for u in await User.all().values_list("username", flat=True)}
        for winner in winners:
            password = None
            user = await User.get_or_none(id=winner.user_id) if winner.user_id else None  # type: ignore[attr-defined]
            if user is None:
                password = core.generate_password()
                user = await core.user_create(
                    actor,
                    username=_username(council, winner.full_name, taken),
                    password=password,
                    role="delegate",
                    full_name=winner.full_name,
                    council_code=council.code,
                )
                winner.user_id = user.id  # type: ignore[attr-defined]
                await winner.save()
            elif not user.is_active:
                await core.seat_holder_set_active(
                    actor, user, True, because="term.roster", ended=ended
                )
            await TermSeat.create(
                term_id=term.id,
                user_id=user.id,
                constituency_id=winner.constituency_id,  # type: ignore[attr-defined]
                candidate_id=winner.id,
                since=election.day,
            )
            # Elected to the city's council and a ward's: one account each, one person.
            await people.link_by_profile(winner, user, council)
            entries.append(RosterEntry(winner, user, password))
        await audit.record(
            "term.roster",
            actor=actor,
            target_type="term",
            target_id=term.id,
            council_id=council.id,
            details={"election": election.slug, "delegates": len(entries)},
        )
    await core.tell_tokens_ended(ended)
    return entries


async def _end_previous_term(
    actor: User, council: Council, term: Term, staying: set[int | None], ended: list[int]
) -> None:
    previous = (
        await Term.filter(council_id=council.id, number__lt=term.number).order_by("-number").first()
    )
    if previous is not None and previous.ends_on is None:
        previous.ends_on = term.starts_on - timedelta(days=1)
        await previous.save()
        for seat in await TermSeat.filter(term_id=previous.id, until=None):
            seat.until = previous.ends_on
            await seat.save()
    holders = await User.filter(
        council_id=council.id, role__in=sorted(core.SEAT_ROLES), is_active=True
    )
    for holder in holders:
        if holder.id not in staying:
            await core.seat_holder_set_active(
                actor, holder, False, because="term.roster", ended=ended
            )


# --- vacancies ----------------------------------------------------------------------------------

END_REASON_LABELS = {
    "death": N_("died"),
    "dismissal": N_("dismissed"),
    "resignation": N_("resigned"),
    "other": N_("left the council"),
}


async def vacancy_record(
    actor: User, seat: TermSeat, *, day: date, reason: str, note: str = ""
) -> TermSeat:
    """seat.vacate: a delegate leaves the council mid-term (death, dismissal, resignation); the
    seat stays empty until a by-election fills it, and the account loses its access."""
    term = await Term.get(id=seat.term_id)  # type: ignore[attr-defined]
    require_manager(actor, term.council_id)  # type: ignore[attr-defined]
    await require_term_open(term.id)
    if reason not in END_REASON_LABELS:
        raise Invalid(fields={"reason": str(N_("Choose why the seat became vacant."))})
    if seat.until is not None:
        raise Conflict("already_vacant", N_("This seat is already vacant."))
    if day < seat.since or len(note) > 300:
        raise Invalid(fields={"day": str(N_("The date is before the delegate took the seat."))})
    ended: list[int] = []
    async with in_transaction():
        seat.until, seat.end_reason, seat.end_note = day, reason, note.strip()
        await seat.save()
        user = await User.get(id=seat.user_id)  # type: ignore[attr-defined]
        if user.is_active:
            await core.seat_holder_set_active(
                actor, user, False, because="seat.vacate", ended=ended
            )
        await audit.record(
            "seat.vacate",
            actor=actor,
            target_type="term_seat",
            target_id=seat.id,
            council_id=term.council_id,  # type: ignore[attr-defined]
            details={"reason": reason, "day": day.isoformat()},
        )
    await core.tell_tokens_ended(ended)
    return seat


@dataclass
class TermView:
    term: Term
    label: str
    held: list[TermSeat]
    vacant: list[TermSeat]


async def term_view(council: Council) -> TermView | None:
    """The current term of a council: the seats held and those left vacant."""
    term = await current_term(council.id)
    if term is None:
        return None
    seats = await TermSeat.filter(term_id=term.id).prefetch_related("user", "constituency")
    return TermView(
        term=term,
        label=term_label(term),
        held=[s for s in seats if s.until is None],
        vacant=[s for s in seats if s.until is not None],
    )
