from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import TABLET
from tests.signing import pki as test_pki
from tests.signing.token import make_token

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page


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


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the browser tests leave their screenshots: ``COUNCIL_SHOTS_DIR``, else the temp dir."""
    folder = Path(os.environ.get("COUNCIL_SHOTS_DIR") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def second_page(chromium_browser: Browser, live_server: str) -> AsyncIterator[Page]:
    """A second signer's tablet: its own browser context (own cookies) on the live server."""
    context = await chromium_browser.new_context(
        base_url=live_server, viewport=TABLET, locale="vi-VN"
    )
    context.set_default_timeout(30_000)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()
