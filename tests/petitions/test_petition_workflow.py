"""The status machine, hop deadlines and overdue arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from council.calendar import WorkingCalendar, due_at
from council.errors import Conflict, Invalid
from council.i18n import set_language
from petitions.labels import light_text
from petitions.metrics import Light, Reason, assess, light, median_days, on_time_rate
from petitions.workflow import (
    ALLOWED_FROM,
    Action,
    Position,
    Resolution,
    Stage,
    Status,
    is_overdue,
    next_status,
    sla_from_dict,
    stage_for,
    validate_resolution,
    was_on_time,
)


def pos(status: Status, level: str = "commune", parent: bool = True, agency: bool = False):
    return Position(status=status, level=level, has_parent=parent, has_agency=agency)


def test_commune_to_city_to_agency_path() -> None:
    s, level = next_status(pos(Status.RECEIVED), Action.ESCALATE)
    assert (s, level) == (Status.ESCALATED, "city")
    s, level = next_status(pos(s, level, parent=False), Action.ASSIGN)
    assert (s, level) == (Status.ASSIGNED, "city")
    s, _ = next_status(pos(s, level, parent=False, agency=True), Action.ANSWER)
    assert s == Status.ANSWERED
    s, _ = next_status(pos(s, level), Action.PUBLISH)
    assert s == Status.PUBLISHED
    s, _ = next_status(pos(s, level), Action.CLOSE)
    assert s == Status.CLOSED


def test_commune_competent_path() -> None:
    s, level = next_status(pos(Status.RECEIVED), Action.ACCEPT)
    assert (s, level) == (Status.ACCEPTED, "commune")
    assert next_status(pos(s), Action.ASSIGN)[0] == Status.ASSIGNED


def test_city_escalates_to_central_and_records_the_answer() -> None:
    s, level = next_status(pos(Status.ESCALATED, "city", parent=False), Action.ESCALATE)
    assert (s, level) == (Status.ESCALATED, "central")
    assert stage_for(s, level) == Stage.CENTRAL
    with pytest.raises(Conflict):
        next_status(pos(s, level, parent=False), Action.ASSIGN)
    with pytest.raises(Conflict):
        next_status(pos(s, level, parent=False), Action.ESCALATE)
    assert next_status(pos(s, level, parent=False), Action.ANSWER)[0] == Status.ANSWERED
    assert next_status(pos(Status.PUBLISHED, level), Action.REOPEN)[0] == Status.ESCALATED


def test_answer_needs_an_agency_below_central() -> None:
    with pytest.raises(Conflict):
        next_status(pos(Status.ESCALATED, "city", parent=False), Action.ANSWER)


def test_reopen_returns_to_the_agency() -> None:
    assert next_status(pos(Status.PUBLISHED, agency=True), Action.REOPEN)[0] == Status.ASSIGNED
    assert next_status(pos(Status.CLOSED, agency=False), Action.REOPEN)[0] == Status.ACCEPTED


@pytest.mark.parametrize("action", list(Action))
def test_terminal_states_refuse_everything_but_reopen(action: Action) -> None:
    for status in (Status.REJECTED, Status.MERGED, Status.DIVERTED):
        with pytest.raises(Conflict) as err:
            next_status(pos(status), action)
        assert err.value.code == "invalid_transition"
    if action not in (Action.REOPEN, Action.RESOLUTION):
        with pytest.raises(Conflict):
            next_status(pos(Status.CLOSED), action)


def test_every_action_declares_its_sources() -> None:
    assert set(ALLOWED_FROM) == set(Action)


def test_stages() -> None:
    assert stage_for(Status.RECEIVED, "commune") == Stage.CLASSIFY
    assert stage_for(Status.ACCEPTED, "commune") == Stage.ASSIGN
    assert stage_for(Status.ESCALATED, "city") == Stage.ASSIGN
    assert stage_for(Status.ASSIGNED, "city") == Stage.ANSWER
    assert stage_for(Status.ANSWERED, "city") == Stage.REVIEW
    for s in (Status.PUBLISHED, Status.CLOSED, Status.REJECTED, Status.MERGED, Status.DIVERTED):
        assert stage_for(s, "city") is None


def test_due_at_counts_working_days_in_vietnam_time() -> None:
    cal = WorkingCalendar()
    # 17:30 UTC on Thu 12 Feb 2026 is already Fri 13 Feb in Hà Nội; +1 working day skips Tết.
    due = due_at(datetime(2026, 2, 12, 17, 30, tzinfo=UTC), 1, cal)
    assert due == datetime(2026, 2, 23, 16, 59, 59, tzinfo=UTC)
    assert due_at(datetime(2026, 2, 12, 16, 0, tzinfo=UTC), 1, cal).date() == date(2026, 2, 13)


def test_overdue_is_computed() -> None:
    due = datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC)
    assert not is_overdue(due, None, datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    assert is_overdue(due, None, datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    assert not is_overdue(due, datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    assert was_on_time(due, datetime(2026, 3, 1, tzinfo=UTC)) is True
    assert was_on_time(due, datetime(2026, 3, 3, tzinfo=UTC)) is False
    assert was_on_time(due, None) is None
    assert is_overdue(datetime(2026, 3, 2), None, datetime(2026, 3, 3, tzinfo=UTC))


def test_sla_overrides() -> None:
    sla = sla_from_dict({"answer": 15})
    assert sla[Stage.ANSWER] == 15 and sla[Stage.CLASSIFY] == 5
    for bad in ({"answer": 0}, {"nope": 3}, {"review": "x"}):
        with pytest.raises(ValueError):
            sla_from_dict(bad)


def test_resolution_validation() -> None:
    assert validate_resolution("resolved", None) == (Resolution.RESOLVED, None)
    assert validate_resolution("roadmap", "2026-12-31") == (Resolution.ROADMAP, date(2026, 12, 31))
    assert validate_resolution("not_resolved", "2026-12-31") == (Resolution.NOT_RESOLVED, None)
    for kind, when in (("roadmap", None), ("roadmap", "31/12/2026"), ("fixed", None)):
        with pytest.raises(Invalid):
            validate_resolution(kind, when)


def test_metrics() -> None:
    assert on_time_rate(0, 0) is None
    assert on_time_rate(3, 4) == 0.75
    assert median_days([]) is None
    assert median_days([1, 5, 3]) == 3
    assert light(1.0, 0, 10) == Light.GREEN
    assert light(None, 0, 0) == Light.GREEN
    assert light(0.9, 0, 10) == Light.YELLOW
    assert light(1.0, 1, 20) == Light.YELLOW
    assert light(0.7, 0, 10) == Light.RED
    assert light(1.0, 3, 20) == Light.RED


def test_a_light_says_its_colour_and_why_in_words() -> None:
    """Not just a colour: the reason, against the thresholds of ``Thresholds`` (green ≥ 95% on
    time and nothing overdue; red < 80% or more than 10% of open steps overdue)."""
    assert assess(0.928, 0, 10) == (Light.YELLOW, [Reason("rate_below", 0.928, 0.95)])
    assert assess(0.928, 3, 20) == (Light.RED, [Reason("overdue_above", 0.15, 0.10)])
    set_language("vi")
    try:
        assert light_text(*assess(0.928, 0, 10)) == "Vàng: tỉ lệ đúng hạn 92,8%, dưới 95%"
        assert light_text(*assess(0.928, 3, 20)) == (
            "Đỏ: 15% bước đang mở đã quá hạn, trên mức 10%"
        )  # 92.8% alone is yellow: the overdue share made it red
        assert light_text(*assess(1.0, 1, 20)) == "Vàng: số bước đang mở đã quá hạn: 1"
        assert light_text(*assess(1.0, 0, 10)) == (
            "Xanh: tỉ lệ đúng hạn 100%, từ 95% trở lên, không có bước nào quá hạn"
        )
        set_language("en")
        assert light_text(*assess(0.7, 0, 10)) == "Red: on-time rate 70%, below 80%"
        assert light_text(*assess(None, 0, 0)) == "Green: no step finished yet, nothing overdue"
    finally:
        set_language("vi")
