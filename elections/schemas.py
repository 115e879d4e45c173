"""Bodies and answers of the elections API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from council.validation import NFCStr, Out, Schema

Short = NFCStr


class TermIn(Schema):
    number: int = Field(ge=1, le=100, description="Khóa: XVII is 17.")
    starts_on: date


class TermOut(Out):
    id: int
    number: int
    label: str
    starts_on: date
    ends_on: date | None


class ElectionIn(Schema):
    day: date
    kind: Literal["regular", "by"] = "regular"
    term_number: int = Field(ge=1, le=100)


class ConstituencyIn(Schema):
    area: NFCStr = Field(min_length=1, max_length=2000)
    seats: int = Field(ge=1, le=5)
    registered: int = Field(default=0, ge=0, le=10_000_000)
    division_codes: list[Short] = Field(default_factory=list, max_length=200)


class ProfileIn(Schema):
    full_name: NFCStr = Field(min_length=1, max_length=200)
    birth_date: date
    gender: Literal["male", "female"]
    ethnicity: Short = Field(default="Kinh", max_length=60)
    religion: Short = Field(default="", max_length=60)
    hometown: Short = Field(default="", max_length=200)
    education: Short = Field(default="", max_length=200)
    political_theory: Short = Field(default="", max_length=100)
    occupation: Short = Field(default="", max_length=200)
    workplace: Short = Field(default="", max_length=300)
    party_joined: date | None = None
    nominated_by: Short = Field(default="", max_length=300, description="Empty: self-nominated.")


class CandidateIn(ProfileIn):
    source: NFCStr = Field(min_length=1, max_length=300, description="The document or decision.")


class CandidatePatch(Schema):
    full_name: NFCStr | None = Field(default=None, min_length=1, max_length=200)
    birth_date: date | None = None
    gender: Literal["male", "female"] | None = None
    ethnicity: Short | None = Field(default=None, max_length=60)
    religion: Short | None = Field(default=None, max_length=60)
    hometown: Short | None = Field(default=None, max_length=200)
    education: Short | None = Field(default=None, max_length=200)
    political_theory: Short | None = Field(default=None, max_length=100)
    occupation: Short | None = Field(default=None, max_length=200)
    workplace: Short | None = Field(default=None, max_length=300)
    party_joined: date | None = None
    nominated_by: Short | None = Field(default=None, max_length=300)
    withdrawn: bool | None = None
    source: NFCStr = Field(min_length=1, max_length=300)


class AreaIn(Schema):
    name: NFCStr = Field(min_length=1, max_length=200)
    registered: int = Field(ge=0, le=10_000_000)
    voted: int = Field(ge=0, le=10_000_000)
    issued: int = Field(ge=0, le=10_000_000)
    received: int = Field(ge=0, le=10_000_000)
    valid: int = Field(ge=0, le=10_000_000)
    invalid: int = Field(ge=0, le=10_000_000)
    votes: dict[str, int] = Field(description="Candidate id -> votes.", max_length=100)


class ElectionCandidateOut(Out):
    id: int
    full_name: str
    birth_date: date
    gender: str
    ethnicity: str
    religion: str
    hometown: str
    education: str
    political_theory: str
    occupation: str
    workplace: str
    party_joined: date | None
    nominated_by: str
    withdrawn: bool
    votes: int | None = None
    elected: bool = False


class ConstituencyOut(Out):
    number: int
    area: str
    division_codes: list[str]
    seats: int
    registered: int
    candidates: list[ElectionCandidateOut]
    list_problem: str | None
    counted: bool
    voted: int
    valid: int
    turnout_valid: bool
    repeat_needed: bool
    unfilled: int
    tie_broken_by_age: bool


class ElectionOut(Out):
    id: str
    council_code: str
    council_name: str
    division_code: str | None
    day: date
    kind: str
    status: str
    term: str
    seats: int
    filled: int
    provisional: bool = Field(
        description="Counting is under way: winners and seats filled are provisional (tạm tính) "
        "until the results are confirmed."
    )
    supplementary_needed: bool
    constituencies: list[ConstituencyOut]


class ElectionList(Out):
    items: list[ElectionOut]


class RosterEntryOut(Out):
    candidate_id: int
    username: str
    full_name: str
    one_time_password: str | None


class RosterOut(Out):
    term: str
    delegates: list[RosterEntryOut]


class ImportOut(Out):
    election_id: str
    areas: int = Field(description="Polling areas saved from the workbook.")


class ContactScheduleIn(Schema):
    day: date
    time: Short = Field(default="", max_length=5, description="Local time, HH:MM.")
    place: NFCStr = Field(min_length=1, max_length=300)
    constituency: int | None = Field(default=None, ge=1, le=1000)
    delegate_ids: list[int] = Field(min_length=1, max_length=50)


class ContactLinkIn(Schema):
    voter_meeting_id: int = Field(description="The meeting as petitions recorded it.")
    constituency: int | None = Field(default=None, ge=1, le=1000)
    delegate_ids: list[int] = Field(min_length=1, max_length=50)
    scheduled_id: int | None = Field(
        default=None, description="The meeting scheduled here that this record is of."
    )


class ContactDelegateOut(Out):
    user_id: int
    full_name: str


class RaisedOut(Out):
    code: str
    outcome: Literal["answered", "in_progress", "rejected", "merged"]
    title: str = Field(description="Once the answer is published; empty before.")
    source: str = Field(description="The published petition's public page, or empty.")


class ContactOut(Out):
    id: int
    council_code: str
    day: date
    time: str
    place: str
    constituency: int | None
    delegates: list[ContactDelegateOut]
    voter_meeting_id: int | None
    coming: bool
    petitions: int
    raised: list[RaisedOut] = Field(
        default_factory=list, description="The petitions raised there, with their outcome."
    )


class ContactList(Out):
    items: list[ContactOut]


class ActivityDayOut(Out):
    session_id: int
    session: str
    day: date
    state: Literal["present", "excused", "absent"]
    reason: str
    source: str


class ActivityVoteOut(Out):
    session_id: int
    poll_id: int
    title: str
    choice: str = Field(description="yes | no | abstain | not_voted, or the options chosen.")
    passed: bool | None
    source: str


class ActivitySpeechOut(Out):
    session_id: int
    session: str
    item: str
    source: str


class ActivityQuestionOut(Out):
    day: date = Field(description="The sitting's day.")
    addressee: str
    text: str
    outcome: Literal["answered_live", "answered_written", "awaiting"]
    answer: str = Field(description="The written answer, when there is one.")
    verdict: str = Field(description="satisfactory | unsatisfactory | empty: the delegate's view.")
    source: str


class ActivityOut(Out):
    user_id: int
    full_name: str
    council_code: str
    term: str | None
    constituency: int | None
    since: date | None
    until: date | None
    present: int
    excused: int
    absent: int
    days: list[ActivityDayOut]
    votes: list[ActivityVoteOut]
    speeches: list[ActivitySpeechOut]
    questions: list[ActivityQuestionOut]
    contact_meetings: list[ContactOut]


class OpenConstituencyOut(Out):
    council_code: str
    election_id: str
    number: int
    area: str
    division_codes: list[str]
    seats: int
    registered: int
    in_office: int
    vacant: int


class OpenConstituencies(Out):
    council_code: str
    term: str | None
    items: list[OpenConstituencyOut]


class OpenDelegateOut(Out):
    user_id: int
    full_name: str
    council_code: str
    constituency: int | None
    since: date
    until: date | None
    end_reason: str | None
    activity: str = Field(description="The delegate's public activity record.")
    birth_date: date | None = None
    gender: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    hometown: str | None = None
    education: str | None = None
    political_theory: str | None = None
    occupation: str | None = None
    workplace: str | None = None
    party_joined: date | None = None
    nominated_by: str | None = None


class OpenDelegates(Out):
    council_code: str
    term: str | None
    items: list[OpenDelegateOut]


class SeatsReadingIn(Schema):
    reading: Literal["in_office", "legal"] = Field(
        description="in_office: the delegates in office after vacancies (default); legal: the "
        "term's legal seats."
    )


class SeatsReadingOut(Out):
    council_code: str
    reading: str
    legal_seats: int
    in_office: int
    total: int = Field(description='"Tổng số đại biểu" as the council reads it.')
    more_than_half: int
    two_thirds: int
    applied_by_meetings: bool = Field(
        description="Sittings' quorum and poll thresholds use it (from each sitting's start)."
    )


class PhotoOut(Out):
    user_id: int
    url: str = Field(description="The photo's public address (WebP, at most 240×320).")
    width: int
    height: int
    size: int


class PersonLinkIn(Schema):
    user_ids: list[int] = Field(min_length=2, max_length=10)


class PersonSeatOut(Out):
    user_id: int
    council_code: str
    council_name: str
    activity: str = Field(description="The activity record of this council's account.")


class PersonOut(Out):
    id: int
    full_name: str
    seats: list[PersonSeatOut]


class PhotoRemovedOut(Out):
    user_id: int
    removed: bool


class VacancyIn(Schema):
    day: date
    reason: Literal["death", "dismissal", "resignation", "other"]
    note: NFCStr = Field(default="", max_length=300)


class SeatOut(Out):
    id: int
    user_id: int
    full_name: str
    since: date
    until: date | None
    end_reason: str | None
