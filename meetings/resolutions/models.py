"""Resolutions and the council's yearly series of their numbers (part of the meetings app)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from council import storage

RESOLUTION_STATES = ("draft", "signed", "published")


class ResolutionSeries(Model):
    """The last number a council gave a resolution in a year: numbers only ever go up."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.Council", related_name="resolution_series", on_delete=fields.RESTRICT
    )
    year = fields.IntField()
    last_number = fields.IntField(default=0)

    council_id: int

    class Meta:
        table = "meetings_resolution_series"
        unique_together = (("council", "year"),)


class Resolution(Model):
    """A resolution issued from a passed draft-resolution item: "Số: 12/NQ-HĐND"."""

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "council.Council", related_name="resolutions", on_delete=fields.RESTRICT
    )
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "meetings.Session", related_name="resolutions", on_delete=fields.RESTRICT
    )
    item_id = fields.IntField(unique=True)
    poll_id = fields.IntField()
    year = fields.IntField()
    number = fields.IntField()
    symbol = fields.CharField(max_length=32, default="NQ-HĐND")
    title = fields.CharField(max_length=300)
    text = fields.TextField(default="")
    vote_line = fields.TextField(default="")
    passed_at = fields.DatetimeField()
    status = fields.CharField(max_length=16, default="draft", db_index=True)
    # the number, title and text folded (no accents, lower case): the public list's search
    search_text = fields.TextField(default="")
    issued_at = fields.DatetimeField()
    issued_by_id = fields.IntField(null=True)
    signed_at = fields.DatetimeField(null=True)
    signed_by_id = fields.IntField(null=True)
    signer_name = fields.CharField(max_length=200, default="")
    signed_path = fields.CharField(max_length=300, null=True)
    signed_sha256 = fields.CharField(max_length=64, default="")
    published_at = fields.DatetimeField(null=True)
    published_by_id = fields.IntField(null=True)

    council_id: int
    session_id: int

    class Meta:
        table = "meetings_resolution"
        unique_together = (("council", "year", "number"),)
        ordering = ["-year", "-number"]


storage.register_reference(Resolution, "signed_path")
