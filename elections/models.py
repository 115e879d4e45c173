"""Tortoise models of the "elections" app: terms, elections, constituencies, candidates (with the
source of every edit), polling areas' counts, and the seats held in a term.

Voter lists are not here: they are personal data held nationally. Only counts are.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from council import storage

ELECTION_KINDS = ("regular", "by")  # bầu cử; bầu cử bổ sung
ELECTION_STATES = ("preparing", "counting", "confirmed")
GENDERS = ("male", "female")
SEAT_END_REASONS = ("death", "dismissal", "resignation", "other")


class Term(Model):
    """One term of a council (khóa XVII, nhiệm kỳ 2026-2031)."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.Council", related_name="terms", on_delete=fields.RESTRICT
    )
    number = fields.IntField()
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "elections_term"
        unique_together = (("council", "number"),)
        ordering = ["council_id", "number"]


class Election(Model):
    """An election of a council's delegates on one day, regular or a by-election."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.Council", related_name="elections", on_delete=fields.RESTRICT
    )
    term: fields.ForeignKeyRelation[Term] = fields.ForeignKeyField(
        "elections.Term", related_name="elections", on_delete=fields.RESTRICT
    )
    day = fields.DateField()
    kind = fields.CharField(max_length=10, default="regular")
    status = fields.CharField(max_length=12, default="preparing")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "elections_election"
        ordering = ["-day", "id"]


class Constituency(Model):
    """Đơn vị bầu cử: its number, area and seats (at most 5), and its registered voters."""

    id = fields.IntField(primary_key=True)
    election: fields.ForeignKeyRelation[Election] = fields.ForeignKeyField(
        "elections.Election", related_name="constituencies", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    area = fields.TextField()
    division_codes: Any = fields.JSONField(default=list)
    seats = fields.IntField()
    registered = fields.IntField(default=0)

    class Meta:
        table = "elections_constituency"
        unique_together = (("election", "number"),)
        ordering = ["election_id", "number"]


class Candidate(Model):
    """A candidate's published profile (no ID numbers, nothing beyond what is published)."""

    id = fields.IntField(primary_key=True)
    constituency: fields.ForeignKeyRelation[Constituency] = fields.ForeignKeyField(
        "elections.Constituency", related_name="candidates", on_delete=fields.CASCADE
    )
    full_name = fields.CharField(max_length=200)
    birth_date = fields.DateField()
    gender = fields.CharField(max_length=10)
    ethnicity = fields.CharField(max_length=60, default="Kinh")
    religion = fields.CharField(max_length=60, default="")
    hometown = fields.CharField(max_length=200, default="")
    education = fields.CharField(max_length=200, default="")
    political_theory = fields.CharField(max_length=100, default="")
    occupation = fields.CharField(max_length=200, default="")
    workplace = fields.CharField(max_length=300, default="")
    party_joined = fields.DateField(null=True)
    nominated_by = fields.CharField(max_length=300, default="")  # empty: self-nominated
    withdrawn = fields.BooleanField(default=False)
    # The delegate account of the elected candidate, once the roster is made
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "council.User", related_name="candidacies", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "elections_candidate"
        ordering = ["constituency_id", "id"]


class CandidateEdit(Model):
    """Every change of a candidate's profile, with the document or decision it comes from."""

    id = fields.IntField(primary_key=True)
    candidate: fields.ForeignKeyRelation[Candidate] = fields.ForeignKeyField(
        "elections.Candidate", related_name="edits", on_delete=fields.CASCADE
    )
    changes: Any = fields.JSONField()  # {field: [old, new]}
    source = fields.CharField(max_length=300)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "council.User", related_name="+", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "elections_candidate_edit"
        ordering = ["id"]


