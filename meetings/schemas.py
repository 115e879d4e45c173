"""Request bodies (pydantic, unknown fields refused) and response models of the meetings API.

The response models document what the routes send (``/api/v1/openapi.json``); the handlers return
the services' dicts as they are. A field made with :func:`council.validation.absent` is left out
of the answer, never ``null``, when it does not apply. A poll and its result:
:mod:`meetings.schemas_polls`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from council.validation import NFCStr, Out, Schema, absent
from meetings.schemas_polls import PollOut

ItemKind = Literal[
    "opening",
    "report",
    "proposal",
    "draft_resolution",
    "verification_report",
    "questioning",
    "petitions_report",
    "closing",
    "other",
]
SpeakingSeconds = Annotated[int, Field(ge=10, le=7200)]


class SessionIn(Schema):
    council_code: str = Field(min_length=1, max_length=32)
    title: NFCStr = Field(min_length=1, max_length=300)
    starts_at: datetime
    location: NFCStr = Field(default="", max_length=200)


class ItemIn(Schema):
    title: NFCStr = Field(min_length=1, max_length=300)
    kind: ItemKind | None = None
    description: NFCStr = Field(default="", max_length=20_000)
    speaking_seconds: SpeakingSeconds | None = Field(
        default=None, description="Time per speaker on this item; default: the session's."
    )


class ItemPatch(Schema):
    """Only the fields given change; ``speaking_seconds: null`` goes back to the session's."""

    title: NFCStr | None = Field(default=None, min_length=1, max_length=300)
    kind: ItemKind | None = None
    description: NFCStr | None = Field(default=None, max_length=20_000)
    speaking_seconds: SpeakingSeconds | None = None


class SessionPatch(Schema):
    title: NFCStr | None = Field(default=None, min_length=1, max_length=300)
    starts_at: datetime | None = None
    location: NFCStr | None = Field(default=None, max_length=200)
    speaking_seconds: SpeakingSeconds | None = None


class SessionCopyIn(Schema):
    title: NFCStr = Field(min_length=1, max_length=300)
    starts_at: datetime
    location: NFCStr | None = Field(default=None, max_length=200)


class AbsenceIn(Schema):
    reason: NFCStr = Field(min_length=1, max_length=300)


class RevoteIn(Schema):
    reason: NFCStr = Field(min_length=1, max_length=1000)


class HandVoteIn(Schema):
    user_id: int
    choice: Any = None


class DisplayIn(Schema):
    label: NFCStr = Field(min_length=1, max_length=100)


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
    countdown_seconds: int | None = Field(
        default=None,
        ge=10,
        le=3600,
        description="A countdown shown on tablets and the hall screen while the poll is open; "
        "at zero they say the time is up, but ballots count until the close.",
    )


class BallotIn(Schema):
    choice: Any = None


class NoteIn(Schema):
    text: str = Field(default="", max_length=10_000)


class DocumentPatch(Schema):
    title: NFCStr | None = Field(default=None, min_length=1, max_length=300)
    confidentiality: Literal["public", "internal", "confidential"] | None = None
    item_id: int | None = Field(
        default=None, description="Move it to another item; null: the whole session."
    )


# --- responses --------------------------------------------------------------------------------

SessionStatus = Literal["draft", "published", "in_progress", "closed"]
Confidentiality = Literal["public", "internal", "confidential"]


class AgendaItemOut(Out):
    id: int
    session_id: int
    position: int = Field(description="Place on the agenda, from 1.")
    title: str
    kind: ItemKind
    kind_label: str = Field(description="The kind in the caller's language.")
    description: str
    speaking_seconds: int | None = Field(description="Its own time per speaker, if any.")


class AgendaOut(Out):
    items: list[AgendaItemOut] = Field(description="The whole agenda, in order.")


class CurrentItemOut(Out):
    """As the ``agenda:current`` event carries it."""

    session_id: int
    item: AgendaItemOut


class SessionBriefOut(Out):
    id: int
    council_id: int
    title: str
    location: str
    starts_at: datetime
    status: SessionStatus
    current_item_id: int | None
    current_item_at: datetime | None = Field(description="When the sitting moved to it.")
    speaking_seconds: int = Field(description="Time given to each speaker.")
    started_at: datetime | None
    closed_at: datetime | None
    check_in_opened_at: datetime | None = Field(
        description="When the secretariat opened check-in before the sitting's day."
    )
    copied_from_id: int | None = Field(description="The session whose agenda it copied.")
    closed_sitting: bool = Field(
        description="A closed sitting (họp kín): its signed minutes stay off the public portal."
    )


class SessionOut(SessionBriefOut):
    council_code: str
    council_name: str


class SessionListOut(Out):
    items: list[SessionBriefOut]


class DocumentOut(Out):
    id: int
    session_id: int
    item_id: int | None
    title: str
    confidentiality: Confidentiality
    version: int = Field(description="Number of the current version, from 1.")
    pages: int = Field(description="Page count of the current version.")
    mime: str
    size: int = Field(description="Bytes of the current version's file.")
    sha256: str = Field(description="SHA-256 (hex) of the current version's file.")


class DocumentListOut(Out):
    items: list[DocumentOut]


class DocumentVersionOut(Out):
    number: int
    sha256: str
    pages: int
    size: int
    created_at: datetime


class PageTextOut(Out):
    number: int
    text: str


class DocumentReadOut(Out):
    """A document with the text of each page of its current version."""

    id: int
    title: str
    session_id: int
    council_id: int
    item_id: int | None
    confidentiality: Confidentiality
    content_hash: str = Field(description="SHA-256 (hex) of the current version's file.")
    version: int
    mime: str
    versions: list[DocumentVersionOut] = Field(description="Every version, newest first.")
    pages: list[PageTextOut]


