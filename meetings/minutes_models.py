"""The versions of a session's minutes and where each stands in the approval workflow.

A version's PDF is kept through ``council.storage`` (``path``): the generated draft, a reviewed
upload, then the file with the secretary's signature and with both. A version with a signature is
never changed again: a correction is a new version, which needs new signatures.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# draft → reviewed (secretary) → approved (chair) → signing (the secretary signed) → signed (the
# chair signed) → published. A newer version leaves the older ones as they were, readable.
MINUTES_STATES = ("draft", "reviewed", "approved", "signing", "signed", "published")
SIGNED_STATES = ("signed", "published")
LOCKED_STATES = ("signing", "signed", "published")


class MinutesVersion(Model):
    """One version of a session's minutes (biên bản): its PDF, who made it, each workflow step."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "meetings.Session", related_name="minutes_versions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    status = fields.CharField(max_length=16, default="draft")
    source = fields.CharField(max_length=16, default="generated")  # generated | upload
    path = fields.CharField(max_length=300)
    sha256 = fields.CharField(max_length=64)
    size = fields.IntField()
    note = fields.CharField(max_length=1000, default="")
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    reviewed_by_id = fields.IntField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    approved_by_id = fields.IntField(null=True)
    approved_at = fields.DatetimeField(null=True)
    secretary_signed_by_id = fields.IntField(null=True)
    secretary_signed_at = fields.DatetimeField(null=True)
    chair_signed_by_id = fields.IntField(null=True)
    chair_signed_at = fields.DatetimeField(null=True)
    published_by_id = fields.IntField(null=True)
    published_at = fields.DatetimeField(null=True)

    session_id: int

    class Meta:
        table = "meetings_minutes_version"
        unique_together = (("session", "number"),)
        ordering = ["session_id", "number"]
