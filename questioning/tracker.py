"""A commitment's state, from its dates only: never a stored flag that could go stale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

State = Literal["done_on_time", "done_late", "in_progress", "overdue"]
STATES: tuple[State, ...] = ("done_on_time", "done_late", "in_progress", "overdue")


def state(deadline: date, done_on: date | None, today: date) -> State:
    if done_on is not None:
        return "done_on_time" if done_on <= deadline else "done_late"
    return "overdue" if today > deadline else "in_progress"


@dataclass
class AgencyRow:
    """One agency's line of the on-time table."""

    agency: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def on_time_rate(self) -> float | None:
        """Done on time among those whose deadline has been decided (done, or past due)."""
        decided = self.total - self.counts["in_progress"]
        return self.counts["done_on_time"] / decided if decided else None


def on_time_table(rows: Iterable[tuple[str, State]]) -> list[AgencyRow]:
    """Per agency: how many commitments are in each state, agencies by name."""
    table: dict[str, AgencyRow] = {}
    for agency, s in rows:
        row = table.setdefault(agency, AgencyRow(agency, dict.fromkeys(STATES, 0)))
        row.counts[s] += 1
    return [table[k] for k in sorted(table)]


@dataclass
class CouncilTally:
    """How many commitments a council's tracker holds, and how many are done or overdue."""

    total: int = 0
    done: int = 0
    overdue: int = 0


def tally(rows: Iterable[tuple[int, date, date | None]], today: date) -> dict[int, CouncilTally]:
    """Per council, from (council_id, deadline, done_on) rows."""
    out: dict[int, CouncilTally] = {}
    for council_id, deadline, done_on in rows:
        t = out.setdefault(council_id, CouncilTally())
        t.total += 1
        s = state(deadline, done_on, today)
        if s in ("done_on_time", "done_late"):
            t.done += 1
        elif s == "overdue":
            t.overdue += 1
    return out
