"""The Election Law's counting rules (Luật Bầu cử đại biểu Quốc hội và đại biểu HĐND 2015, amended
2025), as pure functions over numbers: no database, so every rule is tested on its own cases.

- A constituency (đơn vị bầu cử) of a People's Council elects at most 5 delegates.
- Its candidate list must exceed its seats: by 1 for 1–2 seats, by 2 for 3, by 3 for 4–5 (art. 58).
- Per polling area (khu vực bỏ phiếu) the polling team counts registered voters, voters who voted,
  ballots issued and received, valid and invalid ballots and the votes of each candidate.
- The constituency's election is valid only if more than half of its registered voters voted;
  otherwise a repeat election (bầu cử lại) is held (art. 79).
- A winner needs more than half of the valid ballots; winners are taken by votes within the seats,
  and a tie for the last seat goes to the older candidate (art. 80).
- When fewer than two thirds of the council's seats are filled, a supplementary election (bầu cử
  thêm) is held for the rest (art. 82).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

MAX_SEATS_PER_CONSTITUENCY = 5
# seats -> least number of candidates above the seats (art. 58 of the Election Law)
DEFAULT_SURPLUS: Mapping[int, int] = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}
FILLED_SHARE = Fraction(2, 3)


def required_surplus(seats: int, rule: Mapping[int, int] = DEFAULT_SURPLUS) -> int:
    return rule[seats]


def surplus_problem(
    seats: int, candidates: int, rule: Mapping[int, int] = DEFAULT_SURPLUS
) -> str | None:
    """None when the list is long enough, else a message naming the least number of candidates."""
    need = seats + required_surplus(seats, rule)
    if candidates < need:
        return f"{need}"
    return None


@dataclass(frozen=True)
class AreaCount:
    """What a polling team's record (biên bản kết quả kiểm phiếu) states for one polling area."""

    registered: int
    voted: int
    issued: int
    received: int
    valid: int
    invalid: int
    votes: Mapping[int, int]  # candidate id -> votes


def area_problems(count: AreaCount, seats: int) -> list[tuple[str, dict[str, int]]]:
    """Inconsistencies of one polling area's counts, as (code, figures) pairs; empty when sound."""
    problems: list[tuple[str, dict[str, int]]] = []
    numbers = {
        "registered": count.registered,
        "voted": count.voted,
        "issued": count.issued,
        "received": count.received,
        "valid": count.valid,
        "invalid": count.invalid,
    }
    for name, value in numbers.items():
        if value < 0:
            problems.append(("negative", {name: value}))
    if count.voted > count.registered:
        problems.append(
            ("voted_above_registered", {"voted": count.voted, "registered": count.registered})
        )
    if count.valid + count.invalid != count.received:
        problems.append(
            (
                "valid_invalid_received",
                {"valid": count.valid, "invalid": count.invalid, "received": count.received},
            )
        )
    if count.received > count.issued:
        problems.append(
            ("received_above_issued", {"received": count.received, "issued": count.issued})
        )
    for candidate, votes in count.votes.items():
        if votes < 0 or votes > count.valid:
            problems.append(
                ("candidate_votes", {"candidate": candidate, "votes": votes, "valid": count.valid})
            )
    total = sum(count.votes.values())
    if total > count.valid * seats:
        problems.append(("choices_above_valid", {"choices": total, "limit": count.valid * seats}))
    return problems


@dataclass(frozen=True)
class Contender:
    id: int
    birth_date: date | None


@dataclass
class ConstituencyResult:
    seats: int
    registered: int
    voted: int
    valid: int
    invalid: int
    votes: dict[int, int]
    turnout_valid: bool  # more than half of the registered voters voted
    winners: list[int] = field(default_factory=list)  # in order of votes
    above_half: list[int] = field(default_factory=list)  # every candidate with > half the valid
    tie_broken_by_age: bool = False

    @property
    def repeat_needed(self) -> bool:
        """Bầu cử lại: the turnout was not above half."""
        return not self.turnout_valid

    @property
    def unfilled(self) -> int:
        return 0 if not self.turnout_valid else self.seats - len(self.winners)

    @property
    def turnout(self) -> Fraction:
        return Fraction(self.voted, self.registered) if self.registered else Fraction(0)


def constituency_result(
    seats: int, areas: Sequence[AreaCount], contenders: Sequence[Contender]
) -> ConstituencyResult:
    """Sum the polling areas and apply the rules of arts. 79–80."""
    votes = {c.id: 0 for c in contenders}
    for area in areas:
        for candidate, n in area.votes.items():
            votes[candidate] = votes.get(candidate, 0) + n
    result = ConstituencyResult(
        seats=seats,
        registered=sum(a.registered for a in areas),
        voted=sum(a.voted for a in areas),
        valid=sum(a.valid for a in areas),
        invalid=sum(a.invalid for a in areas),
        votes=votes,
        turnout_valid=False,
    )
    result.turnout_valid = result.registered > 0 and 2 * result.voted > result.registered
    if not result.turnout_valid:
        return result
    born = {c.id: c.birth_date or date.max for c in contenders}
    # More votes first; at equal votes the older (earlier birth date) first.
    above = sorted(
        (c for c in votes if 2 * votes[c] > result.valid), key=lambda c: (-votes[c], born[c])
    )
    result.above_half = above
    result.winners = above[:seats]
    if len(above) > seats and votes[above[seats - 1]] == votes[above[seats]]:
        result.tie_broken_by_age = True
    return result


def supplementary_needed(filled: int, seats: int) -> bool:
    """Bầu cử thêm: fewer than two thirds of the council's seats were filled."""
    return seats > 0 and Fraction(filled, seats) < FILLED_SHARE


def election_id(division_code: str, day: date, *, by_election: bool = False, nth: int = 1) -> str:
    """EveryElection-style stable id: ``hdnd.00004.2026-03-15``, ``….by``, ``….2`` for a second."""
    slug = f"hdnd.{division_code}.{day.isoformat()}"
    if by_election:
        slug += ".by"
    if nth > 1:
        slug += f".{nth}"
    return slug


ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(n: int) -> str:
    """Terms are numbered in Roman numerals: khóa XVII."""
    out = ""
    for value, letters in ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def total_delegates(reading: str, legal_seats: int, in_office: int) -> int:
    """ "Tổng số đại biểu" as the council reads it: the term's legal seats, or the delegates in
    office after vacancies (the default)."""
    return legal_seats if reading == "legal" else in_office


def more_than_half(total: int) -> int:
    """The least number of votes that is more than half of ``total``."""
    return total // 2 + 1


def two_thirds(total: int) -> int:
    """The least number of votes that is at least two thirds of ``total``."""
    return -(-2 * total // 3)
