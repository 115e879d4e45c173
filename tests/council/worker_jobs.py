"""Jobs for tests/council/test_workers.py: a worker imports its job by name, so they live here."""

from __future__ import annotations

import os
import time


def pid() -> int:
    return os.getpid()


def allocate(mb: int) -> int:
    return len(bytearray(mb << 20))


def spin(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "finished"


def die(status: int) -> None:
    os._exit(status)


def refuse(text: str) -> None:
    raise ValueError(text)


def wrap_memory_error(mb: int) -> None:
    """A library that turns every error into its own, as python-docx does."""
    try:
        allocate(mb)
    except Exception as exc:
        raise RuntimeError("could not read the file") from exc


def big_result(mb: int) -> bytes:
    return b"x" * (mb << 20)


def span(seconds: float) -> tuple[int, float, float]:
    """(pid, start, end) on the system's monotonic clock, which every process shares."""
    start = time.monotonic()
    spin(seconds)
    return os.getpid(), start, time.monotonic()
