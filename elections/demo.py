"""Demo election records, consistent with the demo councils' seats and accounts:

- Ba Đình (31 seats): its 2026 election, confirmed, whose 31 winners are the ward's chair and
  delegates, each seated in term I (khóa I, formed on 1 July 2025);
- Sóc Sơn (35 seats): the same, with the five seats the demo leaves free recorded as vacancies
  (deaths, resignations, a dismissal) and a by-election under way in constituency 1;
- Hoàn Kiếm (27 seats): its 2026 record still being counted: every polling area but the last is in,
  so the secretariat can enter it, confirm, and make the term's roster;
- one person elected to two councils: Ba Đình's first delegate also sits on Hà Nội's council.
"""

from __future__ import annotations

from datetime import date, timedelta

from council import divisions
from council.demo import FREE_SEATS, _demo_hash, _distinct_names
from council.models import Council, User
from council.settings import Settings
from elections import contacts, demo_portraits, rules
from elections.models import (
    Candidate,
    CandidateEdit,
    Constituency,
    ContactDelegate,
    ContactMeeting,
    Election,
    Person,
    PersonAccount,
    PollingArea,
    Term,
    TermSeat,
)
from elections.services import outcome

DAY = date(2026, 3, 15)
SOURCE = "Danh sách chính thức những người ứng cử (Ủy ban bầu cử, 24/02/2026)"
# seats per constituency, adding up to the council's seats
PLANS = {
    "HN-BADINH": (4, 4, 4, 4, 4, 4, 4, 3),
    "HN-SOCSON": (5, 5, 5, 4, 4, 4, 4, 4),
    "HN-HOANKIEM": (4, 4, 4, 4, 4, 4, 3),
}
OCCUPATIONS = (
    ("Cán bộ", "Ủy ban nhân dân phường"),
    ("Giáo viên", "Trường Trung học cơ sở"),
    ("Bác sĩ", "Trạm Y tế"),
    ("Kỹ sư", "Công ty cổ phần xây dựng"),
    ("Cán bộ", "Ủy ban Mặt trận Tổ quốc"),
    ("Kinh doanh", "Hộ kinh doanh"),
    ("Công an", "Công an phường"),
)
NOMINATORS = (
    "Ủy ban nhân dân phường",
    "Ủy ban Mặt trận Tổ quốc phường",
    "Hội Liên hiệp Phụ nữ phường",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường",
    "",
)


def _born(i: int) -> date:
    return date(1962 + (i * 7) % 30, 1 + (i * 5) % 12, 1 + (i * 11) % 28)


def _gender(name: str) -> str:
    return (
        "female"
        if " Thị " in f" {name} "
        or name.split()[-1]
        in {
            "Lan",
            "Mai",
            "Nga",
            "Hương",
            "Hạnh",
            "Yến",
            "Trang",
            "Thảo",
            "Linh",
            "Phương",
            "Hà",
            "Giang",
        }
        else "male"
    )


async def _holders(council: Council) -> list[User]:
    """The seat holders, chair first, then the delegates by username."""
    chair = await User.filter(council_id=council.id, role="chair").order_by("username")
    delegates = await User.filter(council_id=council.id, role="delegate").order_by("username")
    return [*chair, *delegates]


