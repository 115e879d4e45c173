"""Every change to terms, elections, constituencies, candidates and counts goes through here, is
checked against the Election Law's rules (elections.rules) and is audited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from council import audit
from council import services as core
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User
from elections import rules
from elections.models import (
    ELECTION_KINDS,
    GENDERS,
    Candidate,
    CandidateEdit,
    Constituency,
    Election,
    PollingArea,
    Term,
    TermSeat,
)

PROFILE_FIELDS = (
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "religion",
    "hometown",
    "education",
    "political_theory",
    "occupation",
    "workplace",
    "party_joined",
    "nominated_by",
    "withdrawn",
)
COUNT_FIELDS = ("registered", "voted", "issued", "received", "valid", "invalid")
PROBLEM_MESSAGES = {
    "negative": N_("A count cannot be negative."),
    "voted_above_registered": N_("More voters voted ({voted}) than are registered ({registered})."),
    "valid_invalid_received": N_(
        "Valid ({valid}) plus invalid ({invalid}) ballots must equal the ballots received "
        "({received})."
    ),
    "received_above_issued": N_(
        "More ballots were received ({received}) than were issued ({issued})."
    ),
    "candidate_votes": N_("A candidate has {votes} votes, more than the {valid} valid ballots."),
    "choices_above_valid": N_(
        "The candidates' votes add up to {choices}, more than the valid ballots times the seats "
        "({limit})."
    ),
}


def may_manage(user: User | None, council_id: int) -> bool:
    return user is not None and (
        user.role == "admin" or (user.role == "secretariat" and user.council_id == council_id)
    )


def require_manager(user: User | None, council_id: int) -> User:
    if user is None or not may_manage(user, council_id):
        raise Forbidden(N_("Only the council's secretariat may do this."))
    return user


# --- terms --------------------------------------------------------------------------------------


async def current_term(council_id: int) -> Term | None:
    return await Term.filter(council_id=council_id).order_by("-number").first()


async def term_create(actor: User, council: Council, *, number: int, starts_on: date) -> Term:
    """term.create: a council's term (khóa), numbered after the last one."""
    require_manager(actor, council.id)
    if not 1 <= number <= 100:
        raise Invalid(fields={"number": str(N_("The term number must be between 1 and 100."))})
    async with in_transaction():
        if await Term.exists(council_id=council.id, number=number):
            raise Conflict("duplicate", N_("This council already has a term with this number."))
        term = await Term.create(council_id=council.id, number=number, starts_on=starts_on)
        await audit.record(
            "term.create",
            actor=actor,
            target_type="term",
            target_id=term.id,
            council_id=council.id,
            details={"number": number},
        )
    return term


def term_label(term: Term) -> str:
    """ "khóa XVII, nhiệm kỳ 2026–2031"."""
    end = term.ends_on.year if term.ends_on else term.starts_on.year + 5
    return f"khóa {rules.roman(term.number)}, nhiệm kỳ {term.starts_on.year}–{end}"


# --- elections ----------------------------------------------------------------------------------


async def election_by_slug(slug: str) -> Election:
    election = await Election.get_or_none(slug=slug[:64])
    if election is None:
        raise NotFound(N_("No election has this id."))
    return election


async def election_create(
    actor: User, council: Council, *, day: date, kind: str = "regular", term_number: int
) -> Election:
    """election.create: a regular election that fills a new term, or a by-election in the term."""
    require_manager(actor, council.id)
    if kind not in ELECTION_KINDS:
        raise Invalid(fields={"kind": str(N_("The kind is regular or by."))})
    term = await Term.get_or_none(council_id=council.id, number=term_number)
    if term is None:
        raise Invalid(fields={"term_number": str(N_("Create this term first."))})
    division = council.division_code or council.code.lower()
    async with in_transaction():
        nth = 1 + await Election.filter(council_id=council.id, day=day, kind=kind).count()
        slug = rules.election_id(division, day, by_election=kind == "by", nth=nth)
        election = await Election.create(
            slug=slug, council_id=council.id, term_id=term.id, day=day, kind=kind
        )
        await audit.record(
            "election.create",
            actor=actor,
            target_type="election",
            target_id=election.id,
            council_id=council.id,
            details={"slug": slug},
        )
    return election


def require_open(election: Election) -> None:
    if election.status == "confirmed":
        raise Conflict(
            "election_confirmed",
            N_("The results of this election are confirmed: nothing in it can change."),
        )


# --- constituencies -----------------------------------------------------------------------------


