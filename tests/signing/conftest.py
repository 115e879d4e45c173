from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.signing import pki as test_pki
from tests.signing.token import make_token


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[test_pki.TestPki]:
    yield from test_pki.start(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def chair_token_made(
    pki: test_pki.TestPki, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """One SoftHSM2 token with the chair's key for the whole run: ``(module, label)``. SoftHSM2
    sees only the tokens that existed when its library was first loaded in the process, so a
    second token made later in the same run would not be found."""
    label = f"chair-{uuid.uuid4().hex[:8]}"
    return make_token(pki, tmp_path_factory.mktemp("softhsm"), "chair", label), label
