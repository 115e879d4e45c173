"""The minutes page in Chromium on a tablet: the secretary drafts and reviews, the chair approves,
the secretary signs with her own file, the chair types a wrong PIN for his token (told so, with
what the token says) and then the right one, the secretary publishes, and the public page offers
the signed file. Screenshots go to ``COUNCIL_SHOTS_DIR`` when set (else the test's temp dir)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from council.settings import Settings
from meetings.minutes_models import MinutesVersion
from tests.browser import login_in_browser, text_of
from tests.signing.pki import TestPki
from tests.signing.test_minutes_workflow import Sitting, chair_token  # noqa: F401  (fixture)
from tests.signing.token import USER_PIN

pytestmark = pytest.mark.browser


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    settings.signing_trust_roots = str(pki.roots_dir)
    return create_app(settings, manage_db=False)


async def _press(page: Page, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)


async def test_the_minutes_are_reviewed_approved_signed_twice_and_published_in_chromium(
    browser_page: Page,
    second_page: Page,
    client: httpx.AsyncClient,
    settings: Settings,
    pki: TestPki,
    chair_token: str,  # noqa: F811  (the chair signs with a SoftHSM2 token)
    shots: Path,
) -> None:
    sitting = await Sitting(client).make(settings, pki, chair_key=False)
    url = f"/meetings/sessions/{sitting.session_id}/minutes"
    secretary, chair = browser_page, second_page
    await login_in_browser(secretary, sitting.secretary.username)
    await login_in_browser(chair, sitting.chair.username)

    await secretary.goto(url)
    assert "Lập dự thảo biên bản" in await text_of(secretary)
    await secretary.screenshot(path=str(shots / "01-secretary-no-version.png"), full_page=True)
    await _press(secretary, "#minutes-draft")
    assert "Xác nhận đã rà soát" in await text_of(secretary)
    await secretary.screenshot(path=str(shots / "02-secretary-review.png"), full_page=True)
    await _press(secretary, "#minutes-review")

    await chair.goto(url)
    await _press(chair, "#minutes-approve")
    await chair.goto(url)
    assert "Đang chờ bộ phận giúp việc" in await text_of(chair)

    await secretary.goto(url)
    assert "Ký với tư cách thư ký" in await text_of(secretary)
    assert await secretary.locator("#sign-pin").count() == 0  # her own file: no PIN
    await _press(secretary, "#minutes-sign")

    await chair.goto(url)
    await chair.fill("#sign-pin", "000000")
    await chair.screenshot(path=str(shots / "03-chair-pin.png"), full_page=True)
    async with chair.expect_navigation():
        await chair.click("#minutes-sign")
    text = await text_of(chair)
    assert "PIN" in text and "ít lần thử" in text, text
    await chair.screenshot(path=str(shots / "04-chair-wrong-pin.png"), full_page=True)
    version = await MinutesVersion.get(session_id=sitting.session_id)
    assert version.status == "signing"
    await chair.fill("#sign-pin", USER_PIN)
    await _press(chair, "#minutes-sign")
    assert "Thư ký và chủ tọa đã ký" in await text_of(chair)
    await chair.screenshot(path=str(shots / "05-chair-signed.png"), full_page=True)

    await secretary.goto(url)
    await _press(secretary, "#minutes-publish")
    text = await text_of(secretary)
    assert "Biên bản đã được ký và công bố" in text and "Đính chính biên bản" in text
    await secretary.screenshot(path=str(shots / "06-published.png"), full_page=True)

    await secretary.goto(f"/public/sessions/{sitting.session_id}")
    link = secretary.locator("#public-minutes a[href$='minutes.pdf']")
    assert await link.count() == 1
    await secretary.screenshot(path=str(shots / "07-public-page.png"), full_page=True)
    response = await secretary.request.get(await link.get_attribute("href") or "")
    assert response.status == 200 and response.headers["x-minutes-version"] == "signed"
