"""The notice an htmx action brings comes into sight: on a 360×740 phone the staff's action
buttons sit far below the top of the petition, where the "done" notice and the refusal appear.
The notice is scrolled into view and takes the focus (a screen reader reads it, the keyboard goes
on from it); on a tablet a notice already in sight leaves the page where it was."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests.browser import TABLET, login_in_browser
from tests.factories import make_user
from tests.petitions.helpers import act_ok, file_petition, setup_world

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("COUNCIL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def in_sight(page: Page, selector: str) -> bool:
    """The element's whole box is inside the viewport."""
    return bool(
        await page.eval_on_selector(
            selector,
            "el => { const b = el.getBoundingClientRect();"
            " return b.height > 0 && b.top >= 0 && b.bottom <= innerHeight; }",
        )
    )


async def focused(page: Page, selector: str) -> None:
    await page.wait_for_function(
        "sel => document.activeElement && document.activeElement.matches(sel)", arg=selector
    )


async def reject_from_the_bottom(page: Page, reason: str) -> float:
    """Reject with the form under "Other actions"; returns how far down the page was then."""
    await page.click(".more-actions summary")
    form = page.locator("form[data-action=reject]")
    await form.locator("textarea").fill(reason)
    button = form.locator("button[type=submit]")
    await button.scroll_into_view_if_needed()
    scrolled = float(await page.evaluate("scrollY"))
    await button.click()
    return scrolled


async def test_the_notice_after_an_action_comes_into_sight_on_a_phone(
    browser_page: Page, live_server: str, tmp_path: Path
) -> None:
    w = await setup_world()
    shots = shots_dir(tmp_path)
    page = browser_page
    page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
    async with httpx.AsyncClient(base_url=live_server) as http:
        done, refused, calm = [(await file_petition(http))["code"] for _ in range(3)]
        await page.set_viewport_size(SMALL_PHONE)
        await login_in_browser(page, w.commune_sec.username)

        # Done: the notice is at the top of the petition, the button far below it.
        await page.goto(f"/petitions/staff/{done}")
        await reject_from_the_bottom(page, "Không thuộc thẩm quyền của Hội đồng nhân dân phường.")
        notice = "#petition .alert-ok[role=status]"
        await focused(page, notice)
        assert await in_sight(page, notice)
        await page.screenshot(path=str(shots / "notice-phone-done.png"))

        # Refused: someone else acted first; the refusal (role=alert) comes into sight too.
        await page.goto(f"/petitions/staff/{refused}")
        await act_ok(http, w.commune_sec, refused, "reject", reason="Đã chuyển cơ quan khác.")
        was_at = await reject_from_the_bottom(page, "Trùng với kiến nghị đã có.")
        alert = "#messages [role=alert]"
        await page.wait_for_selector(alert)
        below = await page.eval_on_selector(alert, "el => el.offsetTop + el.offsetHeight")
        assert was_at > below  # where the button was, the refusal was out of sight
        await focused(page, alert)
        assert await in_sight(page, alert)
        words = await page.inner_text(alert)  # the status in words, not its code
        assert "Không tiếp nhận" in words and "rejected" not in words, words
        await page.screenshot(path=str(shots / "notice-phone-refused.png"))

        # A tablet with the notice's place already in sight: nothing moves.
        await page.set_viewport_size(TABLET)
        await page.goto(f"/petitions/staff/{calm}")
        assert await page.evaluate("scrollY") == 0
        await page.eval_on_selector(
            "form.primary-action[data-action=accept]", "f => f.requestSubmit()"
        )
        await page.wait_for_selector(notice)
        await focused(page, notice)  # the form it came from was swapped: focus goes to it
        assert await page.evaluate("scrollY") == 0 and await in_sight(page, notice)


