"""assistant.usage: the usage log, for administrators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.models import UsageEntry
from council.errors import DomainError, Forbidden
from council.i18n import N_
from council.models import User
from meetings.services import document_for_reader

PAGE_SIZE = 50
ACTIONS = ("assistant.summarize", "assistant.ask", "assistant.group")
ACTION_WORDS = {
    "assistant.summarize": N_("Summary of a document"),
    "assistant.ask": N_("Question on a session's documents"),
    "assistant.group": N_("Petitions grouped by topic"),
}
OUTCOME_WORDS = {
    "ok": N_("done"),
    "not_found": N_("answered that nothing was found"),
    "no_text": N_("the document has no text to read"),
}
OFFLINE_PROVIDERS = frozenset({"extractive"})  # run inside this server: nothing leaves it


@dataclass(frozen=True)
class UsageLine:
    """One use of the assistant in words: what was done, on which documents (by title), and
    where the text went."""

    entry: UsageEntry
    action: str
    documents: list[str]
    where: str
    outcome: str


async def _titles(user: User, ids: list[int]) -> list[str]:

    out = []
    for document_id in ids:
        try:
            out.append((await document_for_reader(user, document_id)).title)
        except DomainError:
            out.append(str(N_("a document since removed (no. {id})").format(id=document_id)))
    return out


def where_it_went(entry: UsageEntry) -> str:
    """Whether anything left the server, and what: the offline summarizer sends nothing."""
    if entry.cached:
        return str(N_("an earlier result was reused: nothing was sent"))
    if entry.provider in OFFLINE_PROVIDERS:
        note = N_("processed on this server, nothing sent outside")
        if entry.downgraded:
            return str(N_("confidential: {note}").format(note=note))
        return str(note)
    model = f"{entry.provider} · {entry.model}"
    if entry.action == "assistant.group":
        n = int((entry.detail or {}).get("petitions", 0))
        return str(
            N_("the text of {n} petitions, without personal data, sent to {model}").format(
                n=n, model=model
            )
        )
    pages = len(entry.pages_sent or [])
    return str(N_("{n} pages sent to {model}").format(n=pages, model=model))


async def describe(user: User, entries: list[UsageEntry]) -> list[UsageLine]:
    """The log's entries as an administrator reads them."""
    lines = []
    for e in entries:
        action = ACTION_WORDS.get(e.action)
        outcome = OUTCOME_WORDS.get(e.outcome)
        lines.append(
            UsageLine(
                e,
                str(action) if action else e.action,
                await _titles(user, list(e.documents or [])),
                where_it_went(e),
                str(outcome) if outcome else e.outcome,
            )
        )
    return lines


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