class PollingArea(Model):
    """Khu vực bỏ phiếu: the polling team's counts, entered from its record."""

    id = fields.IntField(primary_key=True)
    constituency: fields.ForeignKeyRelation[Constituency] = fields.ForeignKeyField(
        "elections.Constituency", related_name="areas", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    name = fields.CharField(max_length=200)
    registered = fields.IntField(default=0)
    voted = fields.IntField(default=0)
    issued = fields.IntField(default=0)
    received = fields.IntField(default=0)
    valid = fields.IntField(default=0)
    invalid = fields.IntField(default=0)
    votes: Any = fields.JSONField(default=dict)  # {candidate id (str): votes}
    counted = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "elections_polling_area"
        unique_together = (("constituency", "number"),)
        ordering = ["constituency_id", "number"]


class TermSeat(Model):
    """A delegate's seat in a term, from the election that filled it until it ends (a vacancy)."""

    id = fields.IntField(primary_key=True)
    term: fields.ForeignKeyRelation[Term] = fields.ForeignKeyField(
        "elections.Term", related_name="seats", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="term_seats", on_delete=fields.RESTRICT
    )
    constituency: fields.ForeignKeyNullableRelation[Constituency] = fields.ForeignKeyField(
        "elections.Constituency", related_name="seats_held", null=True, on_delete=fields.SET_NULL
    )
    candidate: fields.ForeignKeyNullableRelation[Candidate] = fields.ForeignKeyField(
        "elections.Candidate", related_name="seats", null=True, on_delete=fields.SET_NULL
    )
    since = fields.DateField()
    until = fields.DateField(null=True)
    end_reason = fields.CharField(max_length=12, null=True)
    end_note = fields.CharField(max_length=300, default="")

    class Meta:
        table = "elections_term_seat"
        ordering = ["term_id", "id"]


class ContactMeeting(Model):
    """A voter-contact meeting (tiếp xúc cử tri) of a term's delegates in their constituency,
    scheduled ahead by the secretariat or linking the record petitions keeps of one held."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.Council", related_name="contact_meetings", on_delete=fields.RESTRICT
    )
    term: fields.ForeignKeyRelation[Term] = fields.ForeignKeyField(
        "elections.Term", related_name="contact_meetings", on_delete=fields.CASCADE
    )
    constituency: fields.ForeignKeyNullableRelation[Constituency] = fields.ForeignKeyField(
        "elections.Constituency",
        related_name="contact_meetings",
        null=True,
        on_delete=fields.SET_NULL,
    )
    # The petitions domain's record of the meeting once held (attendees, petitions raised)
    voter_meeting: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "petitions.VoterMeeting",
        related_name="contact_links",
        null=True,
        unique=True,
        on_delete=fields.SET_NULL,
    )
    day = fields.DateField()
    time = fields.CharField(max_length=5, default="")  # local time, "08:00"
    place = fields.CharField(max_length=300)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "council.User",
        related_name="contact_meetings_created",
        null=True,
        on_delete=fields.SET_NULL,
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "elections_contact_meeting"
        ordering = ["day", "id"]


class ContactDelegate(Model):
    """A delegate's account taking part in a voter-contact meeting."""

    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[ContactMeeting] = fields.ForeignKeyField(
        "elections.ContactMeeting", related_name="delegates", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.User", related_name="contact_meeting_seats", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "elections_contact_delegate"
        unique_together = (("meeting", "user"),)


SEATS_READINGS = ("in_office", "legal")


class SeatsReading(Model):
    """How a council reads "tổng số đại biểu" for thresholds and quorum: the delegates in office
    after vacancies (the default) or the legal seats of the term."""

    id = fields.IntField(primary_key=True)
    council: fields.OneToOneRelation = fields.OneToOneField(
        "council.Council", related_name="seats_reading", on_delete=fields.CASCADE
    )
    reading = fields.CharField(max_length=12, default="in_office")
    updated_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "council.User", related_name="seats_readings_set", null=True, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "elections_seats_reading"


class DelegatePhoto(Model):
    """A delegate's photo on the public pages, resized once when the secretariat uploads it (the
    upload itself is not kept)."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation = fields.OneToOneField(
        "council.User", related_name="delegate_photo", on_delete=fields.CASCADE
    )
    path = fields.CharField(max_length=300)
    width = fields.IntField()
    height = fields.IntField()
    size = fields.IntField()
    updated_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "council.User", related_name="delegate_photos_set", null=True, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField(auto_now=True)

    user_id: int

    class Meta:
        table = "elections_delegate_photo"


class Person(Model):
    """One person with seats in several councils (a city's and a ward's): an account in each
    council, shown as one person on the public pages."""

    id = fields.IntField(primary_key=True)
    full_name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "elections_person"


class PersonAccount(Model):
    """An account of a person (one per council)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "elections.Person", related_name="accounts", on_delete=fields.CASCADE
    )
    user: fields.OneToOneRelation = fields.OneToOneField(
        "council.User", related_name="person_account", on_delete=fields.CASCADE
    )

    person_id: int
    user_id: int

    class Meta:
        table = "elections_person_account"


storage.register_reference(DelegatePhoto, "path")
