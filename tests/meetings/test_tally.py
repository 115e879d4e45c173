"""Voting thresholds, tallies and minutes wording (pure logic, no database)."""

import pytest

from meetings.voting.tally import (
    InvalidChoice,
    Rule,
    meets,
    required_votes,
    tally_confidence,
    tally_election,
    tally_motion,
    validate_confidence_choice,
    validate_election_choice,
)
from meetings.voting.wording import (
    confidence_lines,
    election_lines,
    format_percent,
    motion_lines,
    share_sentence,
)


def _motion(yes: int, no: int, abstain: int, seats: int, rule: str = "majority_of_seats"):
    return tally_motion(["yes"] * yes + ["no"] * no + ["abstain"] * abstain, seats, rule)


def test_domain_example_15_of_30_fails_16_passes() -> None:
    assert not _motion(15, 5, 2, 30).passed
    assert _motion(16, 4, 2, 30).passed


@pytest.mark.parametrize(
    ("seats", "majority", "two_thirds"),
    [(30, 16, 20), (31, 16, 21), (29, 15, 20), (3, 2, 2), (1, 1, 1), (100, 51, 67), (35, 18, 24)],
)
def test_required_votes_count_over_seats(seats: int, majority: int, two_thirds: int) -> None:
    assert required_votes(Rule.MAJORITY_OF_SEATS, seats) == majority
    assert required_votes(Rule.TWO_THIRDS_OF_SEATS, seats) == two_thirds
    assert meets("majority_of_seats", majority, seats)
    assert not meets("majority_of_seats", majority - 1, seats)
    assert meets("two_thirds_of_seats", two_thirds, seats)
    assert not meets("two_thirds_of_seats", two_thirds - 1, seats)


def test_thresholds_ignore_who_is_present() -> None:
    # 20 present of 30: 15 yes is every vote but one, and still not more than half of the seats.
    result = _motion(15, 0, 0, 30)
    assert not result.passed
    assert result.not_voted == 15


def test_two_thirds_rule() -> None:
    assert not _motion(19, 0, 0, 30, "two_thirds_of_seats").passed
    assert _motion(20, 0, 0, 30, "two_thirds_of_seats").passed


def test_motion_result_dict_matches_contract() -> None:
    d = _motion(16, 5, 2, 30).as_dict()
    assert {
        k: d[k] for k in ("yes", "no", "abstain", "not_voted", "seats", "required", "passed")
    } == {
        "yes": 16,
        "no": 5,
        "abstain": 2,
        "not_voted": 7,
        "seats": 30,
        "required": 16,
        "passed": True,
    }


def test_more_ballots_than_seats_is_refused() -> None:
    with pytest.raises(ValueError):
        _motion(2, 1, 0, 2)


def test_wording_as_minutes_word_it() -> None:
    assert (
        share_sentence(16, 30, "tán thành")
        == "16/30 đại biểu tán thành, chiếm 53,33% tổng số đại biểu"
    )
    lines = motion_lines(_motion(16, 5, 2, 30))
    assert lines[0] == "16/30 đại biểu tán thành, chiếm 53,33% tổng số đại biểu"
    assert lines[1] == "5/30 đại biểu không tán thành, chiếm 16,67% tổng số đại biểu"
    assert lines[-1].startswith("Kết quả: thông qua")
    assert motion_lines(_motion(15, 5, 2, 30))[-1].startswith("Kết quả: không được thông qua")
    assert (
        motion_lines(_motion(16, 5, 2, 30), "en")[0]
        == "16/30 delegates in favour, 53.33% of all delegates"
    )


def test_percent_rounds_half_up_with_decimal_comma() -> None:
    assert format_percent(1, 8) == "12,50"
    assert format_percent(1, 3) == "33,33"
    assert format_percent(2, 3) == "66,67"
    assert format_percent(30, 30) == "100,00"
    assert format_percent(1, 3, "en") == "33.33"


OPTIONS = [(1, "Nguyễn Văn An"), (2, "Trần Thị Bình"), (3, "Lê Văn Cường"), (4, "Phạm Thị Dung")]


