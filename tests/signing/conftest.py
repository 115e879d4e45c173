from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.signing import pki as test_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[test_pki.TestPki]:
    yield from test_pki.start(tmp_path_factory.mktemp("pki"))
