"""Question forms, question groups, written answers, commitments and their progress reports.

Sittings live in ``meetings``: rows keep the session's id (``session_id``) and read it through
``questioning.sittings``, so that neither app's tables depend on the other's migrations.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from council import storage
from council.models import Agency, Council, User

# Criteria of Nghị quyết 594/NQ-UBTVQH15 for choosing a question group.
CRITERIA = ("pressing", "violations", "rejected_answers", "supervision", "requestioning")
FORM_STATES = ("filed", "withdrawn")
VERDICTS = ("satisfactory", "unsatisfactory")


class Round(Model):
    """The questioning of one sitting: when its groups were fixed and when it was held."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="questioning_rounds", on_delete=fields.RESTRICT
    )
    session_id = fields.IntField(unique=True)
    groups_fixed_at = fields.DatetimeField(null=True)
    held_at = fields.DatetimeField(null=True)
    # The time limits the council's rules (quy chế) give each turn, in seconds, set by
    # questioning.limits; null: the default (questioning.services.live.DEFAULT_LIMITS).
    asking_seconds = fields.IntField(null=True)
    answering_seconds = fields.IntField(null=True)
    followup_seconds = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    council_id: int

    class Meta:
        table = "questioning_round"


class QuestionGroup(Model):
    """Nhóm vấn đề: a set of question forms taken together, chosen by a criterion."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "questioning.Round", related_name="groups", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=300)
    criterion = fields.CharField(max_length=20)
    # Proposed by the topic clustering, not yet edited by a person: the page labels it so.
    machine_made = fields.BooleanField(default=False)
    chosen = fields.BooleanField(default=False)
    position = fields.IntField(default=0)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    round_id: int

    class Meta:
        table = "questioning_group"
        ordering = ["position", "id"]


class SelectionBallot(Model):
    """Chọn nhóm vấn đề: the council's delegates pick up to ``max_choices`` groups, outside a
    sitting, with no quorum and no seat threshold; the top ones by count are chosen."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "questioning.Round", related_name="ballots", on_delete=fields.CASCADE
    )
    max_choices = fields.IntField()
    status = fields.CharField(max_length=8, default="open")  # open | closed
    opened_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    opened_by_id = fields.IntField(null=True)

    round_id: int

    class Meta:
        table = "questioning_ballot"


