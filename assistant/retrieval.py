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
import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tortoise.transactions import in_transaction

from assistant.models import IndexedDocument
from assistant.providers.base import Confidentiality
from assistant.textrank import QUESTION_WORDS, spelled
from council.search.analysis import folded as fold_syllable
from council.search.analysis import runs
from council.search.engine import get_engine, get_index, register_index
from council.search.index import Change, SearchIndex
from council.search.schema import IndexSpec, SearchError
from council.search.text import fold, normalize

INDEX = register_index(
    IndexSpec(
        name="assistant_pages",
        text_fields={"text": 1.0, "title": 0.3},
        keyword_fields=("session_id", "document_id"),
        stored_fields=("document_id", "page"),
    )
)
# Candidates read from the index before the relevance check keeps the best ``limit``.
CANDIDATES = 12
# A page is relevant when it holds this share of the question's content words ...
MIN_COVERAGE = 0.5
# ... and, for questions of several words, one of its two-syllable words as well.

_FOLDED_QUESTION_WORDS = frozenset(fold_syllable(w) for w in QUESTION_WORDS)
_RANK = {"public": 0, "internal": 1, "confidential": 2}
_write_lock = asyncio.Lock()
_document_locks: dict[int, asyncio.Lock] = {}
_warming: set[asyncio.Task[int]] = set()
log = logging.getLogger("assistant")


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


@dataclass(frozen=True)
class Question:
    """A question's content words, each matched the way it was typed: a syllable typed with
    accents must match them ("giá" is not "gia" of "tham gia"); one typed without matches any
    accents ("von" finds "vốn")."""

    singles: tuple[tuple[str, bool], ...]  # (syllable, compare folded)
    pairs: tuple[tuple[str, str, bool], ...]  # adjacent content syllables
    query: str  # what is sent to the search engine: the content words, by run

    @classmethod
    def parse(cls, text: str) -> Question:
        singles: dict[tuple[str, bool], None] = {}
        pairs: dict[tuple[str, str, bool], None] = {}
        segments: list[str] = []
        for run in runs(text):
            segment: list[str] = []
            for syllable in [*run, ""]:
                folded = fold_syllable(syllable)
                if syllable and not _is_question_word(syllable, folded):
                    typed_bare = folded == syllable
                    if not syllable.isdigit():
                        singles[(folded if typed_bare else syllable, typed_bare)] = None
                        if segment and not segment[-1].isdigit():
                            prev = segment[-1]
                            bare = typed_bare or fold_syllable(prev) == prev
                            a, b = (fold_syllable(prev), folded) if bare else (prev, syllable)
                            pairs[(a, b, bare)] = None
                    segment.append(syllable)
                    continue
                if segment:
                    segments.append(" ".join(segment))
                    segment = []
        return cls(tuple(singles), tuple(pairs), ", ".join(segments))


def _is_question_word(syllable: str, folded: str) -> bool:
    if syllable in QUESTION_WORDS:
        return True
    return folded == syllable and folded in _FOLDED_QUESTION_WORDS


_AMBIGUOUS_TONE = ("oa", "oe", "uy")


@lru_cache(maxsize=4096)
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)")


def _matcher(words: tuple[str, ...], bare: bool) -> tuple[re.Pattern[str], bool]:
    # "hoà"/"hòa" are one syllable spelled two ways: compare those folded.
    if not bare and any(n in fold_syllable(w) for w in words for n in _AMBIGUOUS_TONE):
        return _word_pattern(tuple(fold_syllable(w) for w in words)), True
    return _word_pattern(words), bare


class _PageForms:
    """A page's text lowercased and accent-folded, kept for the pages asked about recently
    (a session's pages are asked about again and again; folding is the costly part)."""

    LIMIT = 8192

    def __init__(self) -> None:
        self._forms: OrderedDict[tuple[Any, ...], tuple[str, str]] = OrderedDict()

    def get(self, key: tuple[Any, ...], text: str) -> tuple[str, str]:
        found = self._forms.get(key)
        if found is None:
            lower = normalize(spelled(text)).lower()
            found = self._forms[key] = (lower, fold(lower))
            if len(self._forms) > self.LIMIT:
                self._forms.popitem(last=False)
        else:
            self._forms.move_to_end(key)
        return found


_PAGE_FORMS = _PageForms()


