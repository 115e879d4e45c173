"""Pure tally logic for the three poll kinds.

Every threshold is counted against the council's *seats* (all elected delegates), never against
those present or voting, as the Law on Organization of Local Government requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Rule(StrEnum):
    """Threshold a poll must reach, counted over all seats."""

    MAJORITY_OF_SEATS = "majority_of_seats"
    TWO_THIRDS_OF_SEATS = "two_thirds_of_seats"


class PollKind(StrEnum):
    MOTION = "motion"
    ELECTION = "election"
    CONFIDENCE = "confidence"


MOTION_CHOICES = ("yes", "no", "abstain")
CONFIDENCE_LEVELS = ("high", "medium", "low")


def required_votes(rule: Rule | str, seats: int) -> int:
    """Smallest number of votes that meets ``rule`` for a council of ``seats``.

    ``majority_of_seats`` is *more than half* (30 seats → 16); ``two_thirds_of_seats`` is
    *at least two thirds* (30 seats → 20, 31 seats → 21).
    """
    if seats <= 0:
        raise ValueError("seats must be positive")
    rule = Rule(rule)
    if rule is Rule.MAJORITY_OF_SEATS:
        return seats // 2 + 1
    return -(-2 * seats // 3)


def meets(rule: Rule | str, count: int, seats: int) -> bool:
    """Whether ``count`` votes reach ``rule`` over ``seats``."""
    return count >= required_votes(rule, seats)


def more_than_half(count: int, seats: int) -> bool:
    return 2 * count > seats


def at_least_two_thirds(count: int, seats: int) -> bool:
    return 3 * count >= 2 * seats


@dataclass(frozen=True)
class MotionResult:
    yes: int
    no: int
    abstain: int
    seats: int
    rule: Rule
    required: int
    passed: bool

    @property
    def voted(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def not_voted(self) -> int:
        """Seats that cast no ballot: absent delegates and present ones who did not vote."""
        return self.seats - self.voted

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": PollKind.MOTION.value,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "not_voted": self.not_voted,
            "seats": self.seats,
            "rule": self.rule.value,
            "required": self.required,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class CandidateResult:
    option_id: int
    label: str
    votes: int
    qualified: bool
    elected: bool
    tied: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "option_id": self.option_id,
            "label": self.label,
            "votes": self.votes,
            "qualified": self.qualified,
            "elected": self.elected,
            "tied": self.tied,
        }


@dataclass(frozen=True)
class ElectionResult:
    seats: int
    rule: Rule
    required: int
    max_choices: int
    ballots: int
    candidates: list[CandidateResult] = field(default_factory=list)

    @property
    def not_voted(self) -> int:
        return self.seats - self.ballots

    @property
    def elected(self) -> list[CandidateResult]:
        return [c for c in self.candidates if c.elected]

    @property
    def passed(self) -> bool:
        return bool(self.elected)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": PollKind.ELECTION.value,
            "seats": self.seats,
            "rule": self.rule.value,
            "required": self.required,
            "max_choices": self.max_choices,
            "ballots": self.ballots,
            "not_voted": self.not_voted,
            "options": [c.as_dict() for c in self.candidates],
            "passed": self.passed,
        }


@dataclass(frozen=True)
class PersonConfidence:
    option_id: int
    label: str
    high: int
    medium: int
    low: int
    seats: int

    @property
    def rated(self) -> int:
        return self.high + self.medium + self.low

    @property
    def not_rated(self) -> int:
        return self.seats - self.rated

    @property
    def low_over_half(self) -> bool:
        """Rated low by more than half of all seats."""
        return more_than_half(self.low, self.seats)

    @property
    def low_two_thirds(self) -> bool:
        """Rated low by at least two thirds of all seats."""
        return at_least_two_thirds(self.low, self.seats)

    def as_dict(self) -> dict[str, object]:
        return {
            "option_id": self.option_id,
            "label": self.label,
            "high": self.high,
            "medium": self.medium,
            "low": self.low,
            "not_rated": self.not_rated,
            "low_over_half": self.low_over_half,
            "low_two_thirds": self.low_two_thirds,
        }


@dataclass(frozen=True)
class ConfidenceResult:
    seats: int
    ballots: int
    persons: list[PersonConfidence] = field(default_factory=list)

    @property
    def not_voted(self) -> int:
        return self.seats - self.ballots

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": PollKind.CONFIDENCE.value,
            "seats": self.seats,
            "ballots": self.ballots,
            "not_voted": self.not_voted,
            "options": [p.as_dict() for p in self.persons],
        }


TallyResult = MotionResult | ElectionResult | ConfidenceResult


class InvalidChoice(ValueError):
    """A ballot's choice does not fit the poll. ``code`` is stable for API errors."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _check_total(total: int, seats: int) -> None:
    if seats <= 0:
        raise ValueError("seats must be positive")
    if total > seats:
        raise ValueError(f"{total} ballots exceed {seats} seats")


