"""assistant.summarize: summaries of session documents, whole or streamed, cached in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tortoise.exceptions import IntegrityError

from assistant import prompts
from assistant import summaries as pipeline
from assistant.layout import layout, points_out
from assistant.models import CachedSummary
from assistant.providers import ProviderError
from assistant.services.common import (
    DOWNGRADE_NOTICE,
    Meter,
    cited,
    config_for,
    consume_rate,
    gateway_for,
    label,
    log,
    provider_failure,
)
from council.errors import DomainError
from council.i18n import N_
from council.models import User
from meetings.services import document_for_reader

ACTION = "assistant.summarize"


class DatabaseCache:
    """``SummaryCache`` over the ``assistant_summary`` table."""

    async def get(self, key: str) -> dict[str, Any] | None:
        """The cached summary JSON for ``key``."""
        row = await CachedSummary.get_or_none(key=key)
        return dict(row.value) if row is not None else None

    async def put(
        self, key: str, document_id: int, provider: str, model: str, value: dict[str, Any]
    ) -> None:
        """Store a summary; a concurrent identical one may have won the race, which is fine."""
        try:
            await CachedSummary.create(
                key=key,
                document_id=document_id,
                provider=provider,
                model=model,
                prompt_version=prompts.PROMPT_VERSION,
                value=value,
            )
        except IntegrityError:
            pass


def summary_out(summary: pipeline.Summary, document: Any) -> dict[str, Any]:
    """The JSON answer (CONTRACT: summary, provider, model, cached, citations; and the label,
    and the text laid out as points citing pages by the document's title)."""
    points = layout(
        summary.text,
        titles={document.id: document.title},
        valid={(c.document_id, c.page) for c in summary.citations},
        default_document=document.id,
    )
    return {
        "document_id": document.id,
        "title": document.title,
        "summary": summary.text,
        "points": points_out(points),
        "provider": summary.provider,
        "model": summary.model,
        "cached": summary.cached,
        "citations": [cited(c, document.title) for c in summary.citations],
        "machine_written": True,
        "label": label(summary.provider, summary.model),
        "notice": str(DOWNGRADE_NOTICE) if summary.downgraded else None,
        "unverified_citations": summary.unverified,
        "prompt_version": prompts.PROMPT_VERSION,
    }


def _no_text() -> DomainError:
    return DomainError(
        "no_text",
        N_("This document has no text to summarize (it may be a scan without a text layer)."),
        status=422,
    )


async def _document(user: User, document_id: int) -> Any:

    return await document_for_reader(user, document_id)


async def summarize(user: User, document_id: int, *, settings: Any) -> dict[str, Any]:
    """Summarize a document ``user`` may read (404/403 otherwise), from the cache when possible."""
    document = await _document(user, document_id)
    await consume_rate(user, settings)
    gateway = gateway_for(settings)
    meter = Meter(user, ACTION, document.council_id)
    meter.set_documents([document.id])
    try:
        summary = await pipeline.summarize(
            document,
            gateway,
            usage=meter.usage,
            cache=DatabaseCache(),
            max_tokens=config_for(settings).max_output_tokens,
        )
    except pipeline.NoText:
        meter.outcome = "no_text"
        await meter.write()
        raise _no_text() from None
    except ProviderError as exc:
        meter.outcome = exc.code
        await meter.write()
        log.warning("summary of document %s failed: %s", document.id, exc)
        raise provider_failure(exc) from None
    meter.cached = summary.cached
    await meter.write()
    return summary_out(summary, document)


async def open_summary_stream(
    user: User, document_id: int, *, settings: Any
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Check access and the rate limit now (so they fail as plain HTTP errors), then return
    the stream of ``(event, data)`` pairs: ``meta``, ``progress``, ``delta``, ``done``, ``error``."""
    document = await _document(user, document_id)
    await consume_rate(user, settings)
    gateway = gateway_for(settings)
    max_tokens = config_for(settings).max_output_tokens
    try:
        plan = pipeline.plan(document, gateway, max_tokens)
    except pipeline.NoText:
        raise _no_text() from None
    return _stream(user, document, gateway, plan, max_tokens)


async def _stream(
    user: User, document: Any, gateway: Any, plan: pipeline.Plan, max_tokens: int
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    meter = Meter(user, ACTION, document.council_id)
    meter.set_documents([document.id])
    meter.detail = {"streamed": True}
    yield (
        "meta",
        {
            "document_id": document.id,
            "provider": plan.client.name,
            "model": plan.client.model,
            "machine_written": True,
            "label": label(plan.client.name, plan.client.model),
            "notice": str(DOWNGRADE_NOTICE) if plan.downgraded else None,
        },
    )
    try:
        async for event in pipeline.stream_summary(
            document, gateway, usage=meter.usage, cache=DatabaseCache(), max_tokens=max_tokens
        ):
            if event.kind == "progress":
                yield "progress", {"done": event.done, "total": event.total}
            elif event.kind == "delta":
                yield "delta", {"text": event.text}
            elif event.summary is not None:
                meter.cached = event.summary.cached
                yield "done", summary_out(event.summary, document)
    except ProviderError as exc:
        meter.outcome = exc.code
        log.warning("streamed summary of document %s failed: %s", document.id, exc)
        failure = provider_failure(exc)
        yield "error", failure.to_dict()
    finally:
        await meter.write()
