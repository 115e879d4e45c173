"""Oversight figures computed from hop dates: on-time rate, median days, traffic lights."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Thresholds:
    """When a council's light turns yellow or red (documented in docs/petitions.md)."""

    green_on_time: float = 0.95  # at least this share of finished hops on time …
    green_overdue: float = 0.0  # … and at most this share of open hops overdue
    red_on_time: float = 0.80  # red below this on-time rate …
    red_overdue: float = 0.10  # … or above this share of open hops overdue


def on_time_rate(on_time: int, finished: int) -> float | None:
    """Share of finished hops that finished by their due date; None when none finished."""
    return None if finished == 0 else on_time / finished


def median_days(values: Iterable[float]) -> float | None:
    """Median of durations in days; None for no data."""
    data = list(values)
    return None if not data else float(statistics.median(data))


def light(
    rate: float | None, overdue: int, open_hops: int, thresholds: Thresholds | None = None
) -> Light:
    """Green / yellow / red for a council from its on-time rate and its overdue share."""
    t = thresholds or Thresholds()
    overdue_share = 0.0 if open_hops == 0 else overdue / open_hops
    if (rate is not None and rate < t.red_on_time) or overdue_share > t.red_overdue:
        return Light.RED
    if (rate is not None and rate < t.green_on_time) or overdue_share > t.green_overdue:
        return Light.YELLOW
    return Light.GREEN
