"""In Chromium: a delegate asks a question from the tablet and sees the cited answer; the
summary streams into the document view."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assistant.conftest import REPORT_TITLE, report_texts, setup_session, with_llm
from tests.assistant.openai_server import OpenAIServer
from tests.browser import login_in_browser, text_of


@pytest.fixture
def app(settings: Any, llm_server: OpenAIServer) -> Any:
    """The live server's app, its assistant talking to the loopback model server."""
    from council.app import create_app
    from council.search.engine import configure

    configure(settings.index_dir)
    return create_app(with_llm(settings, llm_server), manage_db=False)


@pytest.mark.browser
async def test_delegate_asks_from_the_tablet_and_sees_the_cited_answer(
    browser_page: Any, llm_server: OpenAIServer
) -> None:
    sitting = await setup_session({"report": ("public", report_texts())})
    report = sitting.documents["report"]
    page = browser_page
    await login_in_browser(page, sitting.delegate.username)
    await page.goto(f"/assistant/sessions/{sitting.session_id}")
    await page.fill("#question", "Tình trạng ngập úng sau mưa lớn đã được khắc phục chưa?")
    await page.click("#ask-form button[type=submit]")
    answer = page.locator(".assistant-answer[data-found=true]")
    await answer.wait_for()
    text = await text_of(page, ".assistant-answer")
    # Labelled machine-written in words and with the app's own icon, with its model.
    assert "Do máy tạo — kiểm tra trước khi sử dụng" in text and "loopback-vi" in text
    assert await page.locator(".assistant-answer .machine-label svg").is_visible()
    # The point cites its page by the document's title; the model's "[TL n, …]" is not shown.
    assert "ngập úng" in text and "[TL" not in text
    point_link = page.locator(
        f".assistant-answer li a.cite[href='/meetings/documents/{report}#page=4']"
    )
    assert await point_link.count() >= 1
    assert await point_link.first.inner_text() == f"{REPORT_TITLE}, tr. 4"
    link = page.locator(f".citations a[href='/meetings/documents/{report}#page=4']")
    assert await link.count() == 1
    assert llm_server.count == 1

    # Nothing relevant: said plainly, no model call.
    await page.fill("#question", "Giá vàng thế giới hôm nay?")
    await page.click("#ask-form button[type=submit]")
    await page.locator(".assistant-answer[data-found=false]").wait_for()
    assert "không đề cập" in await text_of(page, ".assistant-answer")
    assert llm_server.count == 1


@pytest.mark.browser
async def test_summary_streams_into_the_document_view(
    browser_page: Any, llm_server: OpenAIServer
) -> None:
    sitting = await setup_session({"report": ("public", report_texts())})
    report = sitting.documents["report"]
    page = browser_page
    await login_in_browser(page, sitting.delegate.username)
    await page.goto(f"/assistant/documents/{report}")
    await page.click("form[data-stream-summary] button[type=submit]")
    await page.locator("#summary .assistant-summary .citations li").first.wait_for()
    text = await text_of(page, "#summary")
    assert "loopback-vi" in text and "[tr." not in text
    assert await page.locator("#summary .machine-label svg").is_visible()
    first = page.locator("#summary ul.points li").first
    assert (await first.locator("a.cite").inner_text()) == f"{REPORT_TITLE}, tr. 1"
    assert await page.locator("#summary .citations li").count() == 5
    assert llm_server.requests[-1]["stream"] is True
