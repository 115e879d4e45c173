"""Every index a test opens is closed after it (Whoosh keeps segment files open)."""

from collections.abc import Iterator
from typing import Any

import pytest

from council.search.index import SearchIndex


@pytest.fixture(autouse=True)
def close_indexes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    opened: list[SearchIndex] = []
    original = SearchIndex.__init__

    def tracking_init(self: SearchIndex, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(SearchIndex, "__init__", tracking_init)
    yield
    for index in opened:
        index.close()
