"""Request bodies of the meetings API (pydantic, unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from council.validation import NFCStr, Schema

ItemKind = Literal[
    "report",
    "proposal",
    "draft_resolution",
    "verification_report",
    "questioning",
    "petitions_report",
    "other",
]


class SessionIn(Schema):
    council_code: str = Field(min_length=1, max_length=32)
    title: NFCStr = Field(min_length=1, max_length=300)
    starts_at: datetime
    location: NFCStr = Field(default="", max_length=200)


class ItemIn(Schema):
    title: NFCStr = Field(min_length=1, max_length=300)
    kind: ItemKind | None = None
    description: NFCStr = Field(default="", max_length=20_000)


class MoveIn(Schema):
    position: int = Field(ge=1, le=10_000)


class OrderIn(Schema):
    order: list[int] = Field(max_length=1000)


class CurrentIn(Schema):
    item_id: int


class AttendanceIn(Schema):
    user_id: int | None = None


class OptionIn(Schema):
    label: NFCStr = Field(min_length=1, max_length=200)


class PollIn(Schema):
    title: NFCStr = Field(min_length=1, max_length=300)
    item_id: int | None = None
    kind: Literal["motion", "election", "confidence"] = "motion"
    secret: bool = False
    rule: Literal["majority_of_seats", "two_thirds_of_seats"] = "majority_of_seats"
    options: list[OptionIn] | None = Field(default=None, max_length=100)
    max_choices: int | None = Field(default=None, ge=1, le=100)


class BallotIn(Schema):
    choice: Any = None


class NoteIn(Schema):
    text: str = Field(default="", max_length=10_000)


class DocumentPatch(Schema):
    title: NFCStr | None = Field(default=None, min_length=1, max_length=300)
    confidentiality: Literal["public", "internal", "confidential"] | None = None
