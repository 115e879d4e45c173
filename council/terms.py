"""What the core knows of a council's terms (khóa), told by the package that keeps them.

Two readings other packages need without importing the one that keeps terms (elections gives them
from its ``hooks.py``; without a provider a council has no terms):

- ``delegates_total(council)``: "tổng số đại biểu", the total the law's thresholds and quorum count
  against. The council's reading chooses the legal seats or the delegates in office after
  vacancies; without a provider, the council's seats.
- ``closed_before(council_id)``: the moment before which the council's records belong to a closed
  term (the current term's first day), or None. ``require_open`` refuses a write to such a record
  with ``409 term_closed``, except the operations declared with ``allow_on_closed_term``.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from council.errors import Conflict
from council.i18n import N_
from council.models import Council

TotalProvider = Callable[[Council], Awaitable[int | None]]
BoundaryProvider = Callable[[int], Awaitable[datetime | None]]
# (council id, the record's date, the boundary): whether this record may still be written.
Exemption = Callable[[int, datetime, datetime], Awaitable[bool]]

_totals: dict[str, TotalProvider] = {}
_boundaries: dict[str, BoundaryProvider] = {}
_open_on_closed: dict[str, Exemption | None] = {}


def provide_total(name: str, provider: TotalProvider) -> None:
    """Give the council's "tổng số đại biểu" (None: the provider has no say for that council)."""
    _totals[name] = provider


def provide_boundary(name: str, provider: BoundaryProvider) -> None:
    """Give the moment before which a council's records belong to a closed term."""
    _boundaries[name] = provider


def allow_on_closed_term(*operations: str, only_if: Exemption | None = None) -> None:
    """Operations that may still write to a closed term's records: always, or ``only_if`` it
    says so for the record (signing the minutes of the term's last sitting)."""
    for name in operations:
        _open_on_closed[name] = only_if


async def delegates_total(council: Council) -> int:
    """The total the law's thresholds and quorum count against."""
    for provider in _totals.values():
        found = await provider(council)
        if found is not None:
            return found
    return council.seats


def quorum_of(council: Council, total: int) -> int:
    """Delegates who must be present: the council's quorum rule of ``total``, rounded up."""
    return math.ceil(total * council.quorum_fraction)


async def closed_before(council_id: int) -> datetime | None:
    """The latest boundary any provider gives (naive UTC, as the database stores times)."""
    found = [b for p in _boundaries.values() if (b := await p(council_id)) is not None]
    return max(found) if found else None


class TermClosed(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "term_closed",
            N_("This belongs to a previous term, which can be read but no longer changed."),
            status=409,
        )


def utc_naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta(0))


async def require_open(council_id: int, on: datetime | None, operation: str = "") -> None:
    """Refuse (409 term_closed) a write to a record dated ``on`` in a closed term."""
    if on is None:
        return
    boundary = await closed_before(council_id)
    if boundary is None or utc_naive(on) >= utc_naive(boundary):
        return
    if operation in _open_on_closed:
        only_if = _open_on_closed[operation]
        if only_if is None or await only_if(council_id, on, boundary):
            return
    raise TermClosed()
