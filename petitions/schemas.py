"""Request and response schemas (pydantic v2): text is NFC, trimmed, free of control codes."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from council.validation import Out, Schema
from petitions.categories import CODES
from petitions.workflow import Channel, DiversionKind

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_EMAIL = re.compile(
    r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
_PHONE = re.compile(r"^\+?[0-9 .()-]{8,20}$")

MAX_TITLE = 200
MAX_BODY = 5000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"}
)


def clean_text(value: str) -> str:
    """NFC, no control or bidi-override characters, unified newlines, trimmed."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def clean_line(value: str) -> str:
    """``clean_text`` on one line: inner whitespace runs collapse to one space."""
    return re.sub(r"\s+", " ", clean_text(value))


Line = Annotated[str, AfterValidator(clean_line)]
Text = Annotated[str, AfterValidator(clean_text)]


def _optional(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class PetitionIn(Schema):
    """What a citizen (or staff on their behalf) files."""

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_BODY * 2)

    council_code: Line = Field(min_length=1, max_length=32)
    category: Line = Field(min_length=1, max_length=32)
    title: Line = Field(min_length=5, max_length=MAX_TITLE)
    body: Text = Field(min_length=10, max_length=MAX_BODY)
    name: Line | None = Field(default=None, max_length=120)
    phone: Line | None = Field(default=None, max_length=20)
    email: Line | None = Field(default=None, max_length=254)
    address: Line | None = Field(default=None, max_length=300)
    channel: Channel = Channel.ONLINE
    website: str | None = Field(default=None, description="Honeypot: must stay empty.")
    support_of: str | None = Field(default=None, max_length=32)

    @field_validator("name", "phone", "email", "address", "support_of", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _optional(value)

    @field_validator("title", "body")
    @classmethod
    def _min_after_cleaning(cls, value: str) -> str:
        if len(value) < 5:
            raise ValueError("too short")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CODES:
            raise ValueError(f"unknown category; one of {sorted(CODES)}")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value.lower() if value else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _PHONE.match(value) or not 8 <= sum(ch.isdigit() for ch in value) <= 15:
            raise ValueError("not a phone number")
        return value


class PetitionCreated(Out):
    code: str
    token: str
    status: str
    due_at: datetime | None


class ActionIn(Schema):
    """``POST /api/v1/petitions/{code}/actions``: one action and its arguments."""

    action: Literal[
        "accept",
        "escalate",
        "assign",
        "answer",
        "publish",
        "reopen",
        "reject",
        "merge",
        "close",
        "divert",
        "resolution",
        "return",
    ]
    to_council_code: Line | None = Field(default=None, max_length=32)
    central_body: Line | None = Field(default=None, max_length=200)
    agency_code: Line | None = Field(default=None, max_length=32)
    text: Text | None = Field(default=None, max_length=20000)
    reason: Text | None = Field(default=None, max_length=2000)
    into_code: Line | None = Field(default=None, max_length=32)
    category: Line | None = Field(default=None, max_length=32)
    diversion: DiversionKind | None = None
    resolution: Literal["resolved", "roadmap", "not_resolved"] | None = None
    roadmap_date: date | None = None
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator(
        "to_council_code",
        "central_body",
        "agency_code",
        "text",
        "reason",
        "into_code",
        "category",
        "note",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _optional(value)


class FeedbackIn(Schema):
    """The petitioner's verdict on a published answer."""

    token: str = Field(min_length=1, max_length=64)
    satisfied: bool
    comment: Text | None = Field(default=None, max_length=2000)


class SupportIn(Schema):
    """A citizen adds their support to an existing petition instead of filing a duplicate."""

    name: Line | None = Field(default=None, max_length=120)
    email: Line | None = Field(default=None, max_length=254)
    website: str | None = None

    @field_validator("name", "email", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _optional(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value.lower() if value else value


class MeetingIn(Schema):
    """A voter-contact meeting (tiếp xúc cử tri) recorded by a delegate."""

    council_code: Line = Field(min_length=1, max_length=32)
    held_on: date
    place: Line = Field(min_length=2, max_length=300)
    delegates: Line = Field(min_length=2, max_length=1000)
    attendees: int = Field(ge=0, le=100000)
    cycle_id: int | None = None
    note: Text | None = Field(default=None, max_length=5000)


class BatchPetitionIn(Schema):
    """One petition raised at a voter-contact meeting."""

    category: Line = Field(min_length=1, max_length=32)
    title: Line = Field(min_length=5, max_length=MAX_TITLE)
    body: Text = Field(min_length=10, max_length=MAX_BODY)
    name: Line | None = Field(default=None, max_length=120)
    phone: Line | None = Field(default=None, max_length=20)
    address: Line | None = Field(default=None, max_length=300)

    @field_validator("name", "phone", "address", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _optional(value)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CODES:
            raise ValueError("unknown category")
        return value


class BatchIn(Schema):
    petitions: list[BatchPetitionIn] = Field(min_length=1, max_length=200)


class PetitionListItemOut(Out):
    code: str
    title: str
    status: str
    council_code: str
    due_at: datetime | None
    highlight: str | None = None
    category: str
    channel: str
    handler_code: str
    agency_code: str | None
    overdue: bool
    weight: int
    created_at: datetime


class PetitionListOut(Out):
    items: list[PetitionListItemOut]
    total: int
    total_exact: bool = Field(
        default=True,
        description="False when a search matched more than `total` (it counts up to 10,000).",
    )


class HistoryOut(Out):
    at: datetime
    action: str
    label: str
    status: str
    note: str = ""


class SurvivorOut(Out):
    """The petition another was merged into, as the public may see it: status, history without
    notes or verdicts, the text and answer once published; never its petitioner's data."""

    code: str
    title: str
    body: str | None
    category: str
    status: str
    status_label: str
    council: str
    handler: str
    agency: str | None
    central_body: str | None
    filed_at: datetime
    due_at: datetime | None
    overdue: bool
    weight: int
    history: list[HistoryOut]
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None
    resolution: str | None
    roadmap_date: date | None


class NoticeOut(Out):
    """A notification about the petition, as it really went: ``to`` is the masked address
    ("h***@example.vn", empty when none was given); ``state`` is ``sent``, ``failed`` or
    ``recorded`` (kept for the tracking page only: no e-mail given, or none set up); ``outcome``
    says it in words."""

    at: datetime
    subject: str
    to: str
    state: str
    outcome: str


class LetterOut(Out):
    id: int
    name: str
    size: int
    sha256: str
    published_at: datetime | None = Field(
        default=None,
        description="Staff views: when the secretariat published it with the answer (null: its "
        "petitioner does not get it yet)",
    )


class TrackOut(SurvivorOut):
    """The petitioner's view: status, history, published answer, the notifications about it. A
    merged petition's also holds the surviving one (``survivor``), whose published answer its
    petitioner rates."""

    body: str
    satisfied: bool | None
    merged_into: str | None = None
    survivor: SurvivorOut | None = None
    can_give_feedback: bool = False
    notifications: list[NoticeOut] = []
    letters: list[LetterOut] = Field(
        default=[],
        description="The reply letters of the published answer "
        "(GET /api/v1/petitions/{code}/letters/{id}, X-Tracking-Token header)",
    )


class HopOut(Out):
    stage: str
    owner: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None
    overdue: bool
    on_time: bool | None
    original_due_at: datetime | None = Field(
        default=None, description="The first due date, when an approved extension moved it."
    )


class ExtensionIn(Schema):
    """An agency asks, before the due date, to answer by ``until`` instead."""

    until: date
    reason: Text = Field(min_length=1, max_length=2000)


class LetterRemoveIn(Schema):
    """Why a reply letter is taken off the petition (kept in the staff history and the audit)."""

    reason: Text = Field(min_length=1, max_length=2000)


class ExtensionDecisionIn(Schema):
    """The handling council's secretariat approves or refuses (a refusal says why)."""

    approve: bool
    reason: Text | None = Field(default=None, max_length=2000)

    @field_validator("reason", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _optional(value)


class ExtensionOut(Out):
    id: int
    state: str = Field(description="pending | approved | refused | lapsed (the step ended first)")
    reason: str
    due_from: datetime
    due_to: datetime
    requested_by: str
    decided_by: str
    decision_note: str
    created_at: datetime
    decided_at: datetime | None


class MergeCandidateOut(Out):
    code: str
    title: str
    council_name: str
    status: str
    weight: int


class MergeCandidatesOut(Out):
    items: list[MergeCandidateOut]


class PersonalOut(Out):
    name: str | None
    phone: str | None
    email: str | None
    address: str | None


class PetitionStateOut(Out):
    """A petition as staff see it after an action (personal data only when allowed)."""

    code: str
    title: str
    body: str
    status: str
    level: str
    council_code: str
    handler_code: str
    agency_code: str | None
    central_body: str | None
    category: str
    channel: str
    due_at: datetime | None
    overdue: bool
    weight: int
    answer: str | None
    resolution: str | None
    roadmap_date: date | None
    satisfied: bool | None
    merged_into: str | None
    personal: PersonalOut | None
    hops: list[HopOut]
    extensions: list[ExtensionOut] = []
    letters: list[LetterOut] = []


class PublicPetitionOut(Out):
    code: str
    title: str
    body: str
    category: str
    council_code: str
    council_name: str
    agency: str | None
    status: str
    answer: str | None
    answered_by: str | None
    published_at: datetime | None
    resolution: str | None
    roadmap_date: date | None
    weight: int
    highlight: str | None = None


class PublicListOut(Out):
    items: list[PublicPetitionOut]
    total: int
    total_exact: bool = Field(
        default=True,
        description="False when a search matched more than `total` (it counts up to 10,000).",
    )


class FeedbackOut(Out):
    code: str
    satisfied: bool


class SupportOut(Out):
    code: str
    weight: int


class SimilarOut(Out):
    code: str
    title: str
    status: str
    council_code: str
    weight: int


class SimilarListOut(Out):
    """Petitions the secretariat has accepted, by title; ``pending``: how many more like it
    still await the secretariat (their titles are not shown until then)."""

    items: list[SimilarOut]
    pending: int = 0


class MeetingOut(Out):
    id: int
    council_code: str
    cycle_id: int
    held_on: date
    place: str
    delegates: str
    attendees: int


class BatchOut(Out):
    items: list[PetitionCreated]


class CycleOut(Out):
    id: int
    council_code: str
    session_number: int
    phase: str
    label: str
    open: bool
    petitions: int


class CycleListOut(Out):
    items: list[CycleOut]


class CycleIn(Schema):
    council_code: Line = Field(min_length=1, max_length=32)
    session_id: int | None = Field(default=None, ge=1, le=2**31 - 1)  # the council's own session


class SettingsIn(Schema):
    calendar: dict[str, Any] = Field(default_factory=dict)
    sla: dict[str, int] = Field(default_factory=dict)


class SettingsOut(Out):
    council_code: str
    calendar: dict[str, Any]
    sla: dict[str, int]
    holidays: list[tuple[date, str]]
