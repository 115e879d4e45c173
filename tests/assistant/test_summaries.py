"""Map-reduce summaries through the gateway: chunking, call counts, citations, confidentiality."""

from __future__ import annotations

import re

import pytest

from assistant import prompts
from assistant.chunking import chunk_budget, pack, page_sources
from assistant.gateway import Gateway, Usage
from assistant.providers import ProviderError
from assistant.summaries import plan, stream_summary, summarize
from assistant.tokens import estimate_messages, estimate_tokens
from tests.assistant.conftest import Doc, Page, openai_config, report
from tests.assistant.openai_server import OpenAIServer, user_text

SMALL_CONTEXT = 2048


def _pages_in(body: dict) -> list[int]:
    return [int(n) for n in re.findall(r"^\[tr\. (\d+)\]$", user_text(body), re.M)]


async def test_long_document_is_chunked_by_pages_and_map_reduced(llm_server: OpenAIServer) -> None:
    doc = report(repeat=4)  # 20 pages
    config = openai_config(llm_server, context_tokens=SMALL_CONTEXT)
    gateway = Gateway.from_config(config)
    usage = Usage()
    summary = await summarize(
        doc, gateway, usage=usage, cache=None, max_tokens=config.max_output_tokens
    )
    await gateway.aclose()

    planned = plan(doc, gateway, config.max_output_tokens)
    chunks = len(planned.chunks)
    assert chunks > 3
    maps = [b for b in llm_server.requests if b["messages"][0]["content"] == prompts.SUMMARY_SYSTEM]
    reduces = [
        b for b in llm_server.requests if b["messages"][0]["content"] == prompts.REDUCE_SYSTEM
    ]
    assert len(maps) == chunks and len(reduces) >= 1
    assert usage.calls == llm_server.count == chunks + len(reduces)

    # Every page is sent exactly once, in order, whole pages per chunk, each within the context.
    sent = [page for body in maps for page in _pages_in(body)]
    assert sorted(sent) == [p.number for p in doc.pages]
    for body in llm_server.requests:
        contents = [m["content"] for m in body["messages"]]
        assert estimate_messages(contents) + body["max_tokens"] <= SMALL_CONTEXT
    # The map prompts say which part and pages they carry, in Vietnamese (they run three at a
    # time, so they may arrive in any order).
    intros = sorted(user_text(b).split("\n", 1)[0] for b in maps)
    assert any(re.search(r"\(phần 1/\d+, trang 1–\d+\):$", line) for line in intros)
    assert all(re.search(rf"\(phần \d+/{chunks}, trang \d+–\d+\):$", line) for line in intros)
    # The reduce prompt carries the partial summaries with their page tags.
    assert "[tr. 1]" in user_text(reduces[-1])

    assert summary.provider == "openai" and summary.model == "loopback-vi" and not summary.cached
    assert summary.citations and summary.unverified == 0
    assert {c.page for c in summary.citations} <= set(sent)
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0


async def test_short_document_is_one_call(llm_server: OpenAIServer) -> None:
    doc = report()
    config = openai_config(llm_server)
    gateway = Gateway.from_config(config)
    summary = await summarize(
        doc, gateway, usage=Usage(), cache=None, max_tokens=config.max_output_tokens
    )
    await gateway.aclose()
    assert llm_server.count == 1
    assert [c.page for c in summary.citations] == [1, 2, 3, 4, 5]
    assert (
        summary.citations[3].excerpt.startswith("IV. MÔI TRƯỜNG")
        or "không khí" in summary.citations[3].excerpt
    )


async def test_streamed_summary_streams_the_final_step(llm_server: OpenAIServer) -> None:
    doc = report(repeat=3)
    config = openai_config(llm_server, context_tokens=SMALL_CONTEXT)
    gateway = Gateway.from_config(config)
    events = [
        e
        async for e in stream_summary(
            doc, gateway, usage=Usage(), cache=None, max_tokens=config.max_output_tokens
        )
    ]
    await gateway.aclose()
    kinds = [e.kind for e in events]
    assert kinds[0] == "progress" and kinds[-1] == "done"
    deltas = [e.text for e in events if e.kind == "delta"]
    assert len(deltas) > 3
    final = events[-1].summary
    assert final is not None and "".join(deltas).strip() == final.text
    assert llm_server.requests[-1]["stream"] is True
    assert all(not b.get("stream") for b in llm_server.requests[:-1])


@pytest.mark.parametrize("streamed", [False, True])
async def test_confidential_document_never_reaches_an_untrusted_model(
    llm_server: OpenAIServer, streamed: bool
) -> None:
    doc = report(confidentiality="confidential", repeat=2)
    config = openai_config(llm_server, trusted=False)
    gateway = Gateway.from_config(config)
    usage = Usage()
    if streamed:
        events = [
            e async for e in stream_summary(doc, gateway, usage=usage, cache=None, max_tokens=500)
        ]
        summary = events[-1].summary
    else:
        summary = await summarize(doc, gateway, usage=usage, cache=None, max_tokens=500)
    await gateway.aclose()
    assert llm_server.count == 0
    assert summary is not None and summary.provider == "extractive" and summary.downgraded
    assert usage.downgraded and usage.provider == "extractive"
    assert summary.citations


async def test_confidential_document_goes_to_a_trusted_model(llm_server: OpenAIServer) -> None:
    doc = report(confidentiality="confidential")
    config = openai_config(llm_server, trusted=True)
    gateway = Gateway.from_config(config)
    summary = await summarize(doc, gateway, usage=Usage(), cache=None, max_tokens=500)
    await gateway.aclose()
    assert llm_server.count == 1 and summary.provider == "openai" and not summary.downgraded


async def test_model_failure_surfaces_as_provider_error(llm_server: OpenAIServer) -> None:
    llm_server.fail_status = 503
    config = openai_config(llm_server)
    gateway = Gateway.from_config(config)
    with pytest.raises(ProviderError):
        await summarize(report(), gateway, usage=Usage(), cache=None, max_tokens=500)
    await gateway.aclose()


def test_page_longer_than_a_chunk_is_split_and_keeps_its_page() -> None:
    long_text = " ".join(f"Câu số {i} nói về ngân sách của thành phố năm 2025." for i in range(400))
    doc = Doc(3, "Dài", "public", "h", [Page(1, "Trang ngắn."), Page(2, long_text), Page(3, "")])
    budget = chunk_budget(SMALL_CONTEXT, 256, 200)
    sources = page_sources(
        doc.pages, label=prompts.page_label, budget=budget, confidentiality="public"
    )
    assert sources[0].page == 1 and all(s.page == 2 for s in sources[1:])
    assert len(sources) > 3  # page 3 is empty and dropped
    assert all(estimate_tokens(s.text) <= budget for s in sources)
    assert " ".join(s.text for s in sources[1:]) == long_text
    chunks = pack(sources, budget)
    assert [s for c in chunks for s in c] == sources
