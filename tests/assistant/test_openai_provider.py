"""The ``openai`` provider against a real loopback server speaking the chat-completions API."""

from __future__ import annotations

import json

import pytest

from assistant import prompts
from assistant.providers import ProviderError, Source, get_provider
from tests.assistant.conftest import openai_config, report_pages
from tests.assistant.openai_server import OpenAIServer


def _prompt() -> prompts.Prompt:
    sources = [
        Source(
            p.text,
            prompts.page_label(p.number),
            confidentiality="public",
            document_id=1,
            page=p.number,
        )
        for p in report_pages()[:2]
    ]
    return prompts.summary_map("Báo cáo kinh tế - xã hội", sources, 1, 1)


async def test_complete_sends_vietnamese_prompt_with_labelled_pages(
    llm_server: OpenAIServer,
) -> None:
    client = get_provider(openai_config(llm_server))
    try:
        result = await client.complete(_prompt(), max_tokens=300)
    finally:
        await client.aclose()
    assert llm_server.count == 1
    body = llm_server.requests[0]
    assert body["model"] == "loopback-vi" and body["max_tokens"] == 300 and not body.get("stream")
    system, user = body["messages"]
    assert (
        system["role"] == "system"
        and "Chỉ dùng thông tin có trong các đoạn trích" in system["content"]
    )
    assert "[tr. 12]" in system["content"]  # the citation format is taught by example
    assert user["content"].startswith(
        "Tóm tắt các ý chính của tài liệu «Báo cáo kinh tế - xã hội» (trang 1–2):"
    )
    assert "[tr. 1]\nBÁO CÁO" in user["content"] and "[tr. 2]\nII. ĐẦU TƯ" in user["content"]
    first, second = result.text.splitlines()
    assert first.startswith("- BÁO CÁO Tình hình thực hiện") and first.endswith("[tr. 1]")
    assert second.startswith("- II. ĐẦU TƯ XÂY DỰNG") and second.endswith("[tr. 2]")
    assert result.prompt_tokens > 0 and result.completion_tokens > 0


async def test_stream_yields_pieces_and_usage(llm_server: OpenAIServer) -> None:
    client = get_provider(openai_config(llm_server))
    pieces, prompt_tokens = [], 0
    try:
        async for delta in client.stream(_prompt(), max_tokens=300):
            pieces.append(delta.text)
            prompt_tokens += delta.prompt_tokens
    finally:
        await client.aclose()
    assert len([p for p in pieces if p]) > 5  # really streamed, piece by piece
    assert "".join(pieces).startswith("- BÁO CÁO Tình hình")
    assert prompt_tokens > 0
    body = llm_server.requests[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_timeout_is_a_provider_error_after_one_retry(llm_server: OpenAIServer) -> None:
    llm_server.delay = 3.0
    client = get_provider(openai_config(llm_server, timeout=0.3))
    with pytest.raises(ProviderError) as caught:
        await client.complete(_prompt(), max_tokens=50)
    await client.aclose()
    assert caught.value.code == "model_timeout"
    assert llm_server.count == 2  # max_retries=1


async def test_server_error_is_a_provider_error(llm_server: OpenAIServer) -> None:
    llm_server.fail_status = 500
    client = get_provider(openai_config(llm_server))
    with pytest.raises(ProviderError) as caught:
        await client.complete(_prompt(), max_tokens=50)
    assert caught.value.code == "model_error" and "500" in caught.value.detail
    llm_server.fail_status = 400
    with pytest.raises(ProviderError) as caught:
        async for _ in client.stream(_prompt(), max_tokens=50):
            pass
    await client.aclose()
    assert caught.value.code == "model_error"


async def test_overloaded_server_is_unavailable(llm_server: OpenAIServer) -> None:
    llm_server.fail_status = 429
    client = get_provider(openai_config(llm_server))
    with pytest.raises(ProviderError) as caught:
        await client.complete(_prompt(), max_tokens=50)
    await client.aclose()
    assert caught.value.code == "model_unavailable"


async def test_broken_stream_is_a_provider_error(llm_server: OpenAIServer) -> None:
    llm_server.broken_stream = True
    client = get_provider(openai_config(llm_server))
    with pytest.raises(ProviderError) as caught:
        async for _ in client.stream(_prompt(), max_tokens=50):
            pass
    await client.aclose()
    assert caught.value.code == "model_error"


async def test_unreachable_server_is_unavailable() -> None:
    dead = OpenAIServer()
    dead.base_url = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    client = get_provider(openai_config(dead, timeout=2.0))
    with pytest.raises(ProviderError) as caught:
        await client.complete(_prompt(), max_tokens=50)
    await client.aclose()
    assert caught.value.code == "model_unavailable"


def test_openai_provider_needs_url_and_model(llm_server: OpenAIServer) -> None:
    with pytest.raises(ValueError, match="LLM_BASE_URL"):
        get_provider(openai_config(llm_server, base_url=""))


def test_recorded_bodies_are_json(llm_server: OpenAIServer) -> None:
    llm_server.requests.append({"a": "ý"})
    assert json.loads(llm_server.bodies()[0]) == {"a": "ý"}
