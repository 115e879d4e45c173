"""The Election Law's counting rules on their edge cases."""

from __future__ import annotations

from datetime import date

import pytest

from elections import rules
from elections.rules import AreaCount, Contender


def area(
    registered: int,
    voted: int,
    valid: int,
    invalid: int,
    votes: dict[int, int],
    *,
    issued: int | None = None,
    received: int | None = None,
) -> AreaCount:
    received = valid + invalid if received is None else received
    return AreaCount(
        registered=registered,
        voted=voted,
        issued=received if issued is None else issued,
        received=received,
        valid=valid,
        invalid=invalid,
        votes=votes,
    )


OLD, YOUNG = date(1970, 1, 1), date(1985, 6, 1)


def test_the_legal_surplus_of_candidates() -> None:
    assert [rules.required_surplus(s) for s in (1, 2, 3, 4, 5)] == [1, 1, 2, 3, 3]
    assert rules.surplus_problem(3, 5) is None
    assert rules.surplus_problem(3, 4) == "5"  # 3 seats need 5 candidates
    assert rules.surplus_problem(5, 7) == "8"
    assert rules.surplus_problem(2, 3) is None
    # The rule is configurable.
    assert rules.surplus_problem(2, 3, {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}) == "4"


def test_turnout_exactly_half_calls_a_repeat_election() -> None:
    half = rules.constituency_result(
        1, [area(1000, 500, 490, 10, {1: 400, 2: 90})], [Contender(1, OLD), Contender(2, YOUNG)]
    )
    assert not half.turnout_valid and half.repeat_needed and half.winners == []
    above = rules.constituency_result(
        1, [area(1000, 501, 491, 10, {1: 400, 2: 91})], [Contender(1, OLD), Contender(2, YOUNG)]
    )
    assert above.turnout_valid and above.winners == [1]


def test_a_winner_needs_more_than_half_of_the_valid_ballots() -> None:
    # 100 valid ballots, 2 seats: 50 votes is not enough, 51 is.
    result = rules.constituency_result(
        2,
        [area(150, 110, 100, 10, {1: 51, 2: 50, 3: 49})],
        [Contender(1, OLD), Contender(2, OLD), Contender(3, OLD)],
    )
    assert result.winners == [1] and result.unfilled == 1


def test_a_tie_for_the_last_seat_goes_to_the_older_candidate() -> None:
    result = rules.constituency_result(
        1,
        [area(150, 110, 100, 10, {1: 70, 2: 70, 3: 10})],
        [Contender(1, YOUNG), Contender(2, OLD), Contender(3, OLD)],
    )
    assert result.winners == [2] and result.tie_broken_by_age
    # Polling areas add up before the rules apply.
    split = rules.constituency_result(
        1,
        [area(80, 60, 55, 5, {1: 40, 2: 30}), area(70, 50, 45, 5, {1: 30, 2: 40})],
        [Contender(1, YOUNG), Contender(2, OLD)],
    )
    assert split.votes == {1: 70, 2: 70} and split.winners == [2]


@pytest.mark.parametrize(
    ("count", "code"),
    [
        (area(100, 120, 100, 20, {1: 10}), "voted_above_registered"),
        (area(100, 80, 70, 5, {1: 10}, received=80), "valid_invalid_received"),
        (area(100, 80, 70, 10, {1: 10}, issued=75), "received_above_issued"),
        (area(100, 80, 70, 10, {1: 71}), "candidate_votes"),
        (area(100, 80, 70, 10, {1: 70, 2: 70, 3: 70}), "choices_above_valid"),
    ],
)
def test_inconsistent_counts_are_named(count: AreaCount, code: str) -> None:
    assert code in [c for c, _ in rules.area_problems(count, seats=2)]


def test_sound_counts_have_no_problem() -> None:
    assert rules.area_problems(area(100, 80, 70, 10, {1: 70, 2: 70}), seats=2) == []


def test_fewer_than_two_thirds_filled_calls_a_supplementary_election() -> None:
    assert rules.supplementary_needed(20, 31)  # 20/31 < 2/3
    assert not rules.supplementary_needed(21, 31)
    assert not rules.supplementary_needed(0, 0)


def test_stable_election_ids() -> None:
    day = date(2026, 3, 15)
    assert rules.election_id("00004", day) == "hdnd.00004.2026-03-15"
    assert rules.election_id("00004", day, by_election=True) == "hdnd.00004.2026-03-15.by"
    assert rules.election_id("01", day, nth=2) == "hdnd.01.2026-03-15.2"
    assert rules.roman(17) == "XVII" and rules.roman(4) == "IV"