class NoteOut(Out):
    page: int
    text: str = Field(description="Empty when the note was deleted.")


class NoteListOut(Out):
    notes: list[NoteOut] = Field(description="The caller's own notes, by page.")


class AttendanceOut(Out):
    """As the ``attendance:update`` event carries it."""

    session_id: int
    present: int
    seats: int
    quorum: int = Field(description="Delegates needed for quorum.")
    quorum_met: bool


class AttendanceStateOut(AttendanceOut):
    check_in_open: bool = Field(description="Whether delegates may check in now.")
    checked_in: bool = absent("Whether the caller is checked in (when signed in).")


class DelegatePresenceOut(Out):
    user_id: int
    name: str
    present: bool
    checked_in_at: datetime | None
    absence_reason: str | None = Field(description="Absent with this reason (today).")


class AttendanceListOut(AttendanceOut):
    delegates: list[DelegatePresenceOut] = Field(description="Every seat-holder of the council.")


class SpeakerOut(Out):
    id: int = Field(description="The request to speak.")
    user_id: int
    name: str
    status: Literal["waiting", "speaking"]
    item_id: int | None
    requested_at: datetime
    started_at: datetime | None
    limit_seconds: int = Field(description="Time given: the item's, else the session's.")


class SpeakerQueueOut(Out):
    queue: list[SpeakerOut] = Field(description="Who has the floor, then who waits, in order.")


class SpeakerRequestOut(SpeakerQueueOut):
    request_id: int


class SessionStateOut(Out):
    """A session's full live state, as the ``session:join`` ack carries it."""

    session: SessionOut
    items: list[AgendaItemOut]
    current_item: AgendaItemOut | None
    attendance: AttendanceStateOut
    poll: PollOut | None = Field(description="The open poll, if any.")
    last_result: PollOut | None = Field(description="The poll closed last, if any.")
    speakers: list[SpeakerOut]
    server_now: datetime = Field(
        description="The server's clock: timers and countdowns count on it."
    )


class PublicDocumentOut(Out):
    id: int
    title: str
    item_id: int | None


class PublicMinutesOut(Out):
    version: int
    published_at: datetime | None
    url: str = Field(description="The signed PDF.")


class PublicSessionOut(Out):
    session: SessionOut
    items: list[AgendaItemOut]
    documents: list[PublicDocumentOut] = Field(description="Public documents only.")
    polls: list[PollOut] = Field(description="Open and closed polls; no secret choice.")
    minutes: PublicMinutesOut | None = Field(
        description="The published signed minutes; null for a closed sitting (họp kín)."
    )


class SessionChangeOut(Out):
    id: int
    session_id: int
    operation: str = Field(description="item.create, document.replace, …")
    details: dict[str, Any]
    created_at: datetime
    text: dict[str, str] = Field(description="The change in words, per language (vi, en).")


class SessionHistoryOut(Out):
    items: list[SessionChangeOut] = Field(description="Changes since publishing, newest first.")


class NoticeOut(Out):
    id: int
    session_id: int
    kind: Literal[
        "published", "changes", "minutes.review", "minutes.approve", "minutes.sign",
        "minutes.publish", "minutes.out",
    ]  # fmt: skip
    changes: int = Field(description="Changes counted in this notice.")
    text: str
    url: str = Field(description="The page the notice leads to.")
    created_at: datetime
    updated_at: datetime
    read: bool
    email: Literal["recorded", "sent", "failed"] | None = Field(
        description="The e-mail's state, when one was due."
    )


class NoticeListOut(Out):
    items: list[NoticeOut]


class AbsenceOut(Out):
    session_id: int
    user_id: int
    day: str = Field(description="The sitting's day (YYYY-MM-DD, Vietnam).")
    reason: str


class HandVoteOut(Out):
    id: int
    poll_id: int
    user_id: int
    name: str
    choice: Any
    status: Literal["pending", "confirmed", "rejected"]
    entered_by: int
    entered_by_name: str
    decided_by: int | None
    entered_at: datetime
    decided_at: datetime | None


class HandVoteListOut(Out):
    items: list[HandVoteOut]


class DisplayOut(Out):
    id: int
    council_id: int
    label: str
    username: str = Field(description="The display account.")
    created_at: datetime
    revoked_at: datetime | None
    last_opened_at: datetime | None


class DisplayCreatedOut(DisplayOut):
    url: str = Field(description="The kiosk link; shown once, keep it like a password.")


class DisplayListOut(Out):
    items: list[DisplayOut]


class DeletedOut(Out):
    deleted: Literal[True]


class NoticesReadOut(Out):
    read: int = Field(description="Notices marked read.")


class MinutesNumberIn(Schema):
    number: int | None = Field(
        ge=1, le=99_999, description="The minutes' number; null clears it (dots are printed)."
    )


class MinutesNumberOut(Out):
    session_id: int
    number: int | None
    text: str = Field(description='As printed in the header, e.g. "Số: 07/BB-HĐND".')


class PageImageOut(Out):
    number: int
    width: int = Field(description="Pixels, as drawn.")
    height: int = Field(description="Pixels, as drawn.")
    url: str = Field(description="The page's image, for this version (kept by browsers).")


class DocumentPagesOut(Out):
    document_id: int
    version: int
    dpi: int = Field(description="Resolution the pages are drawn at.")
    media_type: str
    pages: list[PageImageOut]
