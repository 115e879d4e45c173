"""Bodies and answers of the questioning API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from council.validation import NFCStr, Out, Schema

Criterion = Literal["pressing", "violations", "rejected_answers", "supervision", "requestioning"]


class QFormIn(Schema):
    agency_code: NFCStr = Field(min_length=1, max_length=32)
    official_name: NFCStr = Field(min_length=1, max_length=200)
    official_title: NFCStr = Field(min_length=1, max_length=200, description="Giám đốc Sở Xây dựng")
    field: NFCStr = Field(min_length=1, max_length=100)
    text: NFCStr = Field(min_length=10, max_length=5000)
    petition_codes: list[NFCStr] = Field(default_factory=list, max_length=20)
    written_only: bool = False


class QFormOut(Out):
    id: int
    session_id: int
    council_code: str
    asker: str
    agency_code: str
    agency_name: str
    official_name: str
    official_title: str
    field: str
    text: str
    petition_codes: list[str]
    written_only: bool
    state: str
    group_id: int | None
    answer_due_at: datetime | None
    answer_overdue: bool
    answer_text: str | None
    answered_at: datetime | None
    has_letter: bool
    verdict: str | None


class QFormList(Out):
    items: list[QFormOut]


class QGroupIn(Schema):
    title: NFCStr = Field(min_length=1, max_length=300)
    criterion: Criterion


class QGroupOut(Out):
    id: int
    title: str
    criterion: str
    machine_made: bool
    chosen: bool
    form_ids: list[int]


class QRoundOut(Out):
    session_id: int
    groups_fixed: bool
    held: bool
    groups: list[QGroupOut]


class QMoveIn(Schema):
    form_ids: list[int] = Field(min_length=1, max_length=500)
    group_id: int | None = None


class QChooseIn(Schema):
    chosen: bool


class QAnswerRequestIn(Schema):
    working_days: int = Field(default=10, ge=1, le=60)


class QAnswerIn(Schema):
    text: NFCStr = Field(min_length=1, max_length=20000)


class QAssessIn(Schema):
    verdict: Literal["satisfactory", "unsatisfactory"]


class QMilestoneIn(Schema):
    title: NFCStr = Field(min_length=1, max_length=300)
    due_on: date


class QCommitmentIn(Schema):
    agency_code: NFCStr = Field(min_length=1, max_length=32)
    official_name: NFCStr = Field(min_length=1, max_length=200)
    official_title: NFCStr = Field(min_length=1, max_length=200)
    measure: NFCStr = Field(min_length=1, max_length=5000)
    deadline: date
    form_id: int | None = None
    milestones: list[QMilestoneIn] = Field(default_factory=list, max_length=50)


class QReportIn(Schema):
    percent: int = Field(ge=0, le=100)
    note: NFCStr = Field(min_length=1, max_length=5000)
    milestones_done: list[int] = Field(default_factory=list, max_length=50)


class QMilestoneOut(Out):
    id: int
    title: str
    due_on: date
    done_on: date | None


class QReportOut(Out):
    id: int
    percent: int
    note: str
    reported_on: date
    evidence_url: str | None


class QCommitmentOut(Out):
    id: int
    council_code: str
    session_id: int
    agency_code: str
    agency_name: str
    official_name: str
    official_title: str
    measure: str
    deadline: date
    percent: int
    done_on: date | None
    state: str
    milestones: list[QMilestoneOut]
    history: list[QReportOut]


class QCommitmentList(Out):
    items: list[QCommitmentOut]


class QAgencyRowOut(Out):
    agency: str
    done_on_time: int
    done_late: int
    in_progress: int
    overdue: int
    on_time_rate: float | None


class QOnTimeTable(Out):
    council_code: str
    rows: list[QAgencyRowOut]


class QSelectionOpenIn(Schema):
    max_choices: int = Field(ge=1, le=50, description="N of the groups' M")


class QSelectionVoteIn(Schema):
    group_ids: list[int] = Field(min_length=1, max_length=50)


class QSelectionCloseIn(Schema):
    prefer: list[int] = Field(
        default_factory=list, max_length=50, description="The chair's order for tied groups"
    )


class QSelectionOut(Out):
    status: str
    max_choices: int
    voted: int
    eligible: int
    has_voted: bool
    counts: dict[str, int] | None
    chosen: list[int]


class QLiveTurnIn(Schema):
    session_id: int
    form_id: int
    # questioning.answer only: the agency's official given the floor (default: the one named on
    # the form, when they have an account; else the name and title written on it).
    official_id: int | None = None


class QLiveConcludeIn(Schema):
    session_id: int
    group_id: int
    text: NFCStr = Field(min_length=1, max_length=5000)


LIMIT_HELP = "Whole minutes, from 1 to 60; null (or left out): the default ({default} min)."


class QLimitsIn(Schema):
    """The round's time limits as the council's rules (quy chế) state them, in whole minutes; the
    three are set together (one left out goes back to the default)."""

    asking_minutes: int | None = Field(default=None, description=LIMIT_HELP.format(default=3))
    answering_minutes: int | None = Field(default=None, description=LIMIT_HELP.format(default=10))
    followup_minutes: int | None = Field(default=None, description=LIMIT_HELP.format(default=2))


class QLimitsOut(Out):
    session_id: int
    asking_minutes: int | None = Field(description="As set; null: the default.")
    answering_minutes: int | None
    followup_minutes: int | None
    limits: dict[str, int] = Field(
        description="Seconds the next turns are given, by phase (asking, answering, followup)."
    )
    changed: bool = Field(description="False when the limits were already these.")


class QLiveOut(Out):
    session_id: int
    turn: dict[str, Any] | None
    limits: dict[str, int] = Field(
        default_factory=dict,
        description="Seconds the next turns are given, by phase (asking, answering, followup).",
    )
    concluded: dict[str, Any] | None = None
    record: list[dict[str, Any]] = Field(default_factory=list)
