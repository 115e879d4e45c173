"""questioning.limits in real Chromium on the demo data, in Vietnamese: the Ba Đình secretariat
sets the sitting's time limits on a phone, the chair's console gives the floor and the hall screen
and the delegate's tablet count down from the new limits; a change during a turn leaves that
turn's timer alone. Screenshots go to $COUNCIL_SHOTS (default: the test's temporary directory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from council.models import User
from meetings.models import AgendaItem
from meetings.services import sessions as meeting_sessions
from questioning.models import QuestionForm, QuestionGroup, Round
from tests.browser import PHONE
from tests.questioning.test_questioning_browser import HALL, open_as, shot

pytestmark = pytest.mark.browser


async def set_limits(page: Page, asking: str, answering: str, followup: str) -> None:
    await page.fill("#f-asking_minutes", asking)
    await page.fill("#f-answering_minutes", answering)
    await page.fill("#f-followup_minutes", followup)
    await page.click("#limits button[type=submit]")
    await page.wait_for_selector("#limits-saved")


async def fits_the_phone(page: Page) -> None:
    """The card's fields and button are inside the phone's width (nothing to scroll sideways)."""
    for selector in ("#f-asking_minutes", "#f-followup_minutes", "#limits button[type=submit]"):
        box = await page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)


async def timer_limit(page: Page, scope: str) -> int:
    return int(await page.get_attribute(f"{scope} [data-timer]", "data-limit") or 0)


async def test_limits_set_on_a_phone_reach_the_hall_and_the_tablet(
    chromium_browser: Browser, live_server: str, demo_questioning: None, shots: Path
) -> None:
    form = await QuestionForm.filter(text__contains="Đội Cấn").first()
    sid = (await Round.get(id=form.round_id)).session_id

    office = await open_as(chromium_browser, live_server, "hn.badinh.vanphong", viewport=PHONE)
    await office.goto(f"/questioning/sessions/{sid}#limits")
    card = await office.inner_text("#limits")
    assert "Thời gian chất vấn" in card and "Mặc định: 3 phút" in card
    assert "chất vấn 3 phút, trả lời 10 phút, tranh luận 2 phút" in card
    await office.locator("#limits").scroll_into_view_if_needed()
    await fits_the_phone(office)
    await shot(office, shots, "limits-0-phone-page")
    await office.locator("#limits").screenshot(path=str(shots / "limits-1-phone-default.png"))

    await set_limits(office, "5", "15", "")
    now = await office.inner_text("#limits-now")
    assert "chất vấn 5 phút, trả lời 15 phút, tranh luận 2 phút" in now
    await office.locator("#limits").screenshot(path=str(shots / "limits-2-phone-saved.png"))

    # A browser that skips the field's own checks (min/max): the server refuses, in Vietnamese.
    await office.eval_on_selector("#limits form", "f => f.noValidate = true")
    await office.fill("#f-asking_minutes", "90")
    await office.click("#limits button[type=submit]")
    await office.wait_for_selector("#e-asking_minutes")
    assert "Số phút nguyên từ 1 đến 60." in await office.inner_text("#e-asking_minutes")
    assert "chất vấn 5 phút" in await office.inner_text("#limits-now")  # nothing saved
    await fits_the_phone(office)
    await office.locator("#limits").screenshot(path=str(shots / "limits-3-phone-refused.png"))

    # The sitting: the groups proposed, the form's chosen and fixed, started, at its questioning
    # item.
    chair = await open_as(chromium_browser, live_server, "hn.badinh.chutoa")
    await chair.goto(f"/questioning/sessions/{sid}")
    await chair.click("form[action$='/propose'] button")
    await chair.wait_for_selector(".machine-made")
    await form.refresh_from_db()
    group = await QuestionGroup.get(id=form.group_id)
    await chair.check(f"#group-{group.id} input[name=chosen]")
    await chair.click("#grouping button[type=submit]")
    await chair.click("form[action$='/fix'] button")
    await chair.wait_for_selector("text=Các nhóm vấn đề đã được chốt.")
    secretariat = await User.get(username="hn.badinh.vanphong")
    await meeting_sessions.session_start(secretariat, sid)
    item = await AgendaItem.get(session_id=sid, kind="questioning")
    await meeting_sessions.session_set_current(secretariat, sid, item.id)

    tablet = await open_as(chromium_browser, live_server, "hn.badinh.db001")
    hall = await open_as(chromium_browser, live_server, "hn.badinh.vanphong", viewport=HALL)
    await chair.goto(f"/meetings/sessions/{sid}/chair")
    await tablet.goto(f"/meetings/sessions/{sid}/tablet")
    await hall.goto(f"/meetings/sessions/{sid}/hall")
    for page in (chair, tablet, hall):
        await page.wait_for_selector("#live[data-connected=true]")
    await chair.click(f"#q-live button[data-step=call][data-form='{form.id}']")
    await hall.wait_for_selector(".q-live-hall [data-phase=asking]")
    await tablet.wait_for_selector("#q-turn[data-phase=asking]")
    assert await timer_limit(hall, ".q-live-hall") == 300
    assert await timer_limit(tablet, "#q-turn") == 300
    timer = await hall.inner_text(".q-live-hall [data-timer]")
    assert timer.startswith(("5:00", "4:5")), timer  # counting down from 5 minutes
    await shot(hall, shots, "limits-4-hall-asking-5-min")

    # Changed while the delegate asks: that turn keeps its 5 minutes, the next one gets 4.
    await office.reload()
    await set_limits(office, "4", "15", "")
    await tablet.wait_for_timeout(1500)  # questioning:update has redrawn the panel by now
    assert await timer_limit(tablet, "#q-turn") == 300
    assert await timer_limit(hall, ".q-live-hall") == 300

    await chair.click(f"#q-live button[data-step=answer][data-form='{form.id}']")
    await tablet.wait_for_selector("#q-turn[data-phase=answering]")
    await hall.wait_for_selector(".q-live-hall [data-phase=answering]")
    assert await timer_limit(tablet, "#q-turn") == 900
    timer = await tablet.inner_text("#q-turn [data-timer]")
    assert timer.startswith(("15:00", "14:5")), timer
    await shot(tablet, shots, "limits-5-tablet-answering-15-min")
    await chair.click(f"#q-live button[data-step=call][data-form='{form.id}']")
    await hall.wait_for_selector(".q-live-hall [data-phase=asking]")
    assert await timer_limit(hall, ".q-live-hall") == 240
