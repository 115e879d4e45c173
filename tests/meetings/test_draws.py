"""Ballot ids and shuffles drawn in one read of the OS's randomness (meetings.services.draws)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections import Counter

import pytest

from meetings.services import draws


def test_ids_are_distinct_version_4_uuids() -> None:
    ids = draws.random_ids(500)
    assert len(set(ids)) == 500
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    assert draws.random_ids(0) == []


def test_a_batch_reads_the_os_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = os.urandom

    def counted(n: int) -> bytes:
        calls.append(n)
        return real(n)

    monkeypatch.setattr(os, "urandom", counted)
    draws.random_ids(128)
    draws.shuffled(list(range(128)))
    assert calls == [16 * 128, 8 * 128]


def test_shuffled_keeps_every_item_and_leaves_the_input_alone() -> None:
    items = list(range(200))
    out = draws.shuffled(items)
    assert items == list(range(200))
    assert sorted(out) == items
    assert out != items  # 1 in 200! to fail by chance
    assert draws.shuffled([]) == []
    assert draws.shuffled(["only"]) == ["only"]


def test_every_order_is_equally_likely() -> None:
    # 6 orders of three items, 60,000 draws: each expected 10,000 times, standard deviation
    # about 91. A biased shuffle (say, the naive swap with any index) is off by thousands.
    seen = Counter(tuple(draws.shuffled([0, 1, 2])) for _ in range(60_000))
    assert set(seen) == set(itertools.permutations([0, 1, 2]))
    assert all(abs(n - 10_000) < 600 for n in seen.values()), seen
