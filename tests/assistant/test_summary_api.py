"""assistant.summarize over HTTP: cache, page citations, confidentiality, errors, limits, log."""

from __future__ import annotations

import json
from typing import Any

import lxml.html

from assistant.models import CachedSummary, UsageEntry
from council.templating import static_url
from tests.assistant.conftest import REPORT_TITLE, report_texts, setup_session, with_llm
from tests.assistant.openai_server import OpenAIServer
from tests.factories import bearer, error_code, htmx, login, make_council, make_user
from tests.html import attrs, has, refusal

SUMMARIES = "/api/v1/assistant/summaries"
SECRET = "Phương án nhân sự bí mật: điều động ông Trần Văn Bảo làm Giám đốc Sở Tài chính."


async def _report_sitting() -> Any:
    return await setup_session(
        {
            "report": ("internal", report_texts()),
            "Tờ trình nhân sự": (
                "confidential",
                [SECRET, "Hồ sơ nhân sự kèm theo, không công bố."],
            ),
        }
    )


async def test_summary_cites_pages_and_a_repeat_makes_no_model_call(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server))
    sitting = await _report_sitting()
    headers = await bearer(sitting.delegate)
    doc_id = sitting.documents["report"]

    first = await client.post(SUMMARIES, json={"document_id": doc_id}, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (
        body["provider"] == "openai" and body["model"] == "loopback-vi" and body["cached"] is False
    )
    assert body["machine_written"] is True and "loopback-vi" in body["label"]
    assert body["notice"] is None
    assert [c["page"] for c in body["citations"]] == [1, 2, 3, 4, 5]
    assert all(c["document_id"] == doc_id and c["excerpt"] for c in body["citations"])
    assert "[tr. 1]" in body["summary"]
    calls = llm_server.count
    assert calls == 1  # five pages fit one 8k context

    second = await client.post(SUMMARIES, json={"document_id": doc_id}, headers=headers)
    assert second.status_code == 200
    assert second.json()["cached"] is True and second.json()["summary"] == body["summary"]
    assert llm_server.count == calls  # zero requests for the repeat

    log = await UsageEntry.filter(action="assistant.summarize").order_by("id")
    assert [(e.cached, e.calls, e.outcome) for e in log] == [(False, 1, "ok"), (True, 0, "ok")]
    assert log[0].user_id == sitting.delegate.id and log[0].documents == [doc_id]
    assert log[0].provider == "openai" and log[0].model == "loopback-vi"
    assert log[0].prompt_tokens > 0 and log[0].completion_tokens > 0
    assert sorted(tuple(p) for p in log[0].pages_sent) == [(doc_id, n) for n in range(1, 6)]


async def test_cache_key_changes_with_model(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    sitting = await _report_sitting()
    headers = await bearer(sitting.delegate)
    doc_id = sitting.documents["report"]
    one = await make_client(with_llm(settings, llm_server))
    await one.post(SUMMARIES, json={"document_id": doc_id}, headers=headers)
    other = await make_client(with_llm(settings, llm_server, llm_model="another-model"))
    response = await other.post(SUMMARIES, json={"document_id": doc_id}, headers=headers)
    assert response.json()["cached"] is False and response.json()["model"] == "another-model"
    assert llm_server.count == 2
    assert await CachedSummary.filter(document_id=doc_id).count() == 2


async def test_long_document_is_map_reduced_within_a_small_context(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server, llm_context_tokens=2048))
    sitting = await setup_session({"report": ("public", report_texts() * 3)})
    headers = await bearer(sitting.delegate)
    response = await client.post(
        SUMMARIES, json={"document_id": sitting.documents["report"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    requests = llm_server.count
    assert requests >= 4
    usage = await UsageEntry.get(action="assistant.summarize")
    assert usage.calls == requests
    again = await client.post(
        SUMMARIES, json={"document_id": sitting.documents["report"]}, headers=headers
    )
    assert again.json()["cached"] is True and llm_server.count == requests


async def test_confidential_document_is_summarized_offline_by_an_untrusted_setup(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server, llm_trusted=False))
    sitting = await _report_sitting()
    response = await client.post(
        SUMMARIES,
        json={"document_id": sitting.documents["Tờ trình nhân sự"]},
        headers=await bearer(sitting.delegate),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provider"] == "extractive" and body["notice"]
    assert "Trần Văn Bảo" in body["summary"]  # quoted from the page, offline
    assert llm_server.count == 0
    assert not any("Trần Văn Bảo" in b for b in llm_server.bodies())
    entry = await UsageEntry.get(action="assistant.summarize")
    assert entry.downgraded and entry.provider == "extractive"


async def test_trusted_model_may_read_confidential_documents(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server, llm_trusted=True))
    sitting = await _report_sitting()
    response = await client.post(
        SUMMARIES,
        json={"document_id": sitting.documents["Tờ trình nhân sự"]},
        headers=await bearer(sitting.delegate),
    )
    assert response.json()["provider"] == "openai" and response.json()["notice"] is None
    assert any("Trần Văn Bảo" in b for b in llm_server.bodies())


async def test_model_timeout_and_error_are_clear_messages(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server, llm_timeout=0.3))
    sitting = await _report_sitting()
    headers = await bearer(sitting.delegate)
    llm_server.delay = 2.0
    slow = await client.post(
        SUMMARIES, json={"document_id": sitting.documents["report"]}, headers=headers
    )
    assert slow.status_code == 504 and error_code(slow) == "model_timeout"
    assert "thời gian" in slow.json()["error"]["message"]  # Vietnamese by default
    llm_server.delay = 0
    llm_server.fail_status = 500
    failed = await client.post(
        SUMMARIES, json={"document_id": sitting.documents["report"]}, headers=headers
    )
    assert failed.status_code == 502 and error_code(failed) == "model_error"
    outcomes = (
        await UsageEntry.filter(action="assistant.summarize")
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["model_timeout", "model_error"]
    assert await CachedSummary.all().count() == 0


async def test_bad_input_and_unknown_document(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    sitting = await _report_sitting()
    headers = await bearer(sitting.delegate)
    for payload in (
        {},
        {"document_id": "abc"},
        {"document_id": 0},
        {"document_id": 1, "x": 1},
        [1],
    ):
        response = await client.post(SUMMARIES, json=payload, headers=headers)
        assert refusal(response) == (422, "invalid"), payload
    missing = await client.post(SUMMARIES, json={"document_id": 99999}, headers=headers)
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    broken = await client.post(
        SUMMARIES, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert refusal(broken) == (400, "bad_request")


async def test_denied_to_wrong_role_and_wrong_council(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    sitting = await _report_sitting()
    doc_id = sitting.documents["report"]
    anonymous = await client.post(SUMMARIES, json={"document_id": doc_id})
    assert refusal(anonymous) == (401, "unauthorized")
    citizen = await make_user("citizen")
    response = await client.post(
        SUMMARIES, json={"document_id": doc_id}, headers=await bearer(citizen)
    )
    assert refusal(response) == (403, "forbidden")
    assert response.json()["error"]["details"]["operation"] == "assistant.summarize"
    outsider = await make_user("delegate", await make_council())
    response = await client.post(
        SUMMARIES, json={"document_id": doc_id}, headers=await bearer(outsider)
    )
    assert refusal(response) in ((403, "forbidden"), (404, "not_found"))
    admin = await make_user("admin")
    secret = sitting.documents["Tờ trình nhân sự"]
    response = await client.post(
        SUMMARIES, json={"document_id": secret}, headers=await bearer(admin)
    )
    assert refusal(response) == (403, "forbidden")  # admins never read confidential documents
    assert await UsageEntry.all().count() == 0


async def test_rate_limit_per_user(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None, assistant_rate="2/3600"))
    sitting = await _report_sitting()
    headers = await bearer(sitting.delegate)
    doc_id = sitting.documents["report"]
    codes = [
        (await client.post(SUMMARIES, json={"document_id": doc_id}, headers=headers)).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    other = await client.post(
        SUMMARIES, json={"document_id": doc_id}, headers=await bearer(sitting.secretariat)
    )
    assert other.status_code == 200


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for frame in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


async def test_streamed_summary_is_server_sent_events(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server, llm_context_tokens=2048))
    sitting = await _report_sitting()
    headers = await bearer(sitting.delegate)
    doc_id = sitting.documents["report"]
    response = await client.post(
        f"{SUMMARIES}/stream", json={"document_id": doc_id}, headers=headers
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/event-stream"
    )
    events = _events(response.text)
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done" and "progress" in names
    assert names.count("delta") > 3
    meta, done = events[0][1], events[-1][1]
    assert meta["provider"] == "openai" and meta["machine_written"] is True and meta["label"]
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    assert streamed.strip() == done["summary"] and done["citations"]
    assert llm_server.requests[-1]["stream"] is True

    calls = llm_server.count
    again = _events(
        (
            await client.post(f"{SUMMARIES}/stream", json={"document_id": doc_id}, headers=headers)
        ).text
    )
    assert again[-1][1]["cached"] is True and llm_server.count == calls
    plain = await client.post(SUMMARIES, json={"document_id": doc_id}, headers=headers)
    assert plain.json()["cached"] is True and llm_server.count == calls


async def test_stream_error_is_an_event_and_access_errors_are_http(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    client = await make_client(with_llm(settings, llm_server))
    sitting = await _report_sitting()
    llm_server.fail_status = 400
    response = await client.post(
        f"{SUMMARIES}/stream",
        json={"document_id": sitting.documents["report"]},
        headers=await bearer(sitting.delegate),
    )
    events = _events(response.text)
    assert events[-1][0] == "error" and events[-1][1]["code"] == "model_error"
    outsider = await make_user("delegate", await make_council())
    denied = await client.post(
        f"{SUMMARIES}/stream",
        json={"document_id": sitting.documents["report"]},
        headers=await bearer(outsider),
    )
    assert denied.status_code in (403, 404) and "error" in denied.json()


async def test_summary_page_and_fragment(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None))
    sitting = await _report_sitting()
    await login(client, sitting.delegate)
    doc_id = sitting.documents["report"]
    page = await client.get(f"/assistant/documents/{doc_id}")
    assert page.status_code == 200
    assert has(page.text, f'form[method=post][data-stream-summary="{doc_id}"]')
    assert static_url("js/assistant.js") in attrs(page.text, "script", "src")
    fragment = await client.post(f"/assistant/documents/{doc_id}", headers=htmx(), data={})
    assert fragment.status_code == 200 and not has(fragment.text, "main, form")
    html = lxml.html.fromstring(fragment.text)
    (label,) = html.xpath("//p[@data-machine-written='true']")
    assert label.xpath("./svg") and "textrank-vi-2" in label.text_content()
    text = html.xpath("//div[@class='assistant-text']")[0]
    # Headings are structure (h3), points a list, each with its page by title and a link to it.
    assert [h.text for h in text.xpath("./h3")][:1] == ["I. TÌNH HÌNH KINH TẾ"]
    items = text.xpath("./ul[@class='points']/li")
    assert len(items) >= 4
    for item in items:
        (cite,) = item.xpath("./a[@class='cite']")
        page = int(cite.text.rsplit("tr. ", 1)[1])
        assert cite.text == f"{REPORT_TITLE}, tr. {page}"
        assert cite.get("href") == f"/meetings/documents/{doc_id}#page={page}"
        assert "[tr." not in item.text_content()
    full = await client.post(f"/assistant/documents/{doc_id}", data={})
    assert full.status_code == 200 and has(full.text, "main article.assistant-summary")
    secret = await client.get(f"/assistant/documents/{sitting.documents['Tờ trình nhân sự']}")
    assert secret.status_code == 200  # offline default: no notice needed, nothing leaves anyway
