"""Search filters: exact keyword values ("any of these") and inclusive date ranges.

The executor evaluates them natively (posting sets and date columns); :func:`to_query` gives
the equivalent Whoosh query for the reference searcher.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from whoosh import query as wq

from council.search.schema import IndexSpec, SearchError, keyword_values, to_timestamp

__all__ = ["DateBound", "KeywordFilter", "RangeFilter", "Filter", "build_filters", "to_query"]

DateBound = date | datetime | str | None


@dataclass(frozen=True)
class KeywordFilter:
    """Documents holding any of ``values`` in ``field``."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RangeFilter:
    """Documents whose ``field`` lies in [start, end] (epoch seconds; None: unbounded)."""

    field: str
    start: int | None
    end: int | None


Filter = KeywordFilter | RangeFilter


def build_filters(
    spec: IndexSpec,
    filters: Mapping[str, Any],
    date_ranges: Mapping[str, tuple[DateBound, DateBound]],
) -> list[Filter] | None:
    """Validate and convert the caller's filters; None when they can match nothing.

    A keyword filter with an empty collection of values matches nothing: a caller passing
    the scopes a user may see, and finding none, gets no results rather than all of them.
    """
    out: list[Filter] = []
    for name, value in filters.items():
        if name not in spec.keyword_fields:
            raise SearchError(f"{name!r} is not a keyword field of {spec.name!r}")
        values = keyword_values(value)
        if not values:
            return None
        out.append(KeywordFilter(name, tuple(values)))
    for name, bounds in date_ranges.items():
        if name not in spec.date_fields:
            raise SearchError(f"{name!r} is not a date field of {spec.name!r}")
        if not isinstance(bounds, tuple | list) or len(bounds) != 2:
            raise SearchError("a date range is a (start, end) pair")
        start, end = bounds
        if start is None and end is None:
            continue
        low = to_timestamp(start) if start is not None else None
        high = to_timestamp(end, end_of_day=True) if end is not None else None
        if low is not None and high is not None and low > high:
            return None
        out.append(RangeFilter(name, low, high))
    return out


def to_query(filters: Iterable[Filter]) -> wq.Query | None:
    """The Whoosh query equivalent to ``filters`` (None: no filtering)."""
    clauses: list[wq.Query] = []
    for f in filters:
        if isinstance(f, KeywordFilter):
            terms = [wq.Term(f.field, v) for v in f.values]
            clauses.append(terms[0] if len(terms) == 1 else wq.Or(terms))
        else:
            clauses.append(wq.NumericRange(f.field, f.start, f.end))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)
