"""Oversight figures computed from hop dates: on-time rate, overdue share, traffic lights,
median days. :func:`figures` is the one definition every page shows (home, dashboards, the
city screen, the public on-time table)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
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


@dataclass(frozen=True)
class Figures:
    """The oversight figures of one set of hops (a council's, an agency's), each with what it
    counts: ``on_time`` of ``finished`` hops ended by their due date; ``overdue`` of ``open`` hops
    past it; the light decided from those two shares."""

    finished: int
    on_time: int
    open: int
    overdue: int
    on_time_rate: float | None  # on_time / finished; None when nothing finished
    overdue_share: float | None  # overdue / open; None when nothing is open
    light: Light
    reasons: list[Reason] = field(default_factory=list)


def figures(
    hops: Iterable[tuple[datetime, datetime | None]],
    now: datetime,
    thresholds: Thresholds | None = None,
) -> Figures:
    """On-time rate, overdue share and light from ``(due_at, ended_at)`` of each hop: a hop
    finished on time ended at or before its due date (the date in force); an open hop is
    overdue once ``now`` is past it."""
    finished = on_time = open_ = overdue = 0
    for due, ended in hops:
        if ended is None:
            open_ += 1
            overdue += int(now > due)
        else:
            finished += 1
            on_time += int(ended <= due)
    rate = on_time_rate(on_time, finished)
    colour, reasons = assess(rate, overdue, open_, thresholds)
    return Figures(
        finished=finished,
        on_time=on_time,
        open=open_,
        overdue=overdue,
        on_time_rate=rate,
        overdue_share=None if open_ == 0 else overdue / open_,
        light=colour,
        reasons=reasons,
    )