async def constituency_save(
    actor: User,
    election: Election,
    *,
    number: int,
    area: str,
    seats: int,
    registered: int = 0,
    division_codes: list[str] | None = None,
) -> Constituency:
    """constituency.save: create or change constituency no. ``number`` of an election."""
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    require_open(election)
    errors: dict[str, str] = {}
    if not 1 <= number <= 1000:
        errors["number"] = str(N_("The number must be between 1 and 1000."))
    if not 1 <= seats <= rules.MAX_SEATS_PER_CONSTITUENCY:
        errors["seats"] = str(N_("A constituency elects 1 to 5 delegates."))
    if not area.strip() or len(area) > 2000:
        errors["area"] = str(N_("Describe the area in 1 to 2000 characters."))
    if not 0 <= registered <= 10_000_000:
        errors["registered"] = str(N_("This number is out of range."))
    codes = [c.strip() for c in division_codes or [] if c.strip()]
    if any(not re.fullmatch(r"\d{2}|\d{5}", c) for c in codes) or len(codes) > 200:
        errors["division_codes"] = str(N_("Official codes have 2 or 5 digits."))
    if errors:
        raise Invalid(fields=errors)
    async with in_transaction():
        constituency, created = await Constituency.get_or_create(
            election_id=election.id,
            number=number,
            defaults={
                "area": area.strip(),
                "seats": seats,
                "registered": registered,
                "division_codes": codes,
            },
        )
        if not created:
            constituency.area, constituency.seats = area.strip(), seats
            constituency.registered, constituency.division_codes = registered, codes
            await constituency.save()
        await audit.record(
            "constituency.save",
            actor=actor,
            target_type="constituency",
            target_id=constituency.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"election": election.slug, "number": number, "seats": seats},
        )
    return constituency


async def seats_of(election: Election) -> int:
    return sum(c.seats for c in await Constituency.filter(election_id=election.id))


# --- candidates ---------------------------------------------------------------------------------


def _clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in data.items():
        if key not in PROFILE_FIELDS:
            continue
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value.strip())
            if len(value) > 300:
                errors[key] = str(N_("This is too long."))
        out[key] = value
    if "full_name" in out and not out["full_name"]:
        errors["full_name"] = str(N_("The full name is required."))
    if "gender" in out and out["gender"] not in GENDERS:
        errors["gender"] = str(N_("Choose male or female."))
    born = out.get("birth_date")
    if "birth_date" in out and (not isinstance(born, date) or not date(1900, 1, 1) <= born):
        errors["birth_date"] = str(N_("The date of birth is required."))
    if errors:
        raise Invalid(fields=errors)
    return out


def _require_source(source: str) -> str:
    source = (source or "").strip()
    if not source or len(source) > 300:
        raise Invalid(
            fields={
                "source": str(
                    N_("Name the document or decision this comes from (up to 300 characters).")
                )
            }
        )
    return source


async def candidate_create(
    actor: User, constituency: Constituency, profile: dict[str, Any], *, source: str
) -> Candidate:
    """candidate.create: a candidate's published profile, with the source it comes from."""
    election = await Election.get(id=constituency.election_id)  # type: ignore[attr-defined]
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    require_open(election)
    source = _require_source(source)
    clean = _clean_profile(profile)
    for required in ("full_name", "birth_date", "gender"):
        if required not in clean:
            raise Invalid(fields={required: str(N_("This field is required."))})
    async with in_transaction():
        candidate = await Candidate.create(constituency_id=constituency.id, **clean)
        await CandidateEdit.create(
            candidate_id=candidate.id,
            changes={k: [None, _plain(v)] for k, v in clean.items()},
            source=source,
            actor_id=actor.id,
        )
        await audit.record(
            "candidate.create",
            actor=actor,
            target_type="candidate",
            target_id=candidate.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"constituency": constituency.number, "source": source},
        )
    return candidate


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def candidate_update(
    actor: User, candidate: Candidate, changes: dict[str, Any], *, source: str
) -> Candidate:
    """candidate.update: every change records the document or decision it comes from."""
    constituency = await Constituency.get(id=candidate.constituency_id)  # type: ignore[attr-defined]
    election = await Election.get(id=constituency.election_id)  # type: ignore[attr-defined]
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    require_open(election)
    source = _require_source(source)
    clean = _clean_profile(changes)
    diff = {
        k: [_plain(getattr(candidate, k)), _plain(v)]
        for k, v in clean.items()
        if getattr(candidate, k) != v
    }
    if not diff:
        return candidate
    async with in_transaction():
        for key, value in clean.items():
            setattr(candidate, key, value)
        await candidate.save()
        await CandidateEdit.create(
            candidate_id=candidate.id, changes=diff, source=source, actor_id=actor.id
        )
        await audit.record(
            "candidate.update",
            actor=actor,
            target_type="candidate",
            target_id=candidate.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"fields": sorted(diff), "source": source},
        )
    return candidate