def coverage(question: Question, page_text: str, key: tuple[Any, ...] | None = None) -> float:
    """Share of the question's content words ``page_text`` holds; 0 when below
    ``MIN_COVERAGE`` or when a question of several words matches none of its word pairs.
    ``key`` (document, version, page) lets the page's folded form be reused."""
    if not question.singles:
        return 0.0
    if key is None:
        lower = normalize(spelled(page_text)).lower()
        forms = (lower, fold(lower))
    else:
        forms = _PAGE_FORMS.get(key, page_text)

    def holds(words: tuple[str, ...], bare: bool) -> bool:
        pattern, use_folded = _matcher(words, bare)
        return pattern.search(forms[1] if use_folded else forms[0]) is not None

    held = sum(1 for word, bare in question.singles if holds((word,), bare))
    share = held / len(question.singles)
    if share < MIN_COVERAGE:
        return 0.0
    if (
        len(question.singles) > 1
        and question.pairs
        and not any(holds((a, b), bare) for a, b, bare in question.pairs)
    ):
        return 0.0
    return share


async def _apply(changes: list[Change]) -> None:
    async with _write_lock:
        await index().awrite(changes)


def _no_transaction() -> contextlib.AbstractAsyncContextManager[None]:
    return contextlib.nullcontext()


def _page_id(document_id: int, page: int) -> str:
    return f"{document_id}:{page}"


def _stale(view: Any, row: IndexedDocument | None) -> bool:
    return row is None or (row.content_hash, row.title, row.confidentiality) != (
        view.content_hash,
        view.title,
        view.confidentiality,
    )


async def _index_one(view: Any) -> bool:
    """Index one document's pages unless the index already holds this version."""
    lock = _document_locks.setdefault(view.id, asyncio.Lock())
    async with lock:
        row = await IndexedDocument.get_or_none(document_id=view.id)
        if not _stale(view, row):
            return False  # another request indexed it while we waited
        # On PostgreSQL the pages and their record commit together; Whoosh writes at once.
        async with in_transaction() if transactional() else _no_transaction():
            await _index_pages(view, row)
        return True


async def _index_pages(view: Any, row: IndexedDocument | None) -> None:
    """Write ``view``'s pages (dropping pages the indexed version had beyond them) and record it."""
    numbers = {p.number for p in view.pages if p.text.strip()}
    changes = [
        Change(_page_id(view.id, old), "delete")
        for old in range(1, (row.pages if row else 0) + 1)
        if old not in numbers
    ]
    changes += [
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
        for page in view.pages
        if page.number in numbers
    ]
    await _apply(changes)
    await _record(view)


async def _record(view: Any) -> None:
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


def transactional() -> bool:
    """Whether the pages index is written in the caller's transaction (PostgreSQL)."""
    try:
        return bool(get_engine().backend == "postgres")
    except SearchError:  # no engine configured in this process: nothing is indexed here
        return False


async def index_view(view: Any) -> None:
    """Index ``view``'s pages now, in the caller's transaction (PostgreSQL)."""
    row = await IndexedDocument.get_or_none(document_id=view.id)
    if _stale(view, row):
        await _index_pages(view, row)


async def ensure_indexed(views: Sequence[Any]) -> int:
    """(Re)index the documents whose indexed version is not the one in ``views``; returns how many."""
    known = {
        row.document_id: row
        for row in await IndexedDocument.filter(document_id__in=[v.id for v in views])
    }
    done = 0
    for view in sorted(views, key=lambda v: v.id):
        if _stale(view, known.get(view.id)):
            done += await _index_one(view)
    return done


def warm(views: Sequence[Any]) -> None:
    """Start indexing ``views`` in the background (when a reader opens the session's assistant),
    so that the first question does not wait for it."""
    task = asyncio.create_task(ensure_indexed(list(views)))
    _warming.add(task)

    def done(finished: asyncio.Task[int]) -> None:
        _warming.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.warning("background indexing failed", exc_info=finished.exception())

    task.add_done_callback(done)


async def settle() -> None:
    """Wait for background indexing to finish (shutdown, tests)."""
    while _warming:
        await asyncio.gather(*list(_warming), return_exceptions=True)


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
    async with _write_lock:
        await index().aclear()
    await IndexedDocument.all().delete()
    return count


async def search(question: str, views: Sequence[Any], *, limit: int) -> list[Hit]:
    """The pages of ``views`` most relevant to ``question``, best first; [] when none is."""
    parsed = Question.parse(question)
    if not views or not parsed.singles:
        return []
    result = await index().asearch(
        parsed.query, filters={"document_id": [v.id for v in views]}, limit=CANDIDATES, match="any"
    )
    texts = {(v.id, p.number): (v.content_hash, p.text) for v in views for p in v.pages}
    hits = []
    for hit in result.hits:
        key = (int(hit.fields["document_id"]), int(hit.fields["page"]))
        found = texts.get(key)
        if found is None:
            continue  # indexed from an older version: ignore until reindexed
        share = coverage(parsed, found[1], (key[0], found[0], key[1]))
        if share > 0:
            hits.append(Hit(key[0], key[1], hit.score, share))
        if len(hits) == limit:
            break
    return hits
