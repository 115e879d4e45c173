"""assistant.usage page: each use named in words, its documents by title, and where the text
went: "xử lý tại máy chủ, không gửi ra ngoài" for the offline summarizer, never "đã gửi N trang"."""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.assistant.conftest import REPORT_TITLE, report_texts, setup_session, with_llm
from tests.assistant.openai_server import OpenAIServer
from tests.factories import bearer, login, make_user

QUESTIONS = "/api/v1/assistant/questions"
QUESTION = "Tỷ lệ giải ngân vốn đầu tư công năm 2025 đạt bao nhiêu?"


def _rows(html: str) -> list[dict[str, str]]:
    out = []
    for tr in HTMLParser(html).css("table.usage-log tbody tr"):

        def cell(selector: str, tr: Any = tr) -> str:
            return " ".join(tr.css_first(selector).text(deep=True).split())

        out.append(
            {
                "action": cell(".usage-action"),
                "documents": cell(".usage-documents"),
                "where": cell(".usage-where"),
            }
        )
    return out


async def _ask_and_read_the_log(client: Any) -> list[dict[str, str]]:
    sitting = await setup_session({"report": ("public", report_texts())})
    r = await client.post(
        QUESTIONS,
        json={"session_id": sitting.session_id, "question": QUESTION},
        headers=await bearer(sitting.delegate),
    )
    assert r.status_code == 200, r.text
    await login(client, await make_user("admin"))
    page = await client.get("/assistant/usage")
    assert page.status_code == 200
    return _rows(page.text)


async def test_the_offline_summarizer_says_nothing_left_the_server(
    settings: Any, make_client: Any
) -> None:
    client = await make_client(with_llm(settings, None))
    (row,) = await _ask_and_read_the_log(client)
    assert row["action"] == "Hỏi đáp về tài liệu kỳ họp"
    assert REPORT_TITLE in row["documents"]
    assert row["where"] == "xử lý tại máy chủ, không gửi ra ngoài"
    assert "trang" not in row["where"]


async def test_the_usage_table_words_tokens_for_people(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    await _ask_and_read_the_log(client)
    page = await client.get("/assistant/usage")
    headers = [
        " ".join(th.text().split()) for th in HTMLParser(page.text).css("table.usage-log th")
    ]
    assert "Lượng văn bản vào / ra (token)" in headers and "Token vào / ra" not in headers


async def test_a_model_server_is_named_with_the_pages_sent(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server))
    (row,) = await _ask_and_read_the_log(client)
    assert row["where"].startswith("đã gửi ") and row["where"].endswith(
        "trang đến openai · loopback-vi"
    )
