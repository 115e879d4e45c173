"""assistant.usage: the usage log, for administrators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.models import UsageEntry
from council.errors import Forbidden
from council.i18n import N_
from council.models import User

PAGE_SIZE = 50
ACTIONS = ("assistant.summarize", "assistant.ask", "assistant.group")


@dataclass(frozen=True)
class UsagePage:
    """One page of the log, newest first."""

    entries: list[UsageEntry]
    total: int
    page: int
    pages: int


async def usage_log(
    user: User, *, page: int = 1, action: str | None = None, user_id: int | None = None
) -> UsagePage:
    """The log of assistant uses (admins only)."""
    if user.role != "admin":
        raise Forbidden(N_("Only administrators can see the assistant's usage log."))
    query = UsageEntry.all()
    if action in ACTIONS:
        query = query.filter(action=action)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    total = await query.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = (
        await query.order_by("-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .prefetch_related("user")
    )
    return UsagePage(list(entries), total, page, pages)


def entry_out(entry: UsageEntry) -> dict[str, Any]:
    """One log entry as JSON."""
    user = entry.user if entry.user_id else None
    return {
        "id": entry.id,
        "created_at": entry.created_at.isoformat(),
        "user_id": entry.user_id,
        "username": user.username if user else None,
        "action": entry.action,
        "documents": entry.documents,
        "pages_sent": entry.pages_sent,
        "detail": entry.detail,
        "provider": entry.provider,
        "model": entry.model,
        "downgraded": entry.downgraded,
        "cached": entry.cached,
        "calls": entry.calls,
        "prompt_tokens": entry.prompt_tokens,
        "completion_tokens": entry.completion_tokens,
        "latency_ms": entry.latency_ms,
        "outcome": entry.outcome,
    }
