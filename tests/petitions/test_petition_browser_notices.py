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
from playwright.async_api import Page

from tests.browser import TABLET, login_in_browser
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
    nor takes the focus from that field (the notice's role still has it read out)."""
    w = await setup_world()
    page = browser_page
    page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
    async with httpx.AsyncClient(base_url=live_server) as http:
        code = (await file_petition(http))["code"]
        await page.set_viewport_size(SMALL_PHONE)
        await login_in_browser(page, w.commune_sec.username)
        await page.goto(f"/petitions/staff/{code}")
        # Someone else acts first: this page's reject is refused, and the page stays as it is.
        await act_ok(http, w.commune_sec, code, "reject", reason="Đã chuyển cơ quan khác.")
        answered = asyncio.Event()

        async def slow(route):  # type: ignore[no-untyped-def]
            if route.request.method == "POST":
                await asyncio.sleep(1.5)
                await route.continue_()
                answered.set()
            else:
                await route.continue_()

        await page.route(f"**/petitions/staff/{code}/**", slow)
        await reject_from_the_bottom(page, "Không thuộc thẩm quyền của Hội đồng nhân dân phường.")
        # Meanwhile the user types in another field of the page.
        other = await page.evaluate_handle(
            "() => [...document.querySelectorAll('textarea, input[type=text], input[type=search]')]"
            ".find(el => !el.closest('form[data-action=reject]') && el.getClientRects().length)"
        )
        assert await other.evaluate("el => !!el")
        await other.evaluate("el => { el.scrollIntoView({block: 'center'}); el.focus(); }")
        await page.keyboard.type("ghi chú")
        # Where the field is on the screen (a notice inserted above it shifts the page, which the
        # browser's scroll anchoring compensates: the field stays put).
        typing_at = await other.evaluate("el => el.getBoundingClientRect().top")
        await asyncio.wait_for(answered.wait(), 30)
        await page.wait_for_selector("#messages [role=alert]")
        await page.wait_for_timeout(500)  # htmx settles, app.js runs
        assert await other.evaluate("el => document.activeElement === el")
        now_at = await other.evaluate("el => el.getBoundingClientRect().top")
        assert abs(now_at - typing_at) < 2, (typing_at, now_at)