def validate_motion_choice(choice: object) -> str:
    """Return the normalised motion choice or raise :class:`InvalidChoice`."""
    if not isinstance(choice, str) or choice not in MOTION_CHOICES:
        raise InvalidChoice("invalid_choice", "choice must be one of yes, no, abstain")
    return choice


def validate_election_choice(
    choice: object, option_ids: Iterable[int], max_choices: int
) -> list[int]:
    """Return the sorted, distinct option ids chosen, or raise :class:`InvalidChoice`.

    An empty list is a valid blank ballot (the delegate selects nobody).
    """
    if not isinstance(choice, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in choice
    ):
        raise InvalidChoice("invalid_choice", "choice must be a list of option ids")
    chosen = set(choice)
    if len(chosen) != len(choice):
        raise InvalidChoice("invalid_choice", "an option is chosen twice")
    if len(chosen) > max_choices:
        raise InvalidChoice("too_many_choices", f"at most {max_choices} options may be chosen")
    unknown = chosen - set(option_ids)
    if unknown:
        raise InvalidChoice("invalid_choice", "unknown option in choice")
    return sorted(chosen)


def validate_confidence_choice(choice: object, option_ids: Iterable[int]) -> dict[int, str]:
    """Return ``{option_id: level}`` covering every person, or raise :class:`InvalidChoice`.

    JSON object keys arrive as strings, so digit strings are accepted as ids.
    """
    if not isinstance(choice, Mapping):
        raise InvalidChoice("invalid_choice", "choice must map option ids to high, medium or low")
    ids = set(option_ids)
    out: dict[int, str] = {}
    for key, level in choice.items():
        if isinstance(key, bool):
            raise InvalidChoice("invalid_choice", "unknown option in choice")
        if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 10:
            key = int(key)
        if not isinstance(key, int) or key not in ids:
            raise InvalidChoice("invalid_choice", "unknown option in choice")
        if level not in CONFIDENCE_LEVELS:
            raise InvalidChoice("invalid_choice", "each level must be high, medium or low")
        out[key] = level
    if set(out) != ids:
        raise InvalidChoice("invalid_choice", "every person on the ballot must be rated")
    return out


def normalise_choice(
    kind: PollKind | str, choice: object, option_ids: Iterable[int], max_choices: int
) -> Any:
    """The choice as stored and tallied (a confidence ballot's keys as text, in order), or
    :class:`InvalidChoice`."""
    if kind == PollKind.MOTION:
        return validate_motion_choice(choice)
    if kind == PollKind.ELECTION:
        return validate_election_choice(choice, option_ids, max_choices)
    levels = validate_confidence_choice(choice, option_ids)
    return {str(k): v for k, v in sorted(levels.items())}


def tally_motion(
    choices: Iterable[str], seats: int, rule: Rule | str = Rule.MAJORITY_OF_SEATS
) -> MotionResult:
    """Count motion ballots; passes when ``yes`` meets ``rule`` over all seats."""
    counts = {c: 0 for c in MOTION_CHOICES}
    for choice in choices:
        counts[validate_motion_choice(choice)] += 1
    _check_total(sum(counts.values()), seats)
    rule = Rule(rule)
    required = required_votes(rule, seats)
    return MotionResult(
        yes=counts["yes"],
        no=counts["no"],
        abstain=counts["abstain"],
        seats=seats,
        rule=rule,
        required=required,
        passed=counts["yes"] >= required,
    )