def test_election_needs_more_than_half_of_all_seats() -> None:
    # 30 seats, elect up to 2: An 20, Bình 16, Cường 15 (not > half), Dung 3.
    ballots = [[1, 2]] * 15 + [[1, 3]] * 5 + [[2, 3]] * 1 + [[3, 4]] * 3 + [[3]] * 6
    result = tally_election(ballots, OPTIONS, seats=30, max_choices=2)
    by_id = {c.option_id: c for c in result.candidates}
    assert [by_id[i].votes for i in (1, 2, 3, 4)] == [20, 16, 15, 3]
    assert [c.option_id for c in result.elected] == [1, 2]
    assert not by_id[3].qualified and not by_id[3].elected
    assert result.ballots == 30 and result.not_voted == 0


def test_election_limits_to_n_places_by_votes() -> None:
    # All three over half, only two places: the two with most votes are elected.
    ballots = [[1, 2]] * 10 + [[1, 3]] * 8 + [[2, 3]] * 6 + [[1]] * 2
    result = tally_election(ballots, OPTIONS[:3], seats=30, max_choices=2)
    votes = {c.option_id: c.votes for c in result.candidates}
    assert votes == {1: 20, 2: 16, 3: 14}
    assert [c.option_id for c in result.elected] == [1, 2]


def test_election_tie_for_last_place_elects_none_of_the_tied() -> None:
    # 20 seats, 2 places: An 12, Bình 11, Cường 11; all over half, Bình and Cường tie for place 2.
    ballots = [[1, 2]] * 6 + [[1, 3]] * 6 + [[2, 3]] * 5
    result = tally_election(ballots, OPTIONS[:3], seats=20, max_choices=2)
    by_id = {c.option_id: c for c in result.candidates}
    assert by_id[1].elected and by_id[1].votes == 12
    assert by_id[2].qualified and by_id[3].qualified
    assert by_id[2].tied and by_id[3].tied and not by_id[2].elected and not by_id[3].elected
    assert "cần bầu lại" in " ".join(election_lines(result))


def test_election_choice_validation() -> None:
    assert validate_election_choice([3, 1], [1, 2, 3], 2) == [1, 3]
    assert validate_election_choice([], [1, 2], 1) == []
    for bad, code in (
        ([1, 2, 3], "too_many_choices"),
        ([1, 1], "invalid_choice"),
        ([9], "invalid_choice"),
        ("1", "invalid_choice"),
        ([True], "invalid_choice"),
    ):
        with pytest.raises(InvalidChoice) as err:
            validate_election_choice(bad, [1, 2, 3], 2)
        assert err.value.code == code


def test_confidence_flags_low_over_half_and_two_thirds() -> None:
    opts = OPTIONS[:3]
    # 30 seats: An low 20 (two thirds), Bình low 16 (over half), Cường low 15 (neither).
    ballots = []
    for i in range(30):
        ballots.append(
            {
                1: "low" if i < 20 else "high",
                2: "low" if i < 16 else "medium",
                3: "low" if i < 15 else "high",
            }
        )
    result = tally_confidence(ballots, opts, seats=30)
    an, binh, cuong = result.persons
    assert (an.low, an.high, an.low_over_half, an.low_two_thirds) == (20, 10, True, True)
    assert (binh.low, binh.medium, binh.low_over_half, binh.low_two_thirds) == (16, 14, True, False)
    assert (cuong.low, cuong.low_over_half, cuong.low_two_thirds) == (15, False, False)
    lines = confidence_lines(result)
    assert "tín nhiệm thấp 20/30 (66,67%)" in lines[1] and "hai phần ba" in lines[1]
    assert "trên một nửa" in lines[2]


def test_confidence_two_thirds_boundary_counts_over_seats() -> None:
    ballots = [{1: "low"}] * 19 + [{1: "high"}] * 3
    person = tally_confidence(ballots, [(1, "An")], seats=30).persons[0]
    assert person.low_over_half and not person.low_two_thirds
    assert person.not_rated == 8


def test_confidence_choice_validation() -> None:
    assert validate_confidence_choice({"1": "high", 2: "low"}, [1, 2]) == {1: "high", 2: "low"}
    for bad in (
        {"1": "high"},
        {"1": "great", "2": "low"},
        {"1": "high", "2": "low", "3": "low"},
        ["high"],
        {"1": "high", "²": "low"},  # a digit to str.isdigit, not to int()
        {"1": "high", "9" * 5000: "low"},  # beyond int()'s conversion limit
    ):
        with pytest.raises(InvalidChoice):
            validate_confidence_choice(bad, [1, 2])