async def test_a_late_notice_leaves_the_user_typing_elsewhere_alone(
    browser_page: Page, live_server: str, tmp_path: Path
) -> None:
    """A refusal that comes after the user moved on to another field neither scrolls the page
    nor takes the focus from that field (the notice's role still has it read out); the actions
    around it come back as they are now, and what the user typed in the field stays."""
    w = await setup_world()
    page = browser_page
    page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
    async with httpx.AsyncClient(base_url=live_server) as http:
        code = (await file_petition(http))["code"]
        await page.set_viewport_size(SMALL_PHONE)
        await login_in_browser(page, w.commune_sec.username)
        await page.goto(f"/petitions/staff/{code}")
        # Someone else accepts first: this page's "accept" is refused; rejecting is still open.
        await act_ok(http, w.commune_sec, code, "accept")
        answered = asyncio.Event()

        async def slow(route):  # type: ignore[no-untyped-def]
            if route.request.method == "POST":
                await asyncio.sleep(1.5)
                await route.continue_()
                answered.set()
            else:
                await route.continue_()

        await page.route(f"**/petitions/staff/{code}/**", slow)
        await page.eval_on_selector(
            "form.primary-action[data-action=accept]", "f => f.requestSubmit()"
        )
        # Meanwhile the user writes a reason to reject, further down the page.
        await page.click(".more-actions summary")
        field = "form[data-action=reject] textarea"
        await page.eval_on_selector(field, "el => el.scrollIntoView({block: 'center'})")
        await page.focus(field)
        await page.keyboard.type("ghi chú")
        typing_at = await page.eval_on_selector(field, "el => el.getBoundingClientRect().top")
        await asyncio.wait_for(answered.wait(), 30)
        await page.wait_for_selector("#messages [role=alert]")
        await page.wait_for_timeout(500)  # htmx settles, app.js runs
        # The actions were swapped (the next step is now to assign), the field is a fresh one.
        await page.wait_for_selector("#petition form.primary-action[data-action=assign]")
        assert await page.eval_on_selector(field, "el => document.activeElement === el")
        assert await page.input_value(field) == "ghi chú"
        now_at = await page.eval_on_selector(field, "el => el.getBoundingClientRect().top")
        assert abs(now_at - typing_at) < 2, (typing_at, now_at)
        await page.keyboard.type(" thêm")  # the user types on, in the same field
        assert await page.input_value(field) == "ghi chú thêm"
        await page.screenshot(path=str(shots_dir(tmp_path) / "notice-phone-typing-kept.png"))


async def _official_on_a_phone(browser: Browser, base: str, username: str) -> Page:
    context = await browser.new_context(base_url=base, viewport=SMALL_PHONE, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = await context.new_page()
    page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
    await login_in_browser(page, username)
    return page


async def test_two_officials_on_one_petition_the_refused_one_sees_it_as_it_is_now(
    browser_page: Page, chromium_browser: Browser, live_server: str, tmp_path: Path
) -> None:
    """Two officials have the same petition open on their phones. The first rejects it; the
    second, still seeing the old buttons, rejects too: refused, and without a reload the page
    under the refusal shows the petition rejected, with no action left to try. The same in
    English when the first accepts it and the second tries to accept it again."""
    w = await setup_world()
    colleague = await make_user("secretariat", w.commune, full_name="Văn phòng Ba Đình 2")
    shots = shots_dir(tmp_path)
    second = browser_page
    second.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
    await second.set_viewport_size(SMALL_PHONE)
    first = await _official_on_a_phone(chromium_browser, live_server, colleague.username)
    try:
        async with httpx.AsyncClient(base_url=live_server) as http:
            rejected, accepted = [(await file_petition(http))["code"] for _ in range(2)]
        await login_in_browser(second, w.commune_sec.username)

        await second.goto(f"/petitions/staff/{rejected}")
        await first.goto(f"/petitions/staff/{rejected}")
        await reject_from_the_bottom(first, "Đã chuyển cơ quan khác.")
        await first.wait_for_selector("#petition .alert-ok")
        assert await second.inner_text("#petition .badge.status-received") == "Đã tiếp nhận"
        loaded = await second.evaluate("performance.timeOrigin")
        await reject_from_the_bottom(second, "Trùng với kiến nghị đã có.")
        alert = "#messages [role=alert]"
        await second.wait_for_selector(alert)
        await second.wait_for_selector("#petition .badge.status-rejected")
        assert "Không tiếp nhận" in await second.inner_text(alert)
        assert await second.inner_text("#petition .badge.status-rejected") == "Không tiếp nhận"
        assert await second.locator("#petition form.action-form").count() == 0
        assert "Văn phòng Ba Đình 2" in await second.inner_text("#petition ol.history")
        assert await second.evaluate("performance.timeOrigin") == loaded  # no reload
        await focused(second, alert)
        assert await in_sight(second, alert)
        await second.screenshot(path=str(shots / "refused-phone-vi.png"))
        await second.screenshot(path=str(shots / "refused-phone-vi-full.png"), full_page=True)

        await second.goto(f"/petitions/staff/{accepted}?lang=en")
        await first.goto(f"/petitions/staff/{accepted}")
        await first.click("form.primary-action[data-action=accept] button[type=submit]")
        await first.wait_for_selector("#petition .alert-ok")
        await second.click("form.primary-action[data-action=accept] button[type=submit]")
        await second.wait_for_selector("#petition .badge.status-accepted")
        assert "Accepted by the commune" in await second.inner_text(alert)
        assert await second.inner_text("#petition .badge") == "Accepted by the commune"
        primary = "#petition form.primary-action[data-action=assign] button[type=submit]"
        assert await second.inner_text(primary) == "Assign to an agency"
        assert await second.locator("#petition form[data-action=accept]").count() == 0
        await second.screenshot(path=str(shots / "refused-phone-en.png"))
        await second.screenshot(path=str(shots / "refused-phone-en-full.png"), full_page=True)
    finally:
        await first.context.close()
