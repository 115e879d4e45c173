"""The assistant's tables: the summary cache, the usage log and the retrieval index state."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from council.models import User


class CachedSummary(Model):
    """A document summary, keyed by content hash, provider, model and prompt version."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    document_id = fields.IntField(db_index=True)
    provider = fields.CharField(max_length=32)
    model = fields.CharField(max_length=200)
    prompt_version = fields.CharField(max_length=32)
    value: Any = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "assistant_summary"


class UsageEntry(Model):
    """One use of the assistant: who, what, which documents, which model, what it cost."""

    id = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "council.User", related_name="assistant_uses", null=True, on_delete=fields.SET_NULL
    )
    council_id = fields.IntField(null=True, db_index=True)
    action = fields.CharField(max_length=32, db_index=True)
    documents: Any = fields.JSONField(default=list)
    pages_sent: Any = fields.JSONField(default=list)
    detail: Any = fields.JSONField(default=dict)
    provider = fields.CharField(max_length=32)
    model = fields.CharField(max_length=200)
    downgraded = fields.BooleanField(default=False)
    cached = fields.BooleanField(default=False)
    calls = fields.IntField(default=0)
    prompt_tokens = fields.IntField(default=0)
    completion_tokens = fields.IntField(default=0)
    latency_ms = fields.IntField(default=0)
    outcome = fields.CharField(max_length=32, default="ok")

    user_id: int | None

    class Meta:
        table = "assistant_usage"
        ordering = ["-id"]


class IndexedDocument(Model):
    """Which version of a document the retrieval index holds (by content hash)."""

    id = fields.IntField(primary_key=True)
    document_id = fields.IntField(unique=True)
    session_id = fields.IntField(db_index=True)
    content_hash = fields.CharField(max_length=64)
    confidentiality = fields.CharField(max_length=16)
    title = fields.CharField(max_length=300)
    pages = fields.IntField(default=0)
    indexed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "assistant_indexed_document"
