"""Request and response bodies of the assistant's JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from council.validation import NFCStr, Out, Schema

QUESTION_MAX = 1000


class SummaryIn(Schema):
    document_id: int = Field(ge=1, le=2**31 - 1)


class QuestionIn(Schema):
    session_id: int = Field(ge=1, le=2**31 - 1)
    question: NFCStr = Field(min_length=3, max_length=QUESTION_MAX)


class GroupIn(Schema):
    cycle_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    council_code: NFCStr | None = Field(default=None, max_length=32)


class CitationOut(Out):
    document_id: int
    page: int
    excerpt: str
    title: str
    reference: str  # "Tờ trình dự toán ngân sách 2027, tr. 3": what a reader is shown
    url: str  # the document viewer at the page


class PointCitationOut(Out):
    document_id: int
    page: int
    title: str
    reference: str
    url: str


class PointOut(Out):
    kind: Literal["heading", "item", "paragraph"]
    text: str  # plain text, the model's page tags taken out
    citations: list[PointCitationOut]


class SummaryOut(Out):
    document_id: int
    title: str
    summary: str
    points: list[PointOut]
    provider: str
    model: str
    cached: bool
    citations: list[CitationOut]
    machine_written: bool
    label: str
    notice: str | None
    unverified_citations: int
    prompt_version: str


class AnswerOut(Out):
    answer: str
    points: list[PointOut]
    citations: list[CitationOut]
    found: bool
    provider: str
    model: str
    model_called: bool
    machine_written: bool
    label: str
    notice: str | None
    unverified_citations: int


class GroupOut(Out):
    category: str
    category_label: str
    topic: str
    count: int
    communes: list[str]
    codes: list[str]
    summary: str


class GroupsOut(Out):
    petitions: int
    groups: list[GroupOut]
    others: list[GroupOut]
    report: str
    provider: str
    model: str
    machine_written: bool
    label: str


class UsageEntryOut(Out):
    id: int
    created_at: str
    user_id: int | None
    username: str | None
    action: str
    documents: list[int]
    pages_sent: list[list[int]]
    detail: dict[str, object]
    provider: str
    model: str
    downgraded: bool
    cached: bool
    calls: int
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    outcome: str


class UsageOut(Out):
    items: list[UsageEntryOut]
    total: int
    page: int
    pages: int