async def _record(
    council: Council, term: Term, *, counted_all: bool, link: list[User | None]
) -> Election:
    """An election whose winners are ``link`` in order (None: a winner with no account yet)."""
    election = await Election.create(
        slug=rules.election_id(council.division_code or council.code.lower(), DAY),
        council_id=council.id,
        term_id=term.id,
        day=DAY,
        kind="regular",
        status="confirmed" if counted_all else "counting",
    )
    plan = PLANS[council.code]
    words = divisions.local_words_of(council)  # xã or phường: whose bodies the profiles name
    kind = words.unit
    extra_names = iter(_distinct_names(len(council.code) * 311 + 7, 100))
    winner_iter = iter(link)
    k = 0
    for number, seats in enumerate(plan, start=1):
        # a commune's constituencies are made of villages (thôn), a ward's of tổ dân phố
        area_names = [f"{words.neighbourhood.capitalize()} {2 * number - 1 + k}" for k in (0, 1)]
        constituency = await Constituency.create(
            election_id=election.id,
            number=number,
            area=f"{area_names[0]} và {area_names[1]}",
            seats=seats,
            registered=0,
        )
        winners = [next(winner_iter) for _ in range(seats)]
        names = [u.full_name if u else next(extra_names) for u in winners]
        names += [next(extra_names) for _ in range(rules.required_surplus(seats))]
        candidates = []
        for i, name in enumerate(names):
            k += 1
            occupation, workplace = OCCUPATIONS[k % len(OCCUPATIONS)]
            workplace = workplace.replace("phường", kind)
            user = winners[i] if i < seats else None
            candidate = await Candidate.create(
                constituency_id=constituency.id,
                full_name=name,
                birth_date=_born(k),
                gender=_gender(name),
                hometown="Hà Nội",
                education="Đại học" if k % 4 else "Thạc sĩ",
                political_theory="Trung cấp" if k % 3 else "Cao cấp",
                occupation=occupation,
                workplace=workplace,
                party_joined=_born(k) + timedelta(days=365 * 25) if k % 3 else None,
                nominated_by=NOMINATORS[k % len(NOMINATORS)].replace("phường", kind),
                user_id=user.id if user else None,
            )
            await CandidateEdit.create(
                candidate_id=candidate.id, changes={"full_name": [None, name]}, source=SOURCE
            )
            candidates.append(candidate)
        registered_total = 0
        for a, area_name in enumerate(area_names, start=1):
            if not counted_all and number == len(plan) and a == 2:
                await PollingArea.create(
                    constituency_id=constituency.id,
                    number=a,
                    name=f"Khu vực bỏ phiếu số {a}, {area_name}",
                )
                registered_total += 1400
                continue
            registered = 1400 + 37 * number + 11 * a
            voted = registered - 40 - number
            invalid = 12 + a
            valid = voted - invalid
            votes = {}
            for i, candidate in enumerate(candidates):
                share = 0.78 - 0.03 * i if i < seats else 0.36 - 0.04 * (i - seats)
                votes[str(candidate.id)] = int(valid * share)
            await PollingArea.create(
                constituency_id=constituency.id,
                number=a,
                name=f"Khu vực bỏ phiếu số {a}, {area_name}",
                registered=registered,
                voted=voted,
                issued=voted + 5,
                received=voted,
                valid=valid,
                invalid=invalid,
                votes=votes,
                counted=True,
            )
            registered_total += registered
        constituency.registered = registered_total
        await constituency.save()
    return election


async def _seat(term: Term, election: Election) -> None:
    """Seat every linked winner in the term."""
    for candidate in await Candidate.filter(
        constituency__election_id=election.id, user_id__not_isnull=True
    ):
        await TermSeat.create(
            term_id=term.id,
            user_id=candidate.user_id,  # type: ignore[attr-defined]
            constituency_id=candidate.constituency_id,  # type: ignore[attr-defined]
            candidate_id=candidate.id,
            since=DAY,
        )


async def load(settings: Settings) -> list[tuple[str, str, str]]:
    """Safe to run twice: nothing happens once the demo elections exist."""
    if await Election.exists():
        return []
    for code in ("HN-BADINH", "HN-SOCSON", "HN-HOANKIEM"):
        council = await Council.get_or_none(code=code)
        if council is None:
            return []
        # Wards and communes formed on 1 July 2025 sit in their first term (khóa I), as the sittings say.
        term = await Term.create(council_id=council.id, number=1, starts_on=DAY)
        holders = await _holders(council)
        seats = sum(PLANS[code])
        free = FREE_SEATS.get(code, 0)
        if code == "HN-HOANKIEM":
            # Re-elected: the chair and all but six delegates; six winners are new people.
            link: list[User | None] = [*holders[: seats - 6], *([None] * 6)]
            await _record(council, term, counted_all=False, link=link)
            continue
        link = [*holders[: seats - free], *([None] * free)]
        election = await _record(council, term, counted_all=True, link=link)
        await _seat(term, election)
        if free:
            await _vacancies(council, term, election, free)
        if code == "HN-BADINH":
            await _contacts(council, term)
    await _one_person()
    await demo_portraits.load("HN-BADINH")
    return []


async def _one_person() -> None:
    """Ba Đình's first delegate was also elected to Hà Nội's council: an account in each council
    (hn.badinh.db001 and hn.db094), one person on the public pages."""
    in_ward = await User.get_or_none(username="hn.badinh.db001")
    in_city = await User.get_or_none(username="hn.db094")
    if in_ward is None or in_city is None or await PersonAccount.exists(user_id=in_ward.id):
        return
    in_city.full_name = in_ward.full_name
    await in_city.save(update_fields=["full_name"])
    person = await Person.create(full_name=in_ward.full_name)
    for user in (in_ward, in_city):
        await PersonAccount.create(person_id=person.id, user_id=user.id)


