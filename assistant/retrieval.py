"""Retrieval of document pages for questions, through the shared Vietnamese search engine.

One Whoosh index (``assistant_pages``, declared with ``council.search``) holds one entry per
page of each session document: its text (exact and accent-folded syllables and pairs) and the
ids needed to filter by the documents a reader may see. It stores no text: answers are built
from meetings' reader view, so the index can never leak a page to someone who may not read it.

Pages are indexed lazily from the reader's view: when a question comes, documents whose
content hash, title or classification differ from what the index holds are (re)indexed first.
meetings calls ``index_document`` on upload, replacement and reclassification, which makes
the index forget the document at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.models import IndexedDocument
from assistant.providers.base import Confidentiality
from assistant.textrank import STOPWORDS, matching_terms, question_terms
from council.search.engine import get_index, register_index
from council.search.index import Change, SearchIndex
from council.search.lock import WriteLock
from council.search.schema import IndexSpec

INDEX = register_index(
    IndexSpec(
        name="assistant_pages",
        text_fields={"text": 1.0, "title": 0.3},
        keyword_fields=("session_id", "document_id"),
        stored_fields=("document_id", "page"),
    )
)
# Candidates read from the index before the relevance check keeps the best ``limit``.
CANDIDATES = 20
# A page is relevant when it holds this share of the question's content words ...
MIN_COVERAGE = 0.5
# ... and, for questions of several words, one of its two-syllable words as well.
QUESTION_WORDS = (
    frozenset(
        """
    bao nhiêu gì nào sao đâu không chưa hãy cho biết xin hỏi tôi ạ là thế như vậy bạn nêu
    những các của có được em anh chị ơi nhé giúp
    """.split()
    )
    | STOPWORDS
)

_RANK = {"public": 0, "internal": 1, "confidential": 2}
_write_lock = asyncio.Lock()


@dataclass(frozen=True)
class Hit:
    """A page found for a question."""

    document_id: int
    page: int
    score: float
    coverage: float


def level(confidentiality: str) -> Confidentiality:
    """A document's confidentiality as the gateway knows it (unknown values: confidential)."""
    return confidentiality if confidentiality in ("public", "internal") else "confidential"  # type: ignore[return-value]


def rank(confidentiality: str) -> int:
    """Order of strictness, for picking the strictest level among documents."""
    return _RANK.get(confidentiality, 2)


def index() -> SearchIndex:
    """The live pages index."""
    return get_index(INDEX.name)


def _keywords(question: str) -> tuple[set[str], set[str]]:
    terms = question_terms(question)
    singles, pairs = set(), set()
    for term in terms:
        bare = term.lstrip("~")
        parts = bare.split("_")
        if any(p in QUESTION_WORDS or p.isdigit() for p in parts):
            continue
        (pairs if len(parts) == 2 else singles).add(term)
    return singles, pairs


def coverage(question: str, page_text: str) -> float:
    """How well ``page_text`` covers the question's content words (0 when it does not)."""
    singles, pairs = _keywords(question)
    if not singles:
        return 0.0
    have = matching_terms(page_text)
    share = sum(1 for t in singles if t in have) / len(singles)
    if share < MIN_COVERAGE:
        return 0.0
    if len(singles) > 1 and pairs and not any(p in have for p in pairs):
        return 0.0
    return share


async def _apply(changes: list[Change]) -> None:
    idx = index()
    lock = WriteLock(idx.directory / "writer.lock")
    async with _write_lock:
        await asyncio.to_thread(lock.acquire, True)
        try:
            await asyncio.to_thread(idx.apply, changes)
        finally:
            lock.release()


def _page_id(document_id: int, page: int) -> str:
    return f"{document_id}:{page}"


async def ensure_indexed(views: Sequence[Any]) -> int:
    """(Re)index the documents whose indexed version is not the one in ``views``; returns how many."""
    known = {
        row.document_id: row
        for row in await IndexedDocument.filter(document_id__in=[v.id for v in views])
    }
    stale = []
    for view in views:
        row = known.get(view.id)
        if row is None or (row.content_hash, row.title, row.confidentiality) != (
            view.content_hash,
            view.title,
            view.confidentiality,
        ):
            stale.append((view, row))
    if not stale:
        return 0
    changes: list[Change] = []
    for view, row in stale:
        numbers = {p.number for p in view.pages if p.text.strip()}
        for old in range(1, (row.pages if row else 0) + 1):
            if old not in numbers:
                changes.append(Change(_page_id(view.id, old), "delete"))
        for page in view.pages:
            if page.number in numbers:
                changes.append(
                    Change(
                        _page_id(view.id, page.number),
                        "upsert",
                        {
                            "text": page.text,
                            "title": view.title,
                            "session_id": view.session_id,
                            "document_id": view.id,
                            "page": page.number,
                        },
                    )
                )
    await _apply(changes)
    for view, _row in stale:
        await IndexedDocument.update_or_create(
            document_id=view.id,
            defaults={
                "session_id": view.session_id,
                "content_hash": view.content_hash,
                "confidentiality": view.confidentiality,
                "title": view.title[:300],
                "pages": max((p.number for p in view.pages), default=0),
            },
        )
    return len(stale)


async def forget(document_id: int) -> None:
    """Remove a document's pages from the index (it is indexed again on the next question)."""
    row = await IndexedDocument.get_or_none(document_id=document_id)
    if row is None:
        return
    await _apply([Change(_page_id(document_id, n), "delete") for n in range(1, row.pages + 1)])
    await row.delete()


async def forget_all() -> int:
    """Empty the index (``council reindex``); documents are indexed again as they are asked about."""
    count = await IndexedDocument.all().count()
    idx = index()
    lock = WriteLock(idx.directory / "writer.lock")
    async with _write_lock:
        await asyncio.to_thread(lock.acquire, True)
        try:
            await asyncio.to_thread(idx.clear)
        finally:
            lock.release()
    await IndexedDocument.all().delete()
    return count


async def search(question: str, views: Sequence[Any], *, limit: int) -> list[Hit]:
    """The pages of ``views`` most relevant to ``question``, best first; [] when none is."""
    if not views:
        return []
    result = await index().asearch(
        question, filters={"document_id": [v.id for v in views]}, limit=CANDIDATES, match="any"
    )
    texts = {(v.id, p.number): p.text for v in views for p in v.pages}
    hits = []
    for hit in result.hits:
        key = (int(hit.fields["document_id"]), int(hit.fields["page"]))
        text = texts.get(key)
        if text is None:
            continue  # indexed from an older version: ignore until reindexed
        share = coverage(question, text)
        if share > 0:
            hits.append(Hit(key[0], key[1], hit.score, share))
    return hits[:limit]
