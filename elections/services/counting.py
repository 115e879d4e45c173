"""Polling areas' counts checked against the Election Law's rules, each constituency's result and the confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid
from council.i18n import N_
from council.models import Council, User
from elections import rules
from elections.models import (
    Candidate,
    Constituency,
    Election,
    PollingArea,
)
from elections.services.common import (
    COUNT_FIELDS,
    PROBLEM_MESSAGES,
    require_manager,
    require_open,
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
    await require_open(election)
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
    await require_open(election)
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