class SelectionVote(Model):
    id = fields.IntField(primary_key=True)
    ballot: fields.ForeignKeyRelation[SelectionBallot] = fields.ForeignKeyField(
        "questioning.SelectionBallot", related_name="votes", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="selection_votes", on_delete=fields.RESTRICT
    )
    group_ids: fields.JSONField[list[int]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    ballot_id: int
    user_id: int

    class Meta:
        table = "questioning_vote"
        unique_together = (("ballot", "user"),)


class QuestionForm(Model):
    """Phiếu chất vấn: a delegate's question to an official of an agency of the council."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "questioning.Round", related_name="forms", on_delete=fields.RESTRICT
    )
    council: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="question_forms", on_delete=fields.RESTRICT
    )
    asker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="question_forms", on_delete=fields.RESTRICT
    )
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "council.Agency", related_name="question_forms", on_delete=fields.RESTRICT
    )
    official_name = fields.CharField(max_length=200)
    official_title = fields.CharField(max_length=200)
    field = fields.CharField(max_length=100)
    text = fields.TextField()
    petition_codes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    written_only = fields.BooleanField(default=False)
    state = fields.CharField(max_length=12, default="filed", db_index=True)
    group: fields.ForeignKeyNullableRelation[QuestionGroup] = fields.ForeignKeyField(
        "questioning.QuestionGroup", related_name="forms", null=True, on_delete=fields.SET_NULL
    )
    # A form carried from an earlier sitting (an unsatisfactory answer, re-questioned).
    carried_from_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    withdrawn_at = fields.DatetimeField(null=True)
    # The written answer: asked for by the chair's side, due by the council's working days.
    answer_due_at = fields.DatetimeField(null=True)
    answer_text = fields.TextField(null=True)
    answered_at = fields.DatetimeField(null=True)
    answered_by_id = fields.IntField(null=True)
    letter_path = fields.CharField(max_length=300, null=True)
    letter_name = fields.CharField(max_length=200, default="")
    verdict = fields.CharField(max_length=14, null=True)
    verdict_at = fields.DatetimeField(null=True)

    round_id: int
    council_id: int
    asker_id: int
    agency_id: int
    group_id: int | None

    class Meta:
        table = "questioning_form"
        ordering = ["id"]


class QuestionTurn(Model):
    """One turn of the live questioning: the delegate asks, the official answers, a follow-up
    (tranh luận); each under its time limit. The minutes' record of who spoke and when."""

    id = fields.IntField(primary_key=True)
    session_id = fields.IntField(db_index=True)
    form: fields.ForeignKeyRelation[QuestionForm] = fields.ForeignKeyField(
        "questioning.QuestionForm", related_name="turns", on_delete=fields.CASCADE
    )
    phase = fields.CharField(max_length=10)  # asking | answering | followup
    speaker = fields.CharField(max_length=300)  # "Name" or "Name, Title", as shown and minuted
    # Who spoke (the asker, or the answering official's account when they have one) and the
    # agenda item of kind questioning the turn belongs to.
    speaker_id = fields.IntField(null=True)
    item_id = fields.IntField(null=True, db_index=True)
    limit_seconds = fields.IntField()
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    form_id: int

    class Meta:
        table = "questioning_turn"
        ordering = ["started_at", "id"]


class GroupConclusion(Model):
    """The chair's conclusion of a question group at the sitting."""

    id = fields.IntField(primary_key=True)
    group: fields.OneToOneRelation[QuestionGroup] = fields.OneToOneField(
        "questioning.QuestionGroup", related_name="conclusion", on_delete=fields.CASCADE
    )
    text = fields.TextField()
    concluded_at = fields.DatetimeField()

    group_id: int

    class Meta:
        table = "questioning_conclusion"


class Commitment(Model):
    """Lời hứa: what an official undertook at the questioning, by when. Its state comes from its
    dates (``questioning.tracker.state``), never from a stored flag."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation[Council] = fields.ForeignKeyField(
        "council.Council", related_name="commitments", on_delete=fields.RESTRICT
    )
    session_id = fields.IntField()
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "council.Agency", related_name="commitments", on_delete=fields.RESTRICT
    )
    official_name = fields.CharField(max_length=200)
    official_title = fields.CharField(max_length=200)
    form: fields.ForeignKeyNullableRelation[QuestionForm] = fields.ForeignKeyField(
        "questioning.QuestionForm", related_name="commitments", null=True, on_delete=fields.SET_NULL
    )
    measure = fields.TextField()
    deadline = fields.DateField()
    percent = fields.IntField(default=0)
    done_on = fields.DateField(null=True)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    council_id: int
    agency_id: int
    form_id: int | None

    class Meta:
        table = "questioning_commitment"
        ordering = ["deadline", "id"]


class Milestone(Model):
    id = fields.IntField(primary_key=True)
    commitment: fields.ForeignKeyRelation[Commitment] = fields.ForeignKeyField(
        "questioning.Commitment", related_name="milestones", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=300)
    due_on = fields.DateField()
    done_on = fields.DateField(null=True)

    commitment_id: int

    class Meta:
        table = "questioning_milestone"
        ordering = ["due_on", "id"]


class ProgressReport(Model):
    """The owner's report on a commitment: how far, what was done, and the evidence."""

    id = fields.IntField(primary_key=True)
    commitment: fields.ForeignKeyRelation[Commitment] = fields.ForeignKeyField(
        "questioning.Commitment", related_name="reports", on_delete=fields.CASCADE
    )
    percent = fields.IntField()
    note = fields.TextField()
    reported_on = fields.DateField()
    evidence_path = fields.CharField(max_length=300, null=True)
    evidence_name = fields.CharField(max_length=200, default="")
    evidence_mime = fields.CharField(max_length=100, default="")
    reported_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    commitment_id: int

    class Meta:
        table = "questioning_progress"
        ordering = ["created_at", "id"]


class Notice(Model):
    """A message in a user's questioning inbox (an answer came, a commitment was reported on)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="questioning_notices", on_delete=fields.CASCADE
    )
    subject = fields.CharField(max_length=300)
    link = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    read_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "questioning_notice"
        ordering = ["-created_at", "-id"]


storage.register_reference(QuestionForm, "letter_path")
storage.register_reference(ProgressReport, "evidence_path")
