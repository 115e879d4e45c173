"""Response models of a poll and its result (``/api/v1/polls/…``, ``poll:*`` events): the counts,
the named ballots of a named poll and the result in words."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from council.validation import Out, absent

PollKind = Literal["motion", "election", "confidence"]
PollRule = Literal["majority_of_seats", "two_thirds_of_seats"]
MotionChoice = Literal["yes", "no", "abstain"]
ConfidenceLevel = Literal["high", "medium", "low"]


class PollOptionOut(Out):
    id: int
    label: str


class NamedBallotOut(Out):
    """Who voted what, in a named (not secret) poll."""

    user_id: int
    name: str
    choice: MotionChoice | list[int] | dict[str, ConfidenceLevel] = Field(
        description="As cast: a motion's answer, an election's option ids, or a confidence "
        "level per option id."
    )
    by_hand: bool = Field(
        description="Recorded by the secretariat from a show of hands and confirmed by the chair."
    )


class MotionResultOut(Out):
    kind: Literal["motion"]
    yes: int
    no: int
    abstain: int
    not_voted: int = Field(description="Seats that cast no ballot.")
    seats: int
    rule: PollRule
    required: int = Field(description="Yes votes needed to pass.")
    passed: bool
    ballots: list[NamedBallotOut] = absent("Named polls only.")


class CandidateOut(Out):
    option_id: int
    label: str
    votes: int
    qualified: bool = Field(description="Reached the required votes.")
    elected: bool
    tied: bool


class ElectionResultOut(Out):
    kind: Literal["election"]
    seats: int
    rule: PollRule
    required: int = Field(description="Votes a candidate needs.")
    max_choices: int
    ballots: int | list[NamedBallotOut] = Field(
        description="The count of ballots; for a named poll, the ballots themselves."
    )
    not_voted: int
    options: list[CandidateOut]
    passed: bool = Field(description="At least one candidate is elected.")


class PersonConfidenceOut(Out):
    option_id: int
    label: str
    high: int
    medium: int
    low: int
    not_rated: int
    low_over_half: bool = Field(description="Rated low by more than half of all seats.")
    low_two_thirds: bool = Field(description="Rated low by at least two thirds of all seats.")


class ConfidenceResultOut(Out):
    kind: Literal["confidence"]
    seats: int
    ballots: int | list[NamedBallotOut] = Field(
        description="The count of ballots; for a named poll, the ballots themselves."
    )
    not_voted: int
    options: list[PersonConfidenceOut]


PollResultOut = Annotated[
    MotionResultOut | ElectionResultOut | ConfidenceResultOut, Field(discriminator="kind")
]


class ResultWordingOut(Out):
    headline: str = Field(description="The one sentence a hall screen shows.")
    lines: list[str] = Field(description="The lines of the minutes.")


class PollWordingOut(Out):
    vi: ResultWordingOut
    en: ResultWordingOut


class PollOut(Out):
    id: int
    session_id: int
    item_id: int | None
    title: str
    kind: PollKind
    secret: bool
    rule: PollRule
    max_choices: int
    status: Literal["draft", "open", "closed"]
    seats: int
    options: list[PollOptionOut] = Field(description="Candidates or persons; none for a motion.")
    voted: int = Field(description="Ballots cast so far.")
    eligible: int = Field(description="Delegates checked in to the session.")
    opened_at: datetime | None
    closed_at: datetime | None
    countdown_seconds: int | None = Field(description="The countdown shown while open, if any.")
    deadline: datetime | None = Field(
        description="When the countdown reaches zero (time is up; the close ends the vote)."
    )
    revote_of: int | None = Field(description="The poll this re-vote repeats.")
    revote_reason: str | None = Field(description="Why the vote is taken again.")
    has_voted: bool = absent("Whether the caller has voted (GET, when signed in).")
    result: PollResultOut = absent("Once closed.")
    text: PollWordingOut = absent("The result in words, once closed.")


class BallotRecordedOut(Out):
    recorded: Literal[True]