async def list_problems(constituency: Constituency) -> str | None:
    """The legal surplus of candidates over seats; None when the list is long enough."""
    standing = await Candidate.filter(constituency_id=constituency.id, withdrawn=False).count()
    need = rules.surplus_problem(constituency.seats, standing)
    if need is None:
        return None
    return str(
        N_("{seats} seats need at least {need} candidates; the list has {have}.").format(
            seats=constituency.seats, need=need, have=standing
        )
    )


# --- counts per polling area --------------------------------------------------------------------


def area_check(
    constituency: Constituency,
    candidate_ids: set[int],
    *,
    number: int,
    name: str,
    counts: dict[str, int],
    votes: dict[int, int],
) -> tuple[dict[str, int], dict[int, int], list[tuple[str, str]]]:
    """One polling area's counts checked against the rules: (numbers, votes of every candidate,
    [(code, message)]); the list is empty when the counts may be saved."""
    problems: list[tuple[str, str]] = []
    if not 1 <= number <= 10_000 or not name.strip() or len(name) > 200:
        problems.append(("area_name", str(N_("Give the polling area's number and name."))))
    if set(votes) - candidate_ids:
        problems.append(
            (
                "unknown_candidate",
                str(N_("A vote count names someone who is not a candidate here.")),
            )
        )
    full_votes = {cid: int(votes.get(cid, 0)) for cid in candidate_ids}
    numbers = {f: int(counts.get(f, 0)) for f in COUNT_FIELDS}
    count = rules.AreaCount(votes=full_votes, **numbers)
    for code, figures in rules.area_problems(count, constituency.seats):
        problems.append((code, str(PROBLEM_MESSAGES[code]).format(**figures)))
    return numbers, full_votes, problems


async def area_write(
    constituency: Constituency,
    *,
    number: int,
    name: str,
    numbers: dict[str, int],
    votes: dict[int, int],
) -> PollingArea:
    """Store checked counts (the caller holds the transaction and writes the audit entry)."""
    area, _ = await PollingArea.get_or_create(
        constituency_id=constituency.id, number=number, defaults={"name": name.strip()}
    )
    area.name = name.strip()
    for key, value in numbers.items():
        setattr(area, key, value)
    area.votes = {str(k): v for k, v in votes.items()}
    area.counted = True
    await area.save()
    return area


async def standing_ids(constituency: Constituency) -> set[int]:
    return {c.id for c in await Candidate.filter(constituency_id=constituency.id, withdrawn=False)}


async def area_save(
    actor: User,
    constituency: Constituency,
    *,
    number: int,
    name: str,
    counts: dict[str, int],
    votes: dict[int, int],
) -> PollingArea:
    """area.save: one polling area's counts, refused with clear errors when inconsistent."""
    election = await Election.get(id=constituency.election_id)  # type: ignore[attr-defined]
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    require_open(election)
    numbers, full_votes, problems = area_check(
        constituency,
        await standing_ids(constituency),
        number=number,
        name=name,
        counts=counts,
        votes=votes,
    )
    for code, message in problems:
        if code == "area_name":
            raise Invalid(fields={"name": message})
        if code == "unknown_candidate":
            raise Invalid(fields={"votes": message})
    if problems:
        messages = [message for _, message in problems]
        raise Invalid(
            N_("The counts do not add up: {problems}").format(problems=" ".join(messages)),
            fields={"counts": " ".join(messages)},
            problems=[code for code, _ in problems],
        )
    async with in_transaction():
        area = await area_write(
            constituency, number=number, name=name, numbers=numbers, votes=full_votes
        )
        await mark_counting(election)
        await audit.record(
            "area.save",
            actor=actor,
            target_type="polling_area",
            target_id=area.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"constituency": constituency.number, "area": number, **numbers},
        )
    return area


async def mark_counting(election: Election) -> None:
    """The first polling area's counts move an election from preparing to counting."""
    if election.status == "preparing":
        election.status = "counting"
        await election.save(update_fields=["status"])


