"""assistant.ask over HTTP: retrieval with accents folded, [document, page] citations, nothing
invented, confidentiality, re-indexing after a new version, pages, the usage log."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from assistant.models import UsageEntry
from tests.assistant.conftest import REPORT_TITLE, report_texts, setup_session, with_llm
from tests.assistant.openai_server import OpenAIServer, user_text
from tests.factories import bearer, error_code, htmx, login, make_council, make_user
from tests.html import attrs, has, refusal, text, texts

QUESTIONS = "/api/v1/assistant/questions"
SECRET_PAGES = [
    "Phương án nhân sự: điều động ông Trần Văn Bảo, Phó Giám đốc Sở Xây dựng, giữ chức Giám đốc Sở Tài chính.",
    "Hồ sơ nhân sự kèm theo được lưu tại Văn phòng, không công bố.",
]
NOT_FOUND_VI = "Tài liệu của kỳ họp không đề cập nội dung này."


async def _sitting() -> Any:
    return await setup_session(
        {
            "report": ("public", report_texts()),
            "Tờ trình nhân sự": ("confidential", SECRET_PAGES),
        }
    )


async def test_answer_cites_document_and_page(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server))
    sitting = await _sitting()
    report = sitting.documents["report"]
    response = await client.post(
        QUESTIONS,
        json={
            "session_id": sitting.session_id,
            "question": "Tỷ lệ giải ngân vốn đầu tư công năm 2025 đạt bao nhiêu?",
        },
        headers=await bearer(sitting.delegate),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["found"] is True and body["model_called"] is True
    assert (
        body["provider"] == "openai"
        and body["model"] == "loopback-vi"
        and body["machine_written"] is True
    )
    assert llm_server.count == 1
    prompt = user_text(llm_server.requests[0])
    assert prompt.startswith("Các đoạn trích tài liệu của kỳ họp:")
    assert f"[TL {report}, tr. 1] «Báo cáo tình hình kinh tế - xã hội năm 2025»" in prompt
    assert prompt.rstrip().endswith(
        "Câu hỏi: Tỷ lệ giải ngân vốn đầu tư công năm 2025 đạt bao nhiêu?"
    )
    assert (
        "Nếu các đoạn trích không chứa thông tin"
        in llm_server.requests[0]["messages"][0]["content"]
    )
    cited = {(c["document_id"], c["page"]): c for c in body["citations"]}
    assert (report, 1) in cited  # "... tỷ lệ giải ngân vốn đầu tư công ... ước đạt 85%"
    page_one = cited[(report, 1)]
    assert page_one["title"] == "Báo cáo tình hình kinh tế - xã hội năm 2025"
    assert "giải ngân vốn đầu tư công" in page_one["excerpt"]
    assert "Trần Văn Bảo" not in prompt  # the confidential document did not match


async def test_question_without_accents_finds_the_page(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    sitting = await _sitting()
    response = await client.post(
        QUESTIONS,
        json={
            "session_id": sitting.session_id,
            "question": "tinh trang ngap ung da khac phuc chua",
        },
        headers=await bearer(sitting.delegate),
    )
    body = response.json()
    assert body["found"] is True and body["provider"] == "extractive"
    assert "ngập úng" in body["answer"]
    assert (body["citations"][0]["document_id"], body["citations"][0]["page"]) == (
        sitting.documents["report"],
        4,
    )


async def test_nothing_relevant_says_so_and_calls_no_model(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server))
    sitting = await _sitting()
    response = await client.post(
        QUESTIONS,
        json={
            "session_id": sitting.session_id,
            "question": "Giá vàng thế giới hôm nay tăng bao nhiêu?",
        },
        headers=await bearer(sitting.delegate),
    )
    body = response.json()
    assert body == {
        **body,
        "answer": NOT_FOUND_VI,
        "citations": [],
        "found": False,
        "model_called": False,
    }
    assert llm_server.count == 0
    entry = await UsageEntry.get(action="assistant.ask")
    assert entry.outcome == "not_found" and entry.calls == 0 and entry.pages_sent == []
    assert entry.detail["question"].startswith("Giá vàng")


async def test_confidential_passages_never_reach_an_untrusted_model(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server, llm_trusted=False))
    sitting = await _sitting()
    headers = await bearer(sitting.delegate)
    response = await client.post(
        QUESTIONS,
        json={
            "session_id": sitting.session_id,
            "question": "Ai được điều động giữ chức Giám đốc Sở Tài chính?",
        },
        headers=headers,
    )
    body = response.json()
    assert body["found"] is True and body["provider"] == "extractive" and body["notice"]
    assert "Trần Văn Bảo" in body["answer"]
    assert body["citations"][0]["document_id"] == sitting.documents["Tờ trình nhân sự"]
    # A question on public pages still goes to the model, without the confidential text.
    await client.post(
        QUESTIONS,
        json={
            "session_id": sitting.session_id,
            "question": "Chất lượng không khí mùa đông thế nào?",
        },
        headers=headers,
    )
    assert llm_server.count == 1
    for body_text in llm_server.bodies():
        for secret in ("Trần Văn Bảo", "Phó Giám đốc Sở Xây dựng", "không công bố"):
            assert secret not in body_text
    entries = await UsageEntry.filter(action="assistant.ask").order_by("id")
    assert [e.downgraded for e in entries] == [True, False]


async def test_trusted_model_answers_about_confidential_documents(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server, llm_trusted=True))
    sitting = await _sitting()
    response = await client.post(
        QUESTIONS,
        json={
            "session_id": sitting.session_id,
            "question": "Ai được điều động giữ chức Giám đốc Sở Tài chính?",
        },
        headers=await bearer(sitting.delegate),
    )
    assert response.json()["provider"] == "openai"
    assert any("Trần Văn Bảo" in b for b in llm_server.bodies())


async def test_new_version_is_reindexed(settings: Any, make_client: Any) -> None:
    from meetings import services as meetings
    from meetings.documents.generate import make_docx

    client = await make_client(with_llm(settings, None))
    sitting = await _sitting()
    headers = await bearer(sitting.delegate)
    ask = {
        "session_id": sitting.session_id,
        "question": "Kế hoạch xây dựng cầu Tứ Liên khởi công khi nào?",
    }
    assert (await client.post(QUESTIONS, json=ask, headers=headers)).json()["found"] is True
    new_pages = [
        "Báo cáo điều chỉnh: dự án cầu Tứ Liên lùi thời điểm khởi công sang quý IV năm 2026."
    ]
    await meetings.document_replace(
        sitting.secretariat,
        sitting.documents["report"],
        make_docx("Báo cáo điều chỉnh", new_pages),
        filename="v2.docx",
    )
    after = (await client.post(QUESTIONS, json=ask, headers=headers)).json()
    assert after["found"] is True and "quý IV năm 2026" in after["answer"]
    gone = await client.post(
        QUESTIONS,
        json={"session_id": sitting.session_id, "question": "Nhà máy xử lý nước thải Yên Xá"},
        headers=headers,
    )
    assert gone.json()["found"] is False  # only in the first version


async def test_validation_and_denials(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    sitting = await _sitting()
    headers = await bearer(sitting.delegate)
    for payload in (
        {"session_id": sitting.session_id, "question": "a"},
        {"session_id": sitting.session_id, "question": "x" * 1001},
        {"session_id": sitting.session_id},
        {"session_id": "one", "question": "ngân sách"},
    ):
        response = await client.post(QUESTIONS, json=payload, headers=headers)
        assert refusal(response) == (422, "invalid"), payload
    missing = await client.post(
        QUESTIONS, json={"session_id": 424242, "question": "ngân sách"}, headers=headers
    )
    assert refusal(missing) == (404, "not_found")
    citizen = await make_user("citizen")
    denied = await client.post(
        QUESTIONS,
        json={"session_id": sitting.session_id, "question": "ngân sách"},
        headers=await bearer(citizen),
    )
    assert denied.status_code == 403 and error_code(denied) == "forbidden"
    outsider = await make_user("delegate", await make_council())
    other = await client.post(
        QUESTIONS,
        json={"session_id": sitting.session_id, "question": "ngân sách"},
        headers=await bearer(outsider),
    )
    assert refusal(other) in ((403, "forbidden"), (404, "not_found"))
    assert await UsageEntry.all().count() == 0


async def test_model_error_is_a_clear_message(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server))
    sitting = await _sitting()
    llm_server.fail_status = 503
    response = await client.post(
        QUESTIONS,
        json={"session_id": sitting.session_id, "question": "Thu ngân sách nhà nước năm 2025"},
        headers=await bearer(sitting.delegate),
    )
    assert response.status_code == 502 and error_code(response) == "model_error"
    assert (await UsageEntry.get(action="assistant.ask")).outcome == "model_error"


async def test_session_page_and_answer_fragment(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    sitting = await _sitting()
    await login(client, sitting.delegate)
    page = await client.get(f"/assistant/sessions/{sitting.session_id}")
    assert page.status_code == 200 and has(page.text, "form#ask-form textarea[name=question]")
    titles = texts(page.text, "ul.documents li > a")
    assert any(t.startswith("Tờ trình nhân sự") for t in titles), titles
    assert any(t.startswith("Báo cáo tình hình kinh tế") for t in titles), titles
    fragment = await client.post(
        f"/assistant/sessions/{sitting.session_id}",
        data={"question": "ô nhiễm không khí"},
        headers=htmx(),
    )
    assert fragment.status_code == 200 and not has(fragment.text, "main, form#ask-form")
    html = lxml.html.fromstring(fragment.text)
    (article,) = html.xpath("//article[@data-found='true']")
    report_id = sitting.documents["report"]
    # Each point carries its page by the document's title, linking to the viewer at that page;
    # the model's internal tag ("TL 7") is never shown.
    cites = article.xpath(".//ul[@class='points']/li/a[@class='cite']")
    assert cites and all(a.text.endswith(", tr. 4") for a in cites)
    assert cites[0].get("href") == f"/meetings/documents/{report_id}#page=4"
    assert cites[0].text.startswith(REPORT_TITLE[:20])
    assert "TL " not in article.text_content()
    (label,) = article.xpath(".//p[@data-machine-written='true']")
    assert (
        label.xpath("./svg") and "Do máy tạo — kiểm tra trước khi sử dụng" in label.text_content()
    )
    assert "extractive · textrank-vi-2" in label.text_content()
    full = await client.post(
        f"/assistant/sessions/{sitting.session_id}", data={"question": "giá vàng thế giới"}
    )
    assert full.status_code == 200 and has(full.text, "main #answer")
    assert NOT_FOUND_VI in text(full.text, "#answer article.assistant-answer[data-found=false]")
    short = await client.post(
        f"/assistant/sessions/{sitting.session_id}", data={"question": "a"}, headers=htmx()
    )
    assert refusal(short) == (422, "invalid")
    dashboard = await client.get("/")
    assert f"/assistant/sessions/{sitting.session_id}" in attrs(dashboard.text, "a", "href")

    outsider = await make_user("delegate", await make_council())
    await login(client, outsider)
    outside = await client.get(f"/assistant/sessions/{sitting.session_id}")
    assert refusal(outside) in ((403, "forbidden"), (404, "not_found"))
    citizen = await make_user("citizen")
    await login(client, citizen)
    denied = await client.get(f"/assistant/sessions/{sitting.session_id}")
    assert refusal(denied) == (403, "forbidden")


async def test_usage_log_for_admins_only(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    sitting = await _sitting()
    await client.post(
        QUESTIONS,
        json={"session_id": sitting.session_id, "question": "ô nhiễm không khí"},
        headers=await bearer(sitting.delegate),
    )
    admin = await make_user("admin")
    listed = await client.get("/api/v1/assistant/usage", headers=await bearer(admin))
    assert listed.status_code == 200
    item = listed.json()["items"][0]
    assert item["action"] == "assistant.ask" and item["username"] == sitting.delegate.username
    assert item["provider"] == "extractive" and item["documents"] == [sitting.documents["report"]]
    bad = await client.get("/api/v1/assistant/usage?page=x", headers=await bearer(admin))
    assert refusal(bad) == (422, "invalid")
    denied = await client.get("/api/v1/assistant/usage", headers=await bearer(sitting.secretariat))
    assert refusal(denied) == (403, "forbidden")
    assert denied.json()["error"]["details"]["operation"] == "assistant.usage"
    await login(client, admin)
    page = await client.get("/assistant/usage")
    assert page.status_code == 200
    assert texts(page.text, "table.usage-log tbody tr td:nth-child(2)") == [
        sitting.delegate.username
    ]
    assert "assistant.ask" in attrs(page.text, "select#action option", "value")


async def test_pages_are_searchable_when_their_upload_commits(settings: Any) -> None:
    """On PostgreSQL search, a document's pages are indexed in the transaction that commits
    their text: found before anyone asks a question, and never after a failed upload."""
    from assistant import retrieval
    from council.search.engine import configure_for

    if configure_for(settings).backend != "postgres":
        pytest.skip("Whoosh indexes pages on demand")
    sitting = await _sitting()
    document_id = sitting.documents["report"]
    found = await retrieval.index().asearch("cầu Tứ Liên", filters={"document_id": document_id})
    assert found.total >= 1
    assert {int(h.fields["document_id"]) for h in found.hits} == {document_id}
