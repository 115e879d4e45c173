"""Tortoise models of the "meetings" app: sessions, agenda, documents, attendance, speakers, polls.

Secret ballots are never stored in the clear: each group commit of a secret poll stores its
choices sealed to the poll's public key (:class:`SealedBallots`, see ``meetings.voting.sealing``),
whose private key the database holds only sealed under a key derived from ``SECRET_KEY``.
:class:`BallotReceipt` records *who* voted, never what. :class:`Ballot` holds the choices of named
polls, which the minutes list anyway.
"""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model

from council import storage
from meetings.minutes_models import MinutesVersion  # the minutes' versions, in their own module

SESSION_STATES = ("draft", "published", "in_progress", "closed")
ITEM_KINDS = (
    "opening",
    "report",
    "proposal",
    "draft_resolution",
    "verification_report",
    "questioning",
    "petitions_report",
    "closing",
    "other",
)
CONFIDENTIALITY = ("public", "internal", "confidential")
POLL_STATES = ("draft", "open", "closed")
HAND_VOTE_STATES = ("pending", "confirmed", "rejected")
SPEAKER_STATES = ("waiting", "speaking", "done", "withdrawn")


class Session(Model):
    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.Council", related_name="meeting_sessions", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=300)
    location = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    status = fields.CharField(max_length=16, default="draft", db_index=True)
    current_item_id = fields.IntField(null=True)
    current_item_at = fields.DatetimeField(null=True)  # when the sitting moved to it
    speaking_seconds = fields.IntField(default=300)
    published_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The council's seats and quorum when the sitting started: the basis of its attendance and
    # votes, kept so that its minutes still say what held that day after the council changes.
    seats = fields.IntField(null=True)
    quorum_count = fields.IntField(null=True)
    # Check-in opens by itself on the sitting's first local day or once it starts; the
    # secretariat may open it earlier (when, and who: the audit log has it).
    check_in_opened_at = fields.DatetimeField(null=True)
    # The local day (Asia/Ho_Chi_Minh) the rows of ``Attendance`` belong to: a sitting of
    # several days takes attendance per day, earlier days are kept in ``AttendancePast``.
    attendance_day = fields.DateField(null=True)
    copied_from_id = fields.IntField(null=True)
    # The minutes' number, set by the secretariat: "Số: 07/BB-HĐND". Null prints dots.
    minutes_number = fields.IntField(null=True)
    # A closed sitting (họp kín): its signed minutes stay internal, never on the public portal.
    closed_sitting = fields.BooleanField(default=False, db_default=False)

    council_id: int

    class Meta:
        table = "meetings_session"
        ordering = ["-starts_at", "id"]


class AgendaItem(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="items", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    title = fields.CharField(max_length=300)
    kind = fields.CharField(max_length=32, default="other")
    description = fields.TextField(default="")
    # Time given to each speaker on this item; None: the session's ``speaking_seconds``.
    speaking_seconds = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    session_id: int

    class Meta:
        table = "meetings_agenda_item"
        ordering = ["position", "id"]


class Document(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="documents", on_delete=fields.CASCADE
    )
    item: fields.ForeignKeyNullableRelation[AgendaItem] = fields.ForeignKeyField(
        "meetings.AgendaItem", related_name="documents", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=300)
    confidentiality = fields.CharField(max_length=16, default="internal")
    current_version = fields.IntField(default=1)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    session_id: int
    item_id: int | None

    class Meta:
        table = "meetings_document"
        ordering = ["id"]


class DocumentVersion(Model):
    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "meetings.Document", related_name="versions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    path = fields.CharField(max_length=300)
    mime = fields.CharField(max_length=100)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    original_name = fields.CharField(max_length=200, default="")
    page_count = fields.IntField(default=0)
    uploaded_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    document_id: int

    class Meta:
        table = "meetings_document_version"
        unique_together = (("document", "number"),)
        ordering = ["number"]


class DocumentPage(Model):
    id = fields.IntField(primary_key=True)
    version: fields.ForeignKeyRelation[DocumentVersion] = fields.ForeignKeyField(
        "meetings.DocumentVersion", related_name="pages", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    text = fields.TextField(default="")

    version_id: int

    class Meta:
        table = "meetings_document_page"
        unique_together = (("version", "number"),)
        ordering = ["number"]


class Note(Model):
    """A delegate's private note on one page of a document, only its author ever reads it."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="meeting_notes", on_delete=fields.CASCADE
    )
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "meetings.Document", related_name="notes", on_delete=fields.CASCADE
    )
    page = fields.IntField()
    text = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    user_id: int
    document_id: int

    class Meta:
        table = "meetings_note"
        unique_together = (("user", "document", "page"),)


class Attendance(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="attendance", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="meeting_attendance", on_delete=fields.CASCADE
    )
    checked_in_at = fields.DatetimeField()
    marked_by_id = fields.IntField(null=True)

    session_id: int
    user_id: int

    class Meta:
        table = "meetings_attendance"
        unique_together = (("session", "user"),)


class SpeakerRequest(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="speaker_requests", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="speaker_requests", on_delete=fields.CASCADE
    )
    item_id = fields.IntField(null=True)
    status = fields.CharField(max_length=16, default="waiting", db_index=True)
    requested_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)

    session_id: int
    user_id: int

    class Meta:
        table = "meetings_speaker_request"
        ordering = ["requested_at", "id"]


class Poll(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="polls", on_delete=fields.CASCADE
    )
    item_id = fields.IntField(null=True)
    title = fields.CharField(max_length=300)
    kind = fields.CharField(max_length=16, default="motion")
    secret = fields.BooleanField(default=False)
    rule = fields.CharField(max_length=32, default="majority_of_seats")
    max_choices = fields.IntField(default=1)
    status = fields.CharField(max_length=16, default="draft", db_index=True)
    seats = fields.IntField()
    # Count of ballots, bumped by the same conditional UPDATE that checks the poll is open.
    voted = fields.IntField(default=0)
    result: Any = fields.JSONField(null=True)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # A secret poll's X25519 public key, set as it opens (ballots are sealed to it), and its
    # private key sealed under a key derived from SECRET_KEY (opened only to tally).
    ballot_key = fields.BinaryField(null=True)
    sealed_key = fields.BinaryField(null=True)
    # Shown as a countdown on tablets and the hall screen; only the chair's close ends the vote.
    countdown_seconds = fields.IntField(null=True)
    # A re-vote (biểu quyết lại) names the poll it repeats and says why.
    revote_of_id = fields.IntField(null=True)
    revote_reason = fields.TextField(default="", db_default="")

    session_id: int

    class Meta:
        table = "meetings_poll"
        ordering = ["id"]


class PollOption(Model):
    id = fields.IntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "meetings.Poll", related_name="options", on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=200)
    position = fields.IntField(default=0)

    poll_id: int

    class Meta:
        table = "meetings_poll_option"
        ordering = ["position", "id"]


class Ballot(Model):
    """One cast ballot's content. Deliberately without user, time or sequence (see module doc)."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "meetings.Poll", related_name="ballots", on_delete=fields.CASCADE
    )
    choice: Any = fields.JSONField()

    poll_id: int

    class Meta:
        table = "meetings_ballot"


class SealedBallots(Model):
    """Choices of a secret poll sealed to its key: one group commit's, or after the close all of them.

    No user, no time, no sequence: a random key, the poll and the sealed box (meetings.voting.sealing).
    """

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "meetings.Poll", related_name="sealed_ballots", on_delete=fields.CASCADE
    )
    sealed = fields.BinaryField()

    poll_id: int

    class Meta:
        table = "meetings_sealed_ballots"


