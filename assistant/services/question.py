"""assistant.ask: answers about a session's documents, citing [document, page].

Passages are retrieved by the shared Vietnamese search (Whoosh over document pages, accents
folded). When nothing relevant is found the answer says so and no model is called. The page
text a model reads always comes from meetings' reader view, never from the index, so a reader
only ever gets text they may read.
"""

from __future__ import annotations

from typing import Any

from assistant import prompts, retrieval
from assistant.chunking import chunk_budget
from assistant.citations import cite
from assistant.layout import layout, points_out
from assistant.providers import ProviderError, Source
from assistant.sentences import split_sentences
from assistant.services.common import (
    DOWNGRADE_NOTICE,
    Meter,
    cited,
    config_for,
    consume_rate,
    ensure_search,
    gateway_for,
    label,
    log,
    provider_failure,
)
from assistant.textrank import matching_terms, question_terms
from assistant.tokens import estimate_messages, estimate_tokens
from council.i18n import N_
from council.models import User
from meetings.services import agenda_for, session_documents_for_reader

ACTION = "assistant.ask"
PASSAGES = 6
NOT_FOUND = N_("The session's documents do not mention this.")


def _best_part(text: str, question: str, budget: int) -> str:
    """The page itself, or its stretch of sentences that best matches the question."""
    if estimate_tokens(text) <= budget:
        return text
    wanted = question_terms(question)
    sentences = split_sentences(text)
    scores = [sum(min(n, matching_terms(s)[t]) for t, n in wanted.items()) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i)) if sentences else 0
    start = end = best
    while True:
        grown = False
        if (
            end + 1 < len(sentences)
            and estimate_tokens(" ".join(sentences[start : end + 2])) <= budget
        ):
            end += 1
            grown = True
        if start > 0 and estimate_tokens(" ".join(sentences[start - 1 : end + 1])) <= budget:
            start -= 1
            grown = True
        if not grown:
            break
    return " ".join(sentences[start : end + 1])[: budget * 3]


def _passages(
    hits: list[retrieval.Hit], views: dict[int, Any], question: str, budget: int
) -> list[Source]:
    sources: list[Source] = []
    used = 0
    per_passage = max(128, budget // 3)
    for hit in hits:
        view = views[hit.document_id]
        page = next((p for p in view.pages if p.number == hit.page), None)
        if page is None or not page.text.strip():
            continue
        text = _best_part(page.text, question, per_passage)
        source = Source(
            text,
            prompts.passage_label(view.id, page.number),
            f"«{view.title}»",
            retrieval.level(view.confidentiality),
            view.id,
            page.number,
        )
        cost = estimate_tokens(f"[{source.label}] {source.heading}\n{text}\n\n")
        if sources and used + cost > budget:
            break
        sources.append(source)
        used += cost
    return sources


async def ask(user: User, session_id: int, question: str, *, settings: Any) -> dict[str, Any]:
    """Answer ``question`` from the documents of session ``session_id`` that ``user`` may read."""

    await agenda_for(user, session_id)  # 404 / 403 for a session of another council
    documents = await session_documents_for_reader(user, session_id)
    await consume_rate(user, settings)
    gateway = gateway_for(settings)
    config = config_for(settings)
    views = {d.id: d for d in documents}
    meter = Meter(user, ACTION, documents[0].council_id if documents else user.council_id)
    meter.detail = {"session_id": session_id, "question": question}
    meter.set_documents(views)

    ensure_search(settings)
    await retrieval.ensure_indexed(documents)
    hits = await retrieval.search(question, documents, limit=PASSAGES)
    level = retrieval.level(
        max(
            (views[h.document_id].confidentiality for h in hits),
            key=retrieval.rank,
            default="public",
        )
    )
    client, _downgraded = gateway.client_for(level)
    overhead = (
        estimate_messages(
            [prompts.ANSWER_SYSTEM, prompts.answer(question, []).messages()[1]["content"]]
        )
        + 16
    )
    sources = _passages(
        hits,
        views,
        question,
        chunk_budget(client.context_tokens, config.max_output_tokens, overhead),
    )
    if not sources:
        meter.outcome = "not_found"
        meter.usage.provider, meter.usage.model = client.name, client.model
        await meter.write()
        return {
            "answer": str(NOT_FOUND),
            "points": [{"kind": "paragraph", "text": str(NOT_FOUND), "citations": []}],
            "citations": [],
            "found": False,
            "provider": client.name,
            "model": client.model,
            "model_called": False,
            "machine_written": True,
            "label": label(client.name, client.model),
            "notice": None,
            "unverified_citations": 0,
        }
    meter.set_documents(s.document_id for s in sources if s.document_id is not None)
    try:
        text = await gateway.complete(
            prompts.answer(question, sources),
            usage=meter.usage,
            max_tokens=config.max_output_tokens,
        )
    except ProviderError as exc:
        meter.outcome = exc.code
        await meter.write()
        log.warning("question on session %s failed: %s", session_id, exc)
        raise provider_failure(exc) from None
    sent: dict[tuple[int, int], str] = {}
    for s in sources:
        key = (s.document_id or 0, s.page or 0)
        sent[key] = f"{sent[key]} {s.text}" if key in sent else s.text
    found_pages = cite(text, sent, context=question)
    found = prompts.NOT_FOUND not in text
    meter.outcome = "ok" if found else "not_found"
    await meter.write()
    titles = {d: v.title for d, v in views.items()}
    points = layout(
        text, titles=titles, valid={(c.document_id, c.page) for c in found_pages.citations}
    )
    return {
        "answer": text,
        "points": points_out(points),
        "citations": [cited(c, titles[c.document_id]) for c in found_pages.citations],
        "found": found,
        "provider": meter.usage.provider,
        "model": meter.usage.model,
        "model_called": True,
        "machine_written": True,
        "label": label(meter.usage.provider, meter.usage.model),
        "notice": str(DOWNGRADE_NOTICE) if meter.usage.downgraded else None,
        "unverified_citations": found_pages.unverified,
    }


async def index_document(document_id: int) -> None:
    """On `document.changed`: a document was uploaded, replaced or reclassified.

    The index forgets the document's pages at once (so stale or reclassified text is never
    retrieved); the current version is indexed from the next reader's view of the session.
    On PostgreSQL, :func:`pages_committed` has indexed the current version's pages in the
    transaction that committed them; a new title or classification is caught by the check that
    runs before every question (and results are always filtered to what the reader may see).
    """
    if retrieval.transactional():
        return
    await retrieval.forget(document_id)


async def pages_committed(view: Any) -> None:
    """meetings calls this inside the transaction that commits a document version's page text.

    On PostgreSQL the pages are indexed in that transaction: searchable the moment it commits,
    gone if it rolls back. Whoosh indexes cannot join a transaction: they are written lazily.
    """
    if retrieval.transactional():
        await retrieval.index_view(view)
