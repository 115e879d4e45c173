"""Fixtures of the questioning's browser tests: the demo data, and where screenshots go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from council.demo import load_core
from questioning import demo


@pytest.fixture
async def demo_questioning(settings) -> None:
    await load_core()
    await demo.load(settings)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """$COUNCIL_SHOTS, or the test's temporary directory."""
    folder = Path(os.environ.get("COUNCIL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