class BallotReceipt(Model):
    """That a delegate voted on a poll. The unique constraint is the one-ballot-per-delegate rule.

    ``choice`` is kept only for named (open) polls, where the minutes list who voted what.
    """

    id = fields.IntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "meetings.Poll", related_name="receipts", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="ballot_receipts", on_delete=fields.RESTRICT
    )
    choice: Any = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    poll_id: int
    user_id: int

    class Meta:
        table = "meetings_ballot_receipt"
        unique_together = (("poll", "user"),)


class AttendancePast(Model):
    """Who was present on an earlier day of a sitting of several days."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="attendance_past", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="meeting_attendance_past", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    checked_in_at = fields.DatetimeField()
    marked_by_id = fields.IntField(null=True)

    session_id: int
    user_id: int

    class Meta:
        table = "meetings_attendance_past"
        unique_together = (("session", "user", "day"),)


class Absence(Model):
    """A delegate absent with a reason (vắng mặt có lý do) on one day of a sitting."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="absences", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="meeting_absences", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    reason = fields.CharField(max_length=300)
    recorded_by_id = fields.IntField(null=True)
    recorded_at = fields.DatetimeField()

    session_id: int
    user_id: int

    class Meta:
        table = "meetings_absence"
        unique_together = (("session", "user", "day"),)


class HandVote(Model):
    """A vote by show of hands for a delegate whose device failed, entered by the secretariat
    and cast (through ``ballot.cast``) once the chair confirms it. Named polls only."""

    id = fields.IntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "meetings.Poll", related_name="hand_votes", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="hand_votes", on_delete=fields.RESTRICT
    )
    choice: Any = fields.JSONField()
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    entered_by_id = fields.IntField()
    entered_at = fields.DatetimeField()
    decided_by_id = fields.IntField(null=True)
    decided_at = fields.DatetimeField(null=True)

    poll_id: int
    user_id: int

    class Meta:
        table = "meetings_hand_vote"
        ordering = ["id"]


class SessionChange(Model):
    """A change to a published session's agenda or documents, as delegates are told of it."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="changes", on_delete=fields.CASCADE
    )
    operation = fields.CharField(max_length=32)
    details: Any = fields.JSONField(default=dict)
    actor_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    session_id: int

    class Meta:
        table = "meetings_session_change"
        ordering = ["-id"]


class Notice(Model):
    """What a delegate is told in the app (and by e-mail where it applies) about a session:
    that it was published, or that its published agenda or documents changed."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="meeting_notices", on_delete=fields.CASCADE
    )
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "meetings.Session", related_name="notices", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)
    changes = fields.IntField(default=0)
    email = fields.CharField(max_length=254, null=True)
    state = fields.CharField(max_length=16, default="recorded")
    error = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)

    user_id: int
    session_id: int

    class Meta:
        table = "meetings_notice"
        ordering = ["-updated_at", "-id"]


class HallDisplay(Model):
    """A hall screen's kiosk link: a display account of the council, opened without a delegate's
    login by a secret link (only its hash is kept). Revoking it deactivates the account."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.Council", related_name="hall_displays", on_delete=fields.RESTRICT
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="hall_display", on_delete=fields.RESTRICT
    )
    label = fields.CharField(max_length=100)
    key_hash = fields.CharField(max_length=64, unique=True)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_by_id = fields.IntField(null=True)
    last_opened_at = fields.DatetimeField(null=True)

    council_id: int
    user_id: int

    class Meta:
        table = "meetings_hall_display"
        ordering = ["id"]


# Rows that name stored files: a shared blob stays while any of them names it.
storage.register_reference(DocumentVersion, "path")
storage.register_reference(MinutesVersion, "path")
