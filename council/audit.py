"""The hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so an edited, deleted or
reordered entry breaks the chain. ``record`` must be called inside the transaction of the change it
describes; on PostgreSQL an advisory lock serialises appends so the chain never forks.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from council.models import AuditEntry, User

GENESIS = "0" * 64
_ADVISORY_KEY = 7_240_125  # any constant shared by every process of this app

client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "created_at": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "operation": entry.operation,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "council_id": entry.council_id,
        "ip": entry.ip,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


async def record(
    operation: str,
    *,
    actor: User | None = None,
    target_type: str = "",
    target_id: object = "",
    council_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change it records."""
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_ADVISORY_KEY])
        last = await AuditEntry.all().order_by("-seq").only("seq", "hash").first()
        entry = AuditEntry(
            seq=(last.seq + 1) if last else 1,
            created_at=datetime.now(UTC),
            actor_id=actor.id if actor else None,
            actor_name=(actor.username if actor else ""),
            operation=operation,
            target_type=target_type,
            target_id=str(target_id) if target_id not in (None, "") else "",
            council_id=council_id,
            ip=client_ip.get(),
            details=details or {},
            prev_hash=last.hash if last else GENESIS,
        )
        entry.hash = compute_hash(entry)
        await entry.save()
        return entry


@dataclass
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


async def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first entry that was edited, removed or moved."""
    prev_hash, expected_seq, count, last_id = GENESIS, 1, 0, 0
    while True:
        rows = await AuditEntry.filter(id__gt=last_id).order_by("id").limit(batch)
        if not rows:
            return VerifyResult(True, count)
        for entry in rows:
            if entry.seq != expected_seq:
                reason = "missing entry before it" if entry.seq > expected_seq else "out of order"
                return VerifyResult(False, count, entry.seq, entry.id, reason)
            if entry.prev_hash != prev_hash:
                return VerifyResult(
                    False, count, entry.seq, entry.id, "does not follow the previous entry"
                )
            if compute_hash(entry) != entry.hash:
                return VerifyResult(False, count, entry.seq, entry.id, "content was changed")
            prev_hash, expected_seq, count, last_id = (
                entry.hash,
                expected_seq + 1,
                count + 1,
                entry.id,
            )
