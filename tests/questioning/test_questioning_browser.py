"""Questioning in real Chromium on the demo data: a Ba Đình delegate files a question, the chair's
side proposes groups and sends a form for a written answer, runs a chosen group live from the
chair's console (the delegate's tablet and the hall screen follow), the official answers it, a city
department reports progress on its commitment, and the public tracker shows it. Screenshots go
to $COUNCIL_SHOTS (default: the test's temporary directory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from council.demo import DEMO_PASSWORD
from questioning.models import Commitment, QuestionForm
from tests.browser import TABLET, login_in_browser

pytestmark = pytest.mark.browser

HALL = {"width": 1920, "height": 1080}
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 20


async def open_as(
    browser: Browser, base: str, username: str | None, viewport: dict[str, int] = TABLET
) -> Page:
    context = await browser.new_context(base_url=base, viewport=viewport, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = await context.new_page()
    page.on("dialog", lambda d: __import__("asyncio").ensure_future(d.accept()))
    if username:
        await login_in_browser(page, username, DEMO_PASSWORD)
    return page


async def shot(page: Page, shots: Path, name: str) -> None:
    await page.screenshot(path=str(shots / f"questioning-{name}.png"), full_page=True)


async def item_and_panel_apart(hall: Page) -> None:
    """On the hall screen the questioning panel sits below the current item's title: both are
    on screen and their boxes do not overlap (the panel used to cover the title)."""
    item = await hall.locator(".hall-item").bounding_box()
    panel = await hall.locator(".q-live-hall").bounding_box()
    assert item and panel, (item, panel)
    assert item["height"] > 0 and panel["height"] > 0
    assert item["y"] + item["height"] <= panel["y"], (item, panel)  # the title above, clear
    viewport = hall.viewport_size or HALL
    assert panel["y"] + panel["height"] <= viewport["height"], panel  # nothing off screen
    assert await hall.locator(".hall-item").is_visible()


async def delegate_files_a_question(page: Page, shots: Path) -> None:
    await page.goto("/questioning")
    await page.click("#sittings a >> nth=0")
    await page.select_option("#f-agency_code", "UB-BADINH")
    await page.fill("#f-official_name", "Đỗ Minh Quân")
    await page.fill("#f-official_title", "Chủ tịch Ủy ban nhân dân phường Ba Đình")
    await page.fill("#f-field", "Giao thông")
    await page.fill("#f-text", "Đề nghị cho biết khi nào lắp đèn tín hiệu tại nút giao Liễu Giai?")
    await page.click("#file button[type=submit]")
    await page.wait_for_selector("[role=status]")
    assert "Liễu Giai" in await page.inner_text("#forms")
    await shot(page, shots, "1-delegate-filed")


async def chair_proposes_and_sends_for_answer(page: Page, shots: Path) -> int:
    await page.goto("/questioning")
    await page.click("#sittings a >> nth=0")
    await page.click("form[action$='/propose'] button")
    await page.wait_for_selector(".machine-made")
    await shot(page, shots, "2-chair-proposal")
    form = await QuestionForm.filter(text__contains="Liễu Giai").first()
    await page.goto(f"/questioning/forms/{form.id}")
    await page.fill("#f-working_days", "5")
    await page.click("form[action$='/answer-request'] button")
    await page.wait_for_selector("text=Hạn trả lời")
    return form.id


async def chair_runs_a_group(chair: Page, tablet: Page, hall: Page, shots: Path) -> None:
    """Choose the proposed group on the building works, fix the groups, start the sitting and move
    to its questioning item; from the chair's console, call the question and give the floor to
    the official: the delegate's tablet and the hall screen follow live over Socket.IO, with the
    timers running; the chair concludes the group."""
    from council.models import User
    from meetings.models import AgendaItem
    from meetings.services import sessions as meeting_sessions
    from questioning.models import QuestionGroup, Round

    form = await QuestionForm.filter(text__contains="Đội Cấn").first()
    group = await QuestionGroup.get(id=form.group_id)
    sid = (await Round.get(id=group.round_id)).session_id
    await chair.goto(f"/questioning/sessions/{sid}")
    await chair.check(f"#group-{group.id} input[name=chosen]")
    await chair.click("#grouping button[type=submit]")
    await chair.click("form[action$='/fix'] button")
    await chair.wait_for_selector("text=Các nhóm vấn đề đã được chốt.")
    office = await User.get(username="hn.badinh.vanphong")
    await meeting_sessions.session_start(office, sid)
    item = await AgendaItem.get(session_id=sid, kind="questioning")
    await meeting_sessions.session_set_current(office, sid, item.id)

    await chair.goto(f"/meetings/sessions/{sid}/chair")
    await tablet.goto(f"/meetings/sessions/{sid}/tablet")
    await hall.goto(f"/meetings/sessions/{sid}/hall")
    for page in (chair, tablet, hall):
        await page.wait_for_selector("#live[data-connected=true]")
    await chair.click(f"#q-live button[data-step=call][data-form='{form.id}']")
    await tablet.wait_for_selector("#q-turn[data-phase=asking]")
    await hall.wait_for_selector(".q-live-hall [data-phase=asking]")
    timer = await hall.inner_text(".q-live-hall [data-timer]")
    assert timer.startswith(("3:00", "2:5")), timer  # counting down from 3 minutes
    await shot(hall, shots, "2a-hall-delegate-asks")
    await item_and_panel_apart(hall)
    await chair.click(f"#q-live button[data-step=answer][data-form='{form.id}']")
    await tablet.wait_for_selector("#q-turn[data-phase=answering]")
    await hall.wait_for_selector(".q-live-hall [data-phase=answering]")
    speaker = await hall.inner_text(".q-live-hall .q-speaker")
    assert "Chủ tịch Ủy ban nhân dân phường Ba Đình" in speaker
    assert speaker in await tablet.inner_text("#q-turn")
    await shot(tablet, shots, "2b-tablet-official-answers")
    await shot(hall, shots, "2c-hall-official-answers")
    await item_and_panel_apart(hall)
    await a_vote_during_the_questioning(chair, tablet, hall, shots, sid, item.id, form.id)
    await chair.fill(f"#q-conclude-{group.id}", "Đề nghị UBND phường xử lý dứt điểm trong quý I.")
    await chair.click(f"button[data-conclude='{group.id}']")
    await tablet.wait_for_selector(".q-conclusion")
    await hall.wait_for_selector("#q-hall-conclusion")
    assert "xử lý dứt điểm" in await hall.inner_text("#q-hall-conclusion")
    await item_and_panel_apart(hall)
    await shot(chair, shots, "2d-chair-concluded")
    await shot(hall, shots, "2e-hall-conclusion")


async def a_vote_during_the_questioning(
    chair: Page, tablet: Page, hall: Page, shots: Path, sid: int, item_id: int, form_id: int
) -> None:
    """A vote opened during a turn: the hall shows the vote, not the questioning; the chair's
    buttons wait for the close; the tablet's panel points at the ballot; after the close the hall
    shows the result, and the next turn brings the questioning back."""
    from council.models import User
    from meetings import services as meetings

    office = await User.get(username="hn.badinh.vanphong")
    seats = await User.filter(
        council_id=office.council_id, role__in=("delegate", "chair"), is_active=True
    ).order_by("username")  # hn.badinh.chutoa, hn.badinh.db001 (the tablet), …
    for user in seats[:22]:
        await meetings.attendance_check_in(office, sid, user.id)
    poll = await meetings.poll_create(
        office, sid, title="Thông qua kết quả chất vấn", item_id=item_id
    )
    await chair.reload()
    await chair.click(f"form:has(input[name=poll_id][value='{poll.id}']) button.open-vote")
    await hall.wait_for_selector("#hall[data-state=vote]")
    await hall.wait_for_selector(".q-live-hall", state="detached")
    await shot(hall, shots, "2c1-hall-vote-during-questioning")
    await chair.wait_for_selector("#q-vote-open")
    assert await chair.is_disabled(f"#q-live button[data-step=followup][data-form='{form_id}']")
    await tablet.wait_for_selector("#q-vote-open a[href='#vote-panel']")
    await tablet.click("#q-vote-open a[href='#vote-panel']")
    await tablet.click("#vote-panel button[value=yes]")
    await tablet.wait_for_selector("#voted-msg")
    await chair.click("#close-vote")
    await hall.wait_for_selector("#hall[data-state=result]")
    assert await hall.query_selector(".q-live-hall") is None
    await shot(hall, shots, "2c2-hall-result-during-questioning")
    await chair.wait_for_selector("#q-vote-open", state="detached")
    await chair.click(f"#q-live button[data-step=followup][data-form='{form_id}']")
    await hall.wait_for_selector(".q-live-hall [data-phase=followup]")


async def official_answers(page: Page, shots: Path, form_id: int) -> None:
    await page.goto("/questioning")
    await page.click(f"#to-answer a[href='/questioning/forms/{form_id}']")
    await page.fill("#f-answer", "Ủy ban sẽ lắp đèn tín hiệu trong tháng 3/2027.")
    await page.click("form[action$='/answer'] button[type=submit]")
    await page.wait_for_selector(".answer-text")
    await shot(page, shots, "3-official-answered")


async def department_reports_progress(page: Page, shots: Path, tmp: Path) -> int:
    c = (
        await Commitment.filter(done_on=None, deadline__gt="2000-01-01")
        .order_by("-deadline")
        .first()
    )
    await page.goto("/questioning")
    await page.click(f"#to-report a[href='/questioning/commitments/{c.id}']")
    await page.fill("#f-percent", "70")
    await page.fill("#f-note", "Đã kè xong 700 m bờ sông.")
    evidence = tmp / "anh-hien-truong.png"
    evidence.write_bytes(PNG)
    await page.set_input_files("#f-evidence", str(evidence))
    await page.click("#report button[type=submit]")
    await page.wait_for_selector("#history a:has-text('minh chứng')")
    await shot(page, shots, "4-department-reported")
    return c.id


async def public_sees_the_tracker(page: Page, shots: Path, cid: int) -> None:
    await page.goto("/questioning/tracker/HN")
    row = await page.inner_text(f"#commitment-{cid}")
    assert "70%" in row
    text = await page.inner_text("#on-time")
    assert "Sở Xây dựng Hà Nội" in text
    await shot(page, shots, "5-public-tracker")


async def test_questioning_journey(
    chromium_browser: Browser, live_server: str, demo_questioning: None, shots: Path, tmp_path: Path
) -> None:
    delegate = await open_as(chromium_browser, live_server, "hn.badinh.db001")
    await delegate_files_a_question(delegate, shots)
    chair = await open_as(chromium_browser, live_server, "hn.badinh.chutoa")
    form_id = await chair_proposes_and_sends_for_answer(chair, shots)
    hall = await open_as(chromium_browser, live_server, "hn.badinh.vanphong", viewport=HALL)
    await chair_runs_a_group(chair, delegate, hall, shots)
    official = await open_as(chromium_browser, live_server, "cb.ub-badinh")
    await official_answers(official, shots, form_id)
    department = await open_as(chromium_browser, live_server, "cb.so-tnmt")
    cid = await department_reports_progress(department, shots, tmp_path)
    public = await open_as(chromium_browser, live_server, None)
    await public_sees_the_tracker(public, shots, cid)
