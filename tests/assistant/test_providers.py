"""The provider registry and the gateway: a new provider needs no caller change, and the
gateway alone decides who may read confidential text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from assistant import prompts
from assistant.config import AssistantConfig
from assistant.gateway import Gateway, Usage
from assistant.providers import (
    Completion,
    Delta,
    Prompt,
    Source,
    get_provider,
    provider_names,
    register_provider,
)
from assistant.summaries import summarize
from tests.assistant.conftest import openai_config, report, setup_session, with_llm
from tests.assistant.openai_server import OpenAIServer
from tests.factories import bearer, error_code


class UpperCaseClient:
    """A third provider, written the way a new one would be: it shouts the first source."""

    name = "shout"
    model = "shout-1"
    context_tokens = 4096
    trusted = False

    def __init__(self, config: AssistantConfig) -> None:
        self.prompts: list[Prompt] = []

    async def complete(self, prompt: Prompt, *, max_tokens: int) -> Completion:
        self.prompts.append(prompt)
        first = prompt.sources[0]
        return Completion(f"- {first.text.split('.')[0].upper()} [{first.label or 'tr. 1'}]", 3, 2)

    async def stream(self, prompt: Prompt, *, max_tokens: int) -> AsyncIterator[Delta]:
        yield Delta((await self.complete(prompt, max_tokens=max_tokens)).text)

    async def aclose(self) -> None:
        return None


_built: list[UpperCaseClient] = []


@register_provider("shout")
def _shout(config: AssistantConfig) -> UpperCaseClient:
    client = UpperCaseClient(config)
    _built.append(client)
    return client


async def test_a_third_provider_plugs_in_without_touching_callers() -> None:
    assert {"extractive", "openai", "shout"} <= set(provider_names())
    gateway = Gateway.from_config(AssistantConfig(provider="shout"))
    usage = Usage()
    summary = await summarize(report(), gateway, usage=usage, cache=None, max_tokens=256)
    assert summary.provider == "shout" and summary.model == "shout-1"
    # The document type on top ("BÁO CÁO") is its frame: not sent; its subject is.
    assert summary.text.startswith("- TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")
    assert usage.calls == len(_built[-1].prompts) and usage.prompt_tokens == 3 * usage.calls


def test_unknown_provider_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown LLM_PROVIDER 'nope'"):
        get_provider(AssistantConfig(provider="nope"))


async def test_gateway_downgrades_any_confidential_prompt(llm_server: OpenAIServer) -> None:
    gateway = Gateway.from_config(openai_config(llm_server, trusted=False))
    secret = Source(
        "Danh sách cán bộ dự kiến bổ nhiệm giữ chức vụ lãnh đạo Sở Nội vụ năm 2026.",
        "TL 9, tr. 1",
        confidentiality="confidential",
        document_id=9,
        page=1,
    )
    public = Source(
        "Thành phố hoàn thành xóa nhà tạm cho một nghìn hai trăm hộ nghèo trong năm 2025.",
        "TL 8, tr. 1",
        confidentiality="public",
        document_id=8,
        page=1,
    )
    usage = Usage()
    # Even a prompt mixing public and confidential passages, from any caller, stays offline.
    text = await gateway.complete(
        prompts.answer("cán bộ bổ nhiệm Sở Nội vụ", [public, secret]), usage=usage, max_tokens=200
    )
    streamed = "".join(
        [
            p
            async for p in gateway.stream(
                prompts.summary_map("Mật", [secret], 1, 1), usage=usage, max_tokens=200
            )
        ]
    )
    await gateway.aclose()
    assert llm_server.count == 0
    assert "Sở Nội vụ" in text and "Sở Nội vụ" in streamed
    assert usage.downgraded and usage.provider == "extractive"
    assert usage.sent == {(8, 1), (9, 1)}


async def test_misconfigured_provider_is_a_clear_error(settings: Any, make_client: Any) -> None:
    client = await make_client(with_llm(settings, None, llm_provider="openai", llm_base_url=None))
    sitting = await setup_session(
        {"report": ("public", ["Báo cáo thu ngân sách năm 2025 đạt kế hoạch."])}
    )
    response = await client.post(
        "/api/v1/assistant/summaries",
        json={"document_id": sitting.documents["report"]},
        headers=await bearer(sitting.delegate),
    )
    assert response.status_code == 503 and error_code(response) == "assistant_misconfigured"