# --- results ------------------------------------------------------------------------------------


@dataclass
class ConstituencyOutcome:
    constituency: Constituency
    candidates: list[Candidate]
    result: rules.ConstituencyResult
    areas: list[PollingArea]

    @property
    def counted(self) -> bool:
        return bool(self.areas) and all(a.counted for a in self.areas)


@dataclass
class ElectionOutcome:
    election: Election
    constituencies: list[ConstituencyOutcome]
    council_seats: int

    @property
    def filled(self) -> int:
        return sum(len(c.result.winners) for c in self.constituencies)

    @property
    def supplementary_needed(self) -> bool:
        return self.election.kind == "regular" and rules.supplementary_needed(
            self.filled, self.council_seats
        )

    @property
    def complete(self) -> bool:
        return all(c.counted for c in self.constituencies)


async def outcome(election: Election) -> ElectionOutcome:
    """Each constituency's result from its polling areas, and the council-wide flags."""
    council = await Council.get(id=election.council_id)  # type: ignore[attr-defined]
    out: list[ConstituencyOutcome] = []
    for constituency in await Constituency.filter(election_id=election.id).order_by("number"):
        candidates = await Candidate.filter(
            constituency_id=constituency.id, withdrawn=False
        ).order_by("id")
        areas = await PollingArea.filter(constituency_id=constituency.id).order_by("number")
        counts = [
            rules.AreaCount(
                registered=a.registered,
                voted=a.voted,
                issued=a.issued,
                received=a.received,
                valid=a.valid,
                invalid=a.invalid,
                votes={int(k): v for k, v in a.votes.items()},
            )
            for a in areas
            if a.counted
        ]
        contenders = [rules.Contender(c.id, c.birth_date) for c in candidates]
        out.append(
            ConstituencyOutcome(
                constituency,
                candidates,
                rules.constituency_result(constituency.seats, counts, contenders),
                areas,
            )
        )
    seats = (
        council.seats
        if election.kind == "regular"
        else sum(c.seats for c in [o.constituency for o in out])
    )
    return ElectionOutcome(election, out, seats or sum(o.constituency.seats for o in out))


async def election_confirm(actor: User, election: Election) -> ElectionOutcome:
    """election.confirm: freeze the counts once every polling area is in."""
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    require_open(election)
    result = await outcome(election)
    if not result.constituencies or not result.complete:
        raise Conflict(
            "counts_missing",
            N_("Every constituency needs the counts of all its polling areas first."),
        )
    async with in_transaction():
        election.status = "confirmed"
        await election.save()
        await audit.record(
            "election.confirm",
            actor=actor,
            target_type="election",
            target_id=election.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"slug": election.slug, "filled": result.filled},
        )
    return result


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
    async with in_transaction():
        if election.kind == "regular":
            await _end_previous_term(actor, council, term, {w.user_id for w in winners})  # type: ignore[attr-defined]
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
                await core.user_set_active(actor, user, True)
            await TermSeat.create(
                term_id=term.id,
                user_id=user.id,
                constituency_id=winner.constituency_id,  # type: ignore[attr-defined]
                candidate_id=winner.id,
                since=election.day,
            )
            entries.append(RosterEntry(winner, user, password))
        await audit.record(
            "term.roster",
            actor=actor,
            target_type="term",
            target_id=term.id,
            council_id=council.id,
            details={"election": election.slug, "delegates": len(entries)},
        )
    return entries


async def _end_previous_term(
    actor: User, council: Council, term: Term, staying: set[int | None]
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
            await core.user_set_active(actor, holder, False)


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
    if reason not in END_REASON_LABELS:
        raise Invalid(fields={"reason": str(N_("Choose why the seat became vacant."))})
    if seat.until is not None:
        raise Conflict("already_vacant", N_("This seat is already vacant."))
    if day < seat.since or len(note) > 300:
        raise Invalid(fields={"day": str(N_("The date is before the delegate took the seat."))})
    async with in_transaction():
        seat.until, seat.end_reason, seat.end_note = day, reason, note.strip()
        await seat.save()
        user = await User.get(id=seat.user_id)  # type: ignore[attr-defined]
        if user.is_active:
            await core.user_set_active(actor, user, False)
        await audit.record(
            "seat.vacate",
            actor=actor,
            target_type="term_seat",
            target_id=seat.id,
            council_id=term.council_id,  # type: ignore[attr-defined]
            details={"reason": reason, "day": day.isoformat()},
        )
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
