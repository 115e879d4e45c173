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


@dataclass(frozen=True)
class Reason:
    """Why a light has its colour: which measure, its value and the threshold it is held to."""

    kind: str  # rate_below | overdue_above | overdue_any | rate_met | nothing_finished
    value: float  # a share (0..1), or a count for ``overdue_any``
    threshold: float


def assess(
    rate: float | None, overdue: int, open_hops: int, thresholds: Thresholds | None = None
) -> tuple[Light, list[Reason]]:
    """Green / yellow / red from the on-time rate and the overdue share, with the reasons that
    decide it (only those of its own colour: a red light names what made it red)."""
    t = thresholds or Thresholds()
    share = 0.0 if open_hops == 0 else overdue / open_hops
    red = []
    if rate is not None and rate < t.red_on_time:
        red.append(Reason("rate_below", rate, t.red_on_time))
    if share > t.red_overdue:
        red.append(Reason("overdue_above", share, t.red_overdue))
    if red:
        return Light.RED, red
    yellow = []
    if rate is not None and rate < t.green_on_time:
        yellow.append(Reason("rate_below", rate, t.green_on_time))
    if share > t.green_overdue:
        yellow.append(
            Reason("overdue_above", share, t.green_overdue)
            if t.green_overdue
            else Reason("overdue_any", overdue, 0.0)
        )
    if yellow:
        return Light.YELLOW, yellow
    if rate is None:
        return Light.GREEN, [Reason("nothing_finished", 0.0, 0.0)]
    return Light.GREEN, [Reason("rate_met", rate, t.green_on_time)]


def light(
    rate: float | None, overdue: int, open_hops: int, thresholds: Thresholds | None = None
) -> Light:
    """Green / yellow / red for a council from its on-time rate and its overdue share."""
    return assess(rate, overdue, open_hops, thresholds)[0]
