"""Document summaries: page chunks, map-reduce, page citations, and a cache.

A document is cut by pages into chunks that fit the serving provider's context (see
``chunking``); each chunk is summarized (map), and the partial summaries are merged (reduce),
in as many rounds as it takes to fit. The result is cached under (content hash, provider,
model, prompt version), so asking again costs no model call.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant import prompts
from assistant.chunking import PageLike, chunk_budget, pack, pack_texts, page_sources
from assistant.citations import Citation, cite, sources_index
from assistant.gateway import Gateway, Usage
from assistant.providers.base import Confidentiality, ModelClient, Source
from assistant.sentences import content
from assistant.tokens import estimate_messages

# Chunks summarized at the same time: a model server serves a few requests in parallel.
MAP_CONCURRENCY = 3


class DocumentLike(Protocol):
    """What a summary needs of a document (meetings' ``DocumentView`` has it)."""

    id: int
    title: str
    confidentiality: str
    content_hash: str
    pages: Sequence[PageLike]


class NoText(Exception):
    """The document has no text layer (a scan without OCR): nothing to summarize."""


@dataclass
class Summary:
    """A summary and where it came from."""

    text: str
    provider: str
    model: str
    cached: bool
    citations: list[Citation]
    unverified: int = 0
    downgraded: bool = False

    def to_cache(self) -> dict[str, Any]:
        """The JSON stored in the cache."""
        return {
            "text": self.text,
            "citations": [c.as_dict() for c in self.citations],
            "unverified": self.unverified,
            "downgraded": self.downgraded,
        }


class SummaryCache(Protocol):
    """Storage for summaries by cache key (the database in production)."""

    async def get(self, key: str) -> dict[str, Any] | None:
        """The cached JSON for ``key``, if any."""
        ...

    async def put(
        self, key: str, document_id: int, provider: str, model: str, value: dict[str, Any]
    ) -> None:
        """Store ``value`` under ``key``."""
        ...


def cache_key(content_hash: str, provider: str, model: str) -> str:
    """(content hash, provider, model, prompt version) folded into one key."""
    raw = "\x1f".join((content_hash, provider, model, prompts.PROMPT_VERSION))
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class _Page:
    number: int
    text: str


@dataclass
class Plan:
    """How a document will be summarized: by which provider, in which chunks."""

    document: DocumentLike
    client: ModelClient
    downgraded: bool
    level: Confidentiality
    chunks: list[list[Source]]
    budget: int
    max_tokens: int
    key: str
    pages: dict[tuple[int, int], str] = field(default_factory=dict)


def _level(value: str) -> Confidentiality:
    return value if value in ("public", "internal") else "confidential"  # type: ignore[return-value]


def plan(document: DocumentLike, gateway: Gateway, max_tokens: int) -> Plan:
    """Choose the provider and cut the document into chunks (no model call)."""
    level = _level(document.confidentiality)
    client, downgraded = gateway.client_for(level)
    overhead = (
        estimate_messages(
            [prompts.SUMMARY_SYSTEM, prompts.summary_map(document.title, [], 999, 999).intro]
        )
        + 16
    )
    budget = chunk_budget(client.context_tokens, max_tokens, overhead)
    # The document's frame (header, legal bases, salutation, distribution list, signature) is
    # not sent: no model should summarize "Căn cứ Luật …". A document that is all frame is
    # sent as it is, so that the summary says so.
    body: Sequence[PageLike] = [_Page(p.number, content(p.text)) for p in document.pages]
    if not any(p.text.strip() for p in body):
        body = document.pages
    sources = page_sources(
        body,
        label=prompts.page_label,
        budget=budget,
        confidentiality=level,
        document_id=document.id,
    )
    if not sources:
        raise NoText(document.id)
    pages = sources_index([(document.id, s.page or 0, s.text) for s in sources])
    return Plan(
        document,
        client,
        downgraded,
        level,
        pack(sources, budget),
        budget,
        max_tokens,
        cache_key(document.content_hash, client.name, client.model),
        pages,
    )


async def _map(plan_: Plan, gateway: Gateway, usage: Usage) -> list[str]:
    semaphore = asyncio.Semaphore(MAP_CONCURRENCY)
    total = len(plan_.chunks)

    async def one(index: int, chunk: list[Source]) -> str:
        async with semaphore:
            prompt = prompts.summary_map(plan_.document.title, chunk, index + 1, total)
            return await gateway.complete(prompt, usage=usage, max_tokens=plan_.max_tokens)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(i, c)) for i, c in enumerate(plan_.chunks)]
    return [t.result() for t in tasks]