def tally_election(
    ballots: Iterable[Sequence[int]],
    options: Sequence[tuple[int, str]],
    seats: int,
    max_choices: int,
    rule: Rule | str = Rule.MAJORITY_OF_SEATS,
) -> ElectionResult:
    """Count an election of up to ``max_choices`` among ``options`` (``(id, label)`` pairs).

    A candidate *qualifies* when selected by enough delegates under ``rule`` (default: more than
    half of all seats). Qualified candidates are elected in order of votes within the
    ``max_choices`` places. When candidates tie for the last place and electing them all would
    exceed the places, none of the tied ones is elected and they are marked ``tied``: the council
    must hold another round for them.
    """
    if max_choices < 1:
        raise ValueError("max_choices must be at least 1")
    rule = Rule(rule)
    ids = [oid for oid, _ in options]
    votes = {oid: 0 for oid in ids}
    count = 0
    for ballot in ballots:
        for oid in validate_election_choice(list(ballot), ids, max_choices):
            votes[oid] += 1
        count += 1
    _check_total(count, seats)
    required = required_votes(rule, seats)
    qualified = {oid for oid in ids if votes[oid] >= required}
    results: list[CandidateResult] = []
    for oid, label in options:
        elected = tied = False
        if oid in qualified:
            v = votes[oid]
            ahead = sum(1 for q in qualified if votes[q] > v)
            level = sum(1 for q in qualified if votes[q] == v)
            if ahead + level <= max_choices:
                elected = True
            elif ahead < max_choices:
                tied = True
        results.append(CandidateResult(oid, label, votes[oid], oid in qualified, elected, tied))
    results.sort(key=lambda c: (-c.votes, ids.index(c.option_id)))
    return ElectionResult(
        seats=seats,
        rule=rule,
        required=required,
        max_choices=max_choices,
        ballots=count,
        candidates=results,
    )


def tally_confidence(
    ballots: Iterable[Mapping[int, str]], options: Sequence[tuple[int, str]], seats: int
) -> ConfidenceResult:
    """Count a vote of confidence: per person, how many rated high, medium (tín nhiệm) and low."""
    ids = [oid for oid, _ in options]
    counts = {oid: {lvl: 0 for lvl in CONFIDENCE_LEVELS} for oid in ids}
    count = 0
    for ballot in ballots:
        for oid, level in validate_confidence_choice(ballot, ids).items():
            counts[oid][level] += 1
        count += 1
    _check_total(count, seats)
    persons = [
        PersonConfidence(
            oid, label, counts[oid]["high"], counts[oid]["medium"], counts[oid]["low"], seats
        )
        for oid, label in options
    ]
    return ConfidenceResult(seats=seats, ballots=count, persons=persons)


def result_from_dict(data: Mapping[str, object]) -> TallyResult:
    """Rebuild a result from :meth:`as_dict` output (as stored on a closed poll)."""
    d: dict[str, Any] = dict(data)
    kind = d.get("kind")
    seats = int(d["seats"])
    if kind == PollKind.MOTION.value:
        return MotionResult(
            yes=int(d["yes"]),
            no=int(d["no"]),
            abstain=int(d["abstain"]),
            seats=seats,
            rule=Rule(str(d["rule"])),
            required=int(d["required"]),
            passed=bool(d["passed"]),
        )
    options = list(d.get("options", []))
    if kind == PollKind.ELECTION.value:
        return ElectionResult(
            seats=seats,
            rule=Rule(str(d["rule"])),
            required=int(d["required"]),
            max_choices=int(d["max_choices"]),
            ballots=int(d["ballots"]),
            candidates=[
                CandidateResult(
                    int(o["option_id"]),
                    str(o["label"]),
                    int(o["votes"]),
                    bool(o["qualified"]),
                    bool(o["elected"]),
                    bool(o["tied"]),
                )
                for o in options
            ],
        )
    if kind == PollKind.CONFIDENCE.value:
        return ConfidenceResult(
            seats=seats,
            ballots=int(d["ballots"]),
            persons=[
                PersonConfidence(
                    int(o["option_id"]),
                    str(o["label"]),
                    int(o["high"]),
                    int(o["medium"]),
                    int(o["low"]),
                    seats,
                )
                for o in options
            ],
        )
    raise ValueError(f"unknown result kind {kind!r}")
