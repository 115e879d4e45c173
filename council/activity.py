"""Entries of a delegate's public activity record that other packages keep, told through the core.

The package that shows the record (elections) reads ``entries(kind, user_id, since, until)``; the
package that keeps a kind of entry (questioning: the questions a delegate asked and their answers)
gives them with ``provide(kind, fn)`` from its ``hooks.py``. Neither imports the other. Only what
the public may see goes in an entry, and each names the public page it comes from (``source``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Entry:
    """One public figure of a delegate's record."""

    kind: str  # "question"
    day: date
    title: str  # what it is about (a question's addressee and field)
    text: str  # the delegate's own words, as published
    outcome: str  # a stable code: e.g. answered_live, answered_written, awaiting
    answer: str  # the published answer, when there is one
    verdict: str  # the delegate's assessment of the answer, when given
    source: str  # the public page of the record


Provider = Callable[[int, date | None, date | None], Awaitable[list[Entry]]]

_providers: dict[str, Provider] = {}


def provide(kind: str, provider: Provider) -> None:
    """Give the entries of ``kind`` for (user id, first day, last day); one provider a kind."""
    _providers[kind] = provider


async def entries(kind: str, user_id: int, since: date | None, until: date | None) -> list[Entry]:
    """The public entries of ``kind`` for a delegate between two days (inclusive); none when no
    package provides that kind."""
    provider = _providers.get(kind)
    return await provider(user_id, since, until) if provider else []
