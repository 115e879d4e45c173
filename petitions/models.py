"""Petitions' tables. Personal data lives only in ``Petition`` (name, phone, email, address),
``Supporter`` and ``Notification.email``; nothing public reads those columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from council import storage

if TYPE_CHECKING:
    from council.models import Agency, Council, User


class PetitionSettings(Model):
    """A council's working-day calendar and per-stage deadlines (working days)."""

    id = fields.IntField(primary_key=True)
    council: fields.OneToOneRelation[Council] = fields.OneToOneField(
        "council.Council", related_name="petition_settings", on_delete=fields.CASCADE
    )
    calendar: dict = fields.JSONField(default=dict)
    sla: dict = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    council_id: int

    class Meta:
        table = "petition_settings"


class Cycle(Model):
    """A session cycle: petitions gathered before (or after) session N of a council."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="petition_cycles", on_delete=fields.RESTRICT
    )
    session_number = fields.IntField()
    phase = fields.CharField(max_length=8)  # before | after
    session_id = fields.IntField(null=True)  # the meetings domain's session, when known
    opened_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)

    council_id: int

    class Meta:
        table = "petition_cycle"
        unique_together = (("council", "session_number", "phase"),)
        ordering = ["council_id", "session_number", "phase"]


class VoterMeeting(Model):
    """A voter-contact meeting (tiếp xúc cử tri) held by delegates."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="voter_meetings", on_delete=fields.RESTRICT
    )
    cycle: fields.ForeignKeyRelation[Cycle] = fields.ForeignKeyField(
        "petitions.Cycle", related_name="meetings", on_delete=fields.RESTRICT
    )
    held_on = fields.DateField()
    place = fields.CharField(max_length=300)
    delegates = fields.TextField()
    attendees = fields.IntField()
    note = fields.TextField(default="")
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="voter_meetings", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    council_id: int
    cycle_id: int

    class Meta:
        table = "petition_voter_meeting"
        ordering = ["-held_on", "-id"]


class Petition(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=24, unique=True)
    token_hash = fields.CharField(max_length=64)
    # The commune (or city) where it was received, and the council handling it now.
    council: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="petitions_received", on_delete=fields.RESTRICT
    )
    handler: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="petitions_handled", on_delete=fields.RESTRICT
    )
    level = fields.CharField(max_length=8, default="commune")  # commune | city | central
    central_body = fields.CharField(max_length=200, null=True)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "council.Agency", related_name="petitions", null=True, on_delete=fields.RESTRICT
    )
    cycle: fields.ForeignKeyRelation[Cycle] = fields.ForeignKeyField(
        "petitions.Cycle", related_name="petitions", on_delete=fields.RESTRICT
    )
    meeting: fields.ForeignKeyNullableRelation[VoterMeeting] = fields.ForeignKeyField(
        "petitions.VoterMeeting", related_name="petitions", null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharField(max_length=12, default="received", db_index=True)
    category = fields.CharField(max_length=32, db_index=True)
    channel = fields.CharField(max_length=16, default="online")
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    # Personal data: shown only to staff of the handling council or agency.
    name = fields.CharField(max_length=120, null=True)
    phone = fields.CharField(max_length=20, null=True)
    email = fields.CharField(max_length=254, null=True)
    address = fields.CharField(max_length=300, null=True)
    lang = fields.CharField(max_length=2, default="vi")  # the filer's language, for notifications
    filed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="petitions_filed", null=True, on_delete=fields.SET_NULL
    )
    # Merging: the surviving petition's weight counts every merged petition and supporter.
    merged_into: fields.ForeignKeyNullableRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="merged", null=True, on_delete=fields.SET_NULL
    )
    weight = fields.IntField(default=1)
    # The open hop's deadline, mirrored from ``Hop`` so lists can sort and filter on it.
    due_at = fields.DatetimeField(null=True, db_index=True)
    answer = fields.TextField(null=True)
    answered_at = fields.DatetimeField(null=True)
    answered_by = fields.CharField(max_length=200, null=True)
    published_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    resolution = fields.CharField(max_length=16, null=True)
    roadmap_date = fields.DateField(null=True)
    diversion = fields.CharField(max_length=16, null=True)
    reason = fields.TextField(null=True)
    satisfied = fields.BooleanField(null=True)
    feedback = fields.TextField(null=True)
    feedback_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    council_id: int
    handler_id: int
    agency_id: int | None
    cycle_id: int
    meeting_id: int | None
    merged_into_id: int | None
    filed_by_id: int | None

    class Meta:
        table = "petition"
        ordering = ["-created_at", "-id"]


class CycleEntry(Model):
    """Membership of a petition in a cycle's reports (``carried_over`` marks one brought forward)."""

    id = fields.IntField(primary_key=True)
    cycle: fields.ForeignKeyRelation[Cycle] = fields.ForeignKeyField(
        "petitions.Cycle", related_name="entries", on_delete=fields.CASCADE
    )
    petition: fields.ForeignKeyRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="cycle_entries", on_delete=fields.CASCADE
    )
    carried_over = fields.BooleanField(default=False)

    cycle_id: int
    petition_id: int

    class Meta:
        table = "petition_cycle_entry"
        unique_together = (("cycle", "petition"),)