async def _contacts(council: Council, term: Term) -> None:
    """Two coming voter-contact meetings of Ba Đình's delegates, and the one petitions recorded
    linked to the delegates of constituency 1."""
    seats = await TermSeat.filter(term_id=term.id, until=None).prefetch_related("constituency")
    by_number: dict[int, list[int]] = {}
    for seat in seats:
        if seat.constituency:
            by_number.setdefault(seat.constituency.number, []).append(seat.user_id)  # type: ignore[attr-defined]
    coming = contacts.today()
    plans = [
        (1, coming + timedelta(days=9), "08:00", "Nhà văn hóa tổ dân phố số 5, phường Ba Đình"),
        (2, coming + timedelta(days=16), "14:00", "Hội trường UBND phường Ba Đình"),
    ]
    recorded = await contacts.unlinked(council)
    held = recorded[-1] if recorded else None
    for number, day, at, place in plans:
        constituency = await contacts.term_constituency(term, number)
        meeting = await ContactMeeting.create(
            council_id=council.id,
            term_id=term.id,
            constituency_id=constituency.id if constituency else None,
            day=day,
            time=at,
            place=place,
        )
        for uid in by_number.get(number, [])[:3]:
            await ContactDelegate.create(meeting_id=meeting.id, user_id=uid)
    if held is not None:
        constituency = await contacts.term_constituency(term, 1)
        meeting = await ContactMeeting.create(
            council_id=council.id,
            term_id=term.id,
            constituency_id=constituency.id if constituency else None,
            voter_meeting_id=held.id,
            day=held.held_on,
            place=held.place,
        )
        for uid in by_number.get(1, [])[:2]:
            await ContactDelegate.create(meeting_id=meeting.id, user_id=uid)


async def _vacancies(council: Council, term: Term, election: Election, count: int) -> None:
    """The winners without accounts left their seats (the demo's free seats), and a by-election
    is under way in the constituency of the first."""
    reasons = ("resignation", "death", "resignation", "dismissal", "other")
    vacated = await Candidate.filter(
        constituency__election_id=election.id, user_id__isnull=True
    ).order_by("id")
    winners = [c for c in vacated if c.id in await _winner_ids(election)][:count]
    kind = divisions.local_words_of(council).unit
    first_constituency = None
    slug = council.code.lower().replace("-", ".")
    for i, candidate in enumerate(winners):
        # Their accounts, closed when they left: a closed account holds no seat.
        former = await User.create(
            username=f"{slug}.nguyen{i + 1:02d}",
            role="delegate",
            council_id=council.id,
            full_name=candidate.full_name,
            password_hash=_demo_hash(),
            is_active=False,
        )
        candidate.user_id = former.id  # type: ignore[attr-defined]
        await candidate.save()
        first_constituency = first_constituency or candidate.constituency_id  # type: ignore[attr-defined]
        await TermSeat.create(
            term_id=term.id,
            user_id=former.id,
            constituency_id=candidate.constituency_id,  # type: ignore[attr-defined]
            candidate_id=candidate.id,
            since=DAY,
            until=date(2026, 6 + i, 10),
            end_reason=reasons[i % len(reasons)],
        )
    by = await Election.create(
        slug=rules.election_id(
            council.division_code or council.code.lower(), date(2026, 12, 20), by_election=True
        ),
        council_id=council.id,
        term_id=term.id,
        day=date(2026, 12, 20),
        kind="by",
    )
    source = await Constituency.get(id=first_constituency)
    constituency = await Constituency.create(
        election_id=by.id,
        number=source.number,
        area=source.area,
        seats=1,
        registered=source.registered,
    )
    for i, name in enumerate(_distinct_names(9011, 2)):
        candidate = await Candidate.create(
            constituency_id=constituency.id,
            full_name=name,
            birth_date=_born(900 + i),
            gender=_gender(name),
            hometown="Hà Nội",
            education="Đại học",
            occupation="Cán bộ",
            workplace=f"Ủy ban nhân dân {kind}",
            nominated_by=NOMINATORS[i].replace("phường", kind),
        )
        await CandidateEdit.create(
            candidate_id=candidate.id,
            changes={"full_name": [None, name]},
            source="Danh sách người ứng cử bầu cử bổ sung (Ủy ban bầu cử, 01/12/2026)",
        )


async def _winner_ids(election: Election) -> set[int]:

    result = await outcome(election)
    return {cid for o in result.constituencies for cid in o.result.winners}