async def _reduce_until_fits(
    partials: list[str], plan_: Plan, gateway: Gateway, usage: Usage
) -> list[str]:
    """Merge partials in rounds until they fit one final reduce call."""
    while True:
        groups = pack_texts(partials, plan_.budget)
        if len(groups) <= 1:
            return partials
        if all(len(g) == 1 for g in groups):
            # Each partial alone fills a call, so merging cannot make progress.
            raise ValueError("LLM_CONTEXT_TOKENS is too small to merge the partial summaries")
        merged = []
        for group in groups:
            if len(group) == 1:
                merged.append(group[0])
                continue
            prompt = prompts.summary_reduce(plan_.document.title, group, plan_.level)
            merged.append(await gateway.complete(prompt, usage=usage, max_tokens=plan_.max_tokens))
        partials = merged


def _finish(plan_: Plan, text: str, cached: bool) -> Summary:
    cited = cite(text, plan_.pages, default_document=plan_.document.id)
    return Summary(
        text=text.strip(),
        provider=plan_.client.name,
        model=plan_.client.model,
        cached=cached,
        citations=cited.citations,
        unverified=cited.unverified,
        downgraded=plan_.downgraded,
    )


def _from_cache(plan_: Plan, value: dict[str, Any]) -> Summary:
    return Summary(
        text=value["text"],
        provider=plan_.client.name,
        model=plan_.client.model,
        cached=True,
        citations=[
            Citation(int(c["document_id"]), int(c["page"]), str(c["excerpt"]))
            for c in value["citations"]
        ],
        unverified=int(value.get("unverified", 0)),
        downgraded=plan_.downgraded,
    )


@dataclass(frozen=True)
class Event:
    """A step of a streamed summary: ``progress`` (done/total), ``delta`` (text) or ``done``."""

    kind: str
    text: str = ""
    done: int = 0
    total: int = 0
    summary: Summary | None = None


async def stream_summary(
    document: DocumentLike,
    gateway: Gateway,
    *,
    usage: Usage,
    cache: SummaryCache | None,
    max_tokens: int,
) -> AsyncIterator[Event]:
    """Summarize ``document``, yielding progress and the final text as it is written."""
    plan_ = plan(document, gateway, max_tokens)
    usage.provider, usage.model = plan_.client.name, plan_.client.model
    usage.downgraded = plan_.downgraded
    if cache is not None:
        hit = await cache.get(plan_.key)
        if hit is not None:
            summary = _from_cache(plan_, hit)
            yield Event("delta", text=summary.text)
            yield Event("done", summary=summary)
            return
    steps = len(plan_.chunks)
    if steps == 1:
        final = prompts.summary_map(document.title, plan_.chunks[0], 1, 1)
    else:
        yield Event("progress", done=0, total=steps + 1)
        partials = await _map(plan_, gateway, usage)
        yield Event("progress", done=steps, total=steps + 1)
        partials = await _reduce_until_fits(partials, plan_, gateway, usage)
        final = prompts.summary_reduce(document.title, partials, plan_.level)
    pieces: list[str] = []
    async for piece in gateway.stream(final, usage=usage, max_tokens=max_tokens):
        pieces.append(piece)
        yield Event("delta", text=piece)
    summary = _finish(plan_, "".join(pieces), cached=False)
    if cache is not None:
        await cache.put(plan_.key, document.id, summary.provider, summary.model, summary.to_cache())
    yield Event("done", summary=summary)


async def summarize(
    document: DocumentLike,
    gateway: Gateway,
    *,
    usage: Usage,
    cache: SummaryCache | None,
    max_tokens: int,
) -> Summary:
    """Summarize ``document`` (from the cache when possible)."""
    plan_ = plan(document, gateway, max_tokens)
    usage.provider, usage.model = plan_.client.name, plan_.client.model
    usage.downgraded = plan_.downgraded
    if cache is not None:
        hit = await cache.get(plan_.key)
        if hit is not None:
            return _from_cache(plan_, hit)
    if len(plan_.chunks) == 1:
        prompt = prompts.summary_map(document.title, plan_.chunks[0], 1, 1)
        text = await gateway.complete(prompt, usage=usage, max_tokens=max_tokens)
    else:
        partials = await _reduce_until_fits(
            await _map(plan_, gateway, usage), plan_, gateway, usage
        )
        prompt = prompts.summary_reduce(document.title, partials, plan_.level)
        text = await gateway.complete(prompt, usage=usage, max_tokens=max_tokens)
    summary = _finish(plan_, text, cached=False)
    if cache is not None:
        await cache.put(plan_.key, document.id, summary.provider, summary.model, summary.to_cache())
    return summary
