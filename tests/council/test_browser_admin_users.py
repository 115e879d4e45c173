"""The users list in a real Chromium: each row's actions ("Sửa", "Vô hiệu hóa") sit on one line."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from council.settings import Settings
from tests.browser import login_in_browser
from tests.factories import make_council, make_user

pytestmark = pytest.mark.browser


async def test_a_rows_actions_are_aligned(browser_page: Page, settings: Settings) -> None:
    council = await make_council("HN")
    other = await make_user("delegate", council, username="db.hn", full_name="Lê Văn An")
    admin = await make_user("admin", username="quantri")
    page = browser_page
    await login_in_browser(page, admin.username)
    await page.goto("/admin/users")
    row = page.locator(f"#user-{other.id} .actions")
    edit = await row.locator("a").bounding_box()
    deactivate = await row.locator("button[type=submit]").bounding_box()
    assert edit and deactivate
    # Same line: their vertical centres within a couple of pixels (the button sat 16 px lower).
    middle = edit["y"] + edit["height"] / 2
    assert abs(deactivate["y"] + deactivate["height"] / 2 - middle) <= 2, (edit, deactivate)