class Hop(Model):
    """One step a petition waits on: an owner (council, agency or central body) and a due date."""

    id = fields.IntField(primary_key=True)
    petition: fields.ForeignKeyRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="hops", on_delete=fields.CASCADE
    )
    stage = fields.CharField(max_length=10)
    owner_council: fields.ForeignKeyNullableRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="petition_hops", null=True, on_delete=fields.RESTRICT
    )
    owner_agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "council.Agency", related_name="petition_hops", null=True, on_delete=fields.RESTRICT
    )
    owner_label = fields.CharField(max_length=200, default="")
    started_at = fields.DatetimeField()
    due_at = fields.DatetimeField(db_index=True)
    ended_at = fields.DatetimeField(null=True, db_index=True)
    ended_by = fields.CharField(max_length=16, null=True)
    # The due date first set, kept when an approved extension moved ``due_at`` (None: never moved).
    original_due_at = fields.DatetimeField(null=True)

    petition_id: int
    owner_council_id: int | None
    owner_agency_id: int | None

    class Meta:
        table = "petition_hop"
        ordering = ["started_at", "id"]


class Extension(Model):
    """A hop owner's request to move its due date, and the secretariat's decision on it."""

    id = fields.IntField(primary_key=True)
    petition: fields.ForeignKeyRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="extensions", on_delete=fields.CASCADE
    )
    hop: fields.ForeignKeyRelation[Hop] = fields.ForeignKeyField(
        "petitions.Hop", related_name="extensions", on_delete=fields.CASCADE
    )
    reason = fields.TextField()
    due_from = fields.DatetimeField()  # the due date in force when it was asked
    due_to = fields.DatetimeField()  # the due date asked for
    state = fields.CharField(max_length=10, default="pending")  # pending | approved | refused
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="petition_extensions", null=True, on_delete=fields.SET_NULL
    )
    requested_by_label = fields.CharField(max_length=200, default="")
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "council.User",
        related_name="petition_extension_decisions",
        null=True,
        on_delete=fields.SET_NULL,
    )
    decided_by_label = fields.CharField(max_length=200, default="")
    decision_note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    petition_id: int
    hop_id: int
    requested_by_id: int | None
    decided_by_id: int | None

    class Meta:
        table = "petition_extension"
        ordering = ["created_at", "id"]


class PetitionEvent(Model):
    """The history: every change, who made it, and whether the petitioner sees it."""

    id = fields.IntField(primary_key=True)
    petition: fields.ForeignKeyRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="events", on_delete=fields.CASCADE
    )
    action = fields.CharField(max_length=16)
    from_status = fields.CharField(max_length=12, null=True)
    to_status = fields.CharField(max_length=12)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="petition_events", null=True, on_delete=fields.SET_NULL
    )
    actor_label = fields.CharField(max_length=200, default="")
    public_note = fields.TextField(default="")
    internal_note = fields.TextField(default="")
    details: dict = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    petition_id: int
    actor_id: int | None

    class Meta:
        table = "petition_event"
        ordering = ["created_at", "id"]


class Attachment(Model):
    """A photo or PDF sent with a petition, or the scan of an assisted filer's signed consent."""

    # ``kind`` "reply" is the official reply letter (PDF) an answer came with.

    id = fields.IntField(primary_key=True)
    petition: fields.ForeignKeyRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="attachments", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=8, default="evidence")  # evidence | consent | reply
    path = fields.CharField(max_length=300)
    mime = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    original_name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    # A reply letter reaches its petitioner only once the secretariat publishes the answer it goes
    # with: set in the publishing transaction (petition.publish) on the letters not yet published;
    # one attached afterwards waits for the next publication.
    published_at = fields.DatetimeField(null=True)
    # The agency whose officer attached a reply letter: it may remove it until it is published.
    added_by_agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "council.Agency", null=True, on_delete=fields.SET_NULL, related_name="reply_letters"
    )

    petition_id: int
    added_by_agency_id: int | None

    class Meta:
        table = "petition_attachment"
        ordering = ["id"]


class Supporter(Model):
    """A voter who added their support instead of filing a duplicate."""

    id = fields.IntField(primary_key=True)
    petition: fields.ForeignKeyRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="supporters", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=120, null=True)
    email = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    petition_id: int

    class Meta:
        table = "petition_supporter"


class Notification(Model):
    """A message to the petitioner (e-mail when SMTP_URL is set) or to a hop owner (inbox)."""

    id = fields.IntField(primary_key=True)
    petition: fields.ForeignKeyRelation[Petition] = fields.ForeignKeyField(
        "petitions.Petition", related_name="notifications", on_delete=fields.CASCADE
    )
    recipient = fields.CharField(max_length=12)  # petitioner | supporter | staff
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="petition_notifications", null=True, on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254, null=True)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    state = fields.CharField(max_length=10, default="recorded")  # recorded | sent | failed
    error = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    sent_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)

    petition_id: int
    user_id: int | None

    class Meta:
        table = "petition_notification"
        ordering = ["-created_at", "-id"]


# Rows that name stored files: a shared blob stays while any of them names it.
storage.register_reference(Attachment, "path")
