"""The search outbox: index changes written in the same transaction as the domain change.

A row says "index ``index_name``: upsert (with ``payload``, the full document) or delete
``doc_id``". The outbox worker (``council.search.outbox.IndexWorker``) applies rows in ``id``
order and deletes them. The lead adds "council.search.models" to the core app "council".
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

__all__ = ["SearchOutbox"]


class SearchOutbox(Model):
    """One pending change to a search index."""

    id = fields.BigIntField(primary_key=True)
    index_name = fields.CharField(max_length=40, db_index=True)
    doc_id = fields.CharField(max_length=200)
    op = fields.CharField(max_length=8)  # "upsert" | "delete"
    payload: dict | None = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "search_outbox"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.op} {self.index_name}/{self.doc_id}"
