"""One named Whoosh index: searching for anyone, writing for the holder of its write lock.

Reads are open to every process and thread: a searcher is kept open and reopened, cheaply,
when the index directory changes (one ``stat``). Writes (``apply``, ``clear``, ``rebuild``)
must come from one writer at a time: callers hold :meth:`SearchIndex.write_lock`, as the
outbox worker (``council.search.outbox``) and ``rebuild`` do.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from council.search import bulk, execute
from council.search.analysis import EXACT, FOLD
from council.search.filters import DateBound, build_filters, to_query
from council.search.highlight import SNIPPET_CHARS, highlight
from council.search.lock import WriteLock
from council.search.query import QueryWord, parse, words_query
from council.search.schema import ID_FIELD, IndexSpec, SearchError, from_timestamp

__all__ = [
    "Change",
    "DateRange",
    "Hit",
    "Result",
    "SearchIndex",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "TRACK_TOTAL",
    "capped",
    "check_request",
]

log = logging.getLogger(__name__)

MAX_LIMIT = 200
MAX_OFFSET = 10_000
# Matches are counted exactly up to this many (Elasticsearch's ``track_total_hits``): a page
# beyond ``MAX_OFFSET`` is never served, so a larger count only tells a number to read, and on
# PostgreSQL counting a syllable in most of a million petitions is most of the query's time.
TRACK_TOTAL = 10_000
INDEX_NAME = bulk.INDEX_NAME
_SETTLED_NS = 2_000_000_000
_OPEN_ATTEMPTS = 5
_TOC = re.compile(rf"^_{INDEX_NAME}_\d+\.toc$")
_T = TypeVar("_T")

DateRange = tuple[DateBound, DateBound]


@dataclass(frozen=True)
class Hit:
    """One search hit: the document id, its score, its stored fields and snippets.

    ``highlight`` is the snippet of the first highlighted field that matched ("" if none);
    ``highlights`` has one per matching field. Snippets are HTML-escaped except ``<mark>``.
    """

    id: str
    score: float
    fields: dict[str, Any]
    highlight: str = ""
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """A page of hits and how many documents match.

    ``total_exact``: ``total`` is the number of matching documents. Otherwise more than
    ``total`` match (``total`` is the search's ``track_total``) and ``estimate`` says about how
    many (never less than ``total + 1``; exact on Whoosh, from a sample on PostgreSQL).
    """

    total: int
    hits: list[Hit]
    total_exact: bool = True
    estimate: int | None = None


def capped(count: int, hits: list[Hit], track_total: int, estimate: int | None = None) -> Result:
    """The result for ``count`` matches counted up to ``track_total`` (and one more)."""
    if count <= track_total:
        return Result(count, hits)
    return Result(track_total, hits, False, max(estimate or count, track_total + 1))


@dataclass(frozen=True)
class Change:
    """One write: ``op`` "upsert" (``doc`` is the full document) or "delete"."""

    doc_id: str
    op: Literal["upsert", "delete"]
    doc: Mapping[str, Any] | None = None


def check_request(
    spec: IndexSpec,
    q: Any,
    limit: int,
    offset: int,
    sort: str | None,
    match: str,
    snippet_chars: int,
    track_total: int | None = None,
) -> int:
    """Refuse a bad search call (``SearchError``), the same way on every backend; returns
    how far to count matches exactly (``track_total``, default ``TRACK_TOTAL``)."""
    if not isinstance(q, str):
        raise SearchError("the query must be a string")
    if not 20 <= snippet_chars <= 2000:
        raise SearchError("snippet_chars must be between 20 and 2000")
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= offset <= MAX_OFFSET:
        raise SearchError(f"offset must be between 0 and {MAX_OFFSET}")
    if match not in ("all", "any"):
        raise SearchError("match must be 'all' or 'any'")
    if sort and sort.removeprefix("-") not in spec.date_fields:
        raise SearchError(f"cannot sort by {sort!r}")
    if track_total is None:
        return TRACK_TOTAL
    if isinstance(track_total, bool) or not isinstance(track_total, int) or track_total < 1:
        raise SearchError("track_total must be a positive whole number")
    return track_total


class SearchIndex:
    """A named index under ``root/<spec.name>``, declared by an :class:`IndexSpec`."""

    backend = "whoosh"

    def __init__(self, root: Path, spec: IndexSpec) -> None:
        self.spec = spec
        self.directory = Path(root) / spec.name
        self._storage: FileStorage | None = None
        self._searcher: Searcher | None = None
        self._seen_mtime = -1
        self._read_lock = threading.Lock()
        self._executor = execute.Executor()
        self.fast = execute.supported()
        self.write_lock = WriteLock(self.directory / "writer.lock")

    # --- storage ---------------------------------------------------------------------------

    def _open_storage(self) -> FileStorage:
        if self._storage is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._storage = FileStorage(str(self.directory))
        return self._storage

    def exists(self) -> bool:
        """Whether the index has been created on disk (a table of contents is there)."""
        try:
            return any(_TOC.match(name) for name in os.listdir(self.directory))
        except FileNotFoundError:
            return False

    def _open_for_write(self) -> windex.Index:
        """Open the index, creating it (or recreating it when the spec changed). Needs the lock."""
        storage = self._open_storage()
        schema = self.spec.whoosh_schema()
        if self.exists():
            ix = storage.open_index(INDEX_NAME)
            if _same_schema(ix.schema, schema):
                return ix
            log.warning(
                "search index %s: its declaration changed; recreated empty, run `council reindex`",
                self.spec.name,
            )
        return storage.create_index(schema, indexname=INDEX_NAME)

    # --- reading ---------------------------------------------------------------------------

    def _current_searcher(self) -> Searcher | None:
        """The open searcher, reopened if the directory changed since (caller holds the lock)."""
        try:
            mtime = os.stat(self.directory).st_mtime_ns
        except FileNotFoundError:
            return None
        if self._searcher is not None and mtime == self._seen_mtime:
            # Directory times tick coarsely (a few ms): a write in the same tick as our last
            # look leaves them unchanged, so for a moment after a change, ask Whoosh too.
            if time.time_ns() - mtime > _SETTLED_NS or self._searcher.up_to_date():
                return self._searcher
        if not self.exists():
            return None
        # Read the mtime before reopening: a write racing with us only causes one more reopen.
        self._seen_mtime = mtime
        # Not Searcher.refresh(): with reuse, Whoosh's reader keeps segments the new TOC
        # dropped (a rebuild's or merge's old segments would be searched twice).
        if self._searcher is not None:
            if self._searcher.up_to_date():
                return self._searcher
            self._close_searcher()
        self._searcher = self._open_searcher()
        self._executor.forget_except(
            reader.segment().segment_id()
            for reader, _ in self._searcher.reader().leaf_readers()
            if reader.segment() is not None
        )
        return self._searcher

    def _open_searcher(self) -> Searcher:
        """Open the latest generation, retrying while a writer replaces it under us."""
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                return self._open_storage().open_index(INDEX_NAME).searcher()
            except FileNotFoundError:
                # The writer listed, then deleted, the generation we were opening.
                if attempt == _OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _close_searcher(self) -> None:
        searcher, self._searcher = self._searcher, None
        self._seen_mtime = -1
        if searcher is not None:
            searcher.close()

    def _reading(self, read: Callable[[Searcher], _T], empty: _T) -> _T:
        """Run ``read`` on the current searcher (holding the read lock).

        A segment merged away by a writer may lose files this searcher has yet to open:
        then reopen on the latest generation and read again.
        """
        with self._read_lock:
            for attempt in range(_OPEN_ATTEMPTS):
                searcher = self._current_searcher()
                if searcher is None:
                    return empty
                try:
                    return read(searcher)
                except FileNotFoundError:
                    self._close_searcher()
                    if attempt == _OPEN_ATTEMPTS - 1:
                        raise
            raise AssertionError("unreachable")

    def doc_count(self) -> int:
        """Number of documents in the index (0 before it exists)."""
        return self._reading(lambda searcher: searcher.doc_count(), 0)

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, or None."""

        def read(searcher: Searcher) -> dict[str, Any] | None:
            found = searcher.document(**{ID_FIELD: str(doc_id)})
            return dict(found) if found is not None else None

        return self._reading(read, None)

    def search(
        self,
        q: str = "",
        *,
        filters: Mapping[str, str | int | Iterable[str | int]] | None = None,
        date_ranges: Mapping[str, DateRange] | None = None,
        limit: int = 20,
        offset: int = 0,
        sort: str | None = None,
        match: Literal["all", "any"] = "all",
        snippet_chars: int = SNIPPET_CHARS,
        track_total: int | None = None,
    ) -> Result:
        """Search the index.

        - ``q``: free text; every word must match (``match="any"``: any word, ranked by how
          many). Empty ``q`` lists every document passing the filters.
        - ``filters``: keyword field → a value, or a collection of values meaning "any of
          these" (an empty collection matches nothing: pass the scope the caller may see).
        - ``date_ranges``: date field → (start, end), both inclusive, either may be None; a
          bare ``date`` end covers its whole day (UTC).
        - ``sort``: a date field, "-" prefixed for newest first; default: relevance.
        - ``track_total``: count matches exactly up to this many (default ``TRACK_TOTAL``);
          beyond, the result says "more than ``track_total``" (:class:`Result`).
        """
        cap = check_request(self.spec, q, limit, offset, sort, match, snippet_chars, track_total)
        sortedby = self._sort_facet(sort)
        checked = build_filters(self.spec, filters or {}, date_ranges or {})
        if checked is None:
            return Result(0, [])

        def read(searcher: Searcher) -> Result:
            parsed = parse(
                q,
                lambda term: searcher.doc_frequency(FOLD, term),
                lambda term: searcher.doc_frequency(EXACT, term),
            )
            words, boosts = parsed.words, parsed.boosts
            if self.fast:
                ranked = self._executor.run(
                    searcher,
                    words,
                    match == "all",
                    checked,
                    offset + limit,
                    sort_field=sort.removeprefix("-") if sort else None,
                    reverse=bool(sort and sort.startswith("-")),
                    boosts=boosts,
                )
                total, page = ranked.total, ranked.top[offset:]
            else:
                total, page = self._whoosh_search(
                    searcher,
                    words_query(words, match == "all", boosts) if words else wq.Every(),
                    bool(words),
                    to_query(checked),
                    offset + limit,
                    sortedby,
                )
                page = page[offset:]
            hits = [
                self._hit(docnum, score, searcher, words, snippet_chars) for score, docnum in page
            ]
            # Counting is free here: every match is in the masks anyway.
            return capped(total, hits, cap)

        return self._reading(read, Result(0, []))

    @staticmethod
    def _whoosh_search(
        searcher: Searcher,
        text_query: wq.Query,
        scored: bool,
        filter_query: wq.Query | None,
        k: int,
        sortedby: sorting.FieldFacet | None,
    ) -> tuple[int, list[tuple[float, int]]]:
        """The same search through Whoosh's own matchers (reference and fallback)."""
        # optimize=False: Whoosh's block-quality skipping drops matches of AndMaybe queries.
        results = searcher.search(
            text_query,
            filter=filter_query,
            limit=k,
            sortedby=sortedby,
            terms=False,
            optimize=False,
        )
        scored = scored and sortedby is None
        page = [
            (float(results.score(i) or 0.0) if scored else 0.0, results.docnum(i))
            for i in range(results.scored_length())
        ]
        return len(results), page

    async def asearch(self, q: str = "", **kwargs: Any) -> Result:
        """:meth:`search` in a worker thread, keeping the event loop free."""
        return await asyncio.to_thread(self.search, q, **kwargs)

    def _hit(
        self,
        docnum: int,
        score: float | None,
        searcher: Searcher,
        words: list[QueryWord],
        snippet_chars: int,
    ) -> Hit:
        stored = dict(searcher.stored_fields(docnum))
        doc_id = stored.pop(ID_FIELD)
        for name in self.spec.date_fields:
            if isinstance(stored.get(name), int):
                stored[name] = from_timestamp(stored[name])
        snippets: dict[str, str] = {}
        if words:
            sequences = [w.folded_syllables for w in words]
            for name in self.spec.highlight_fields:
                text = stored.get(name)
                if isinstance(text, str):
                    snippet = highlight(text, sequences, snippet_chars)
                    if snippet:
                        snippets[name] = snippet
        first = next(iter(snippets.values()), "")
        return Hit(doc_id, float(score or 0.0), stored, first, snippets)

    def _sort_facet(self, sort: str | None) -> sorting.FieldFacet | None:
        if not sort:
            return None
        name = sort.removeprefix("-")
        if name not in self.spec.date_fields:
            raise SearchError(f"cannot sort by {sort!r}")
        return sorting.FieldFacet(name, reverse=sort.startswith("-"))

    # --- writing (the caller holds write_lock) ------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> int:
        """Apply upserts and deletes in one commit; the last change of a document wins."""
        latest: dict[str, Change] = {}
        for change in changes:
            latest.pop(change.doc_id, None)
            latest[change.doc_id] = change
        if not latest:
            return 0
        docs = []
        for change in latest.values():
            if change.op == "upsert":
                if change.doc is None:
                    raise SearchError("an upsert needs a document")
                docs.append(self.spec.to_document({**change.doc, ID_FIELD: change.doc_id}))
            elif change.op != "delete":
                raise SearchError(f"unknown operation {change.op!r}")
        ix = self._open_for_write()
        writer = ix.writer(timeout=10.0)
        try:
            for change in latest.values():
                if change.op == "delete":
                    writer.delete_by_term(ID_FIELD, change.doc_id)
            for doc in docs:
                writer.update_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return len(latest)

    def clear(self) -> None:
        """Remove every document (a fresh empty index with the current schema)."""
        storage = self._open_storage()
        storage.create_index(self.spec.whoosh_schema(), indexname=INDEX_NAME)

    def rebuild(self, docs: Iterable[Mapping[str, Any]], procs: int | None = None) -> int:
        """Replace the whole index by ``docs``; returns how many were indexed.

        Uses worker processes (``procs``, default: one per CPU) writing one segment each; falls
        back to Whoosh's standard writer if its codec internals are not available.
        """
        procs = procs or os.cpu_count() or 1
        storage = self._open_storage()
        self._open_for_write()
        if bulk.codec_supported():
            segments, count = bulk.build_segments(self.directory, self.spec, docs, procs)
            lock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
            if not lock.acquire(blocking=True):
                raise SearchError("could not lock the index")
            try:
                bulk.publish_segments(storage, self.spec, segments)
            finally:
                lock.release()
            return count
        self.clear()
        writer = storage.open_index(INDEX_NAME).writer(procs=procs, multisegment=True)
        count = 0
        for doc in docs:
            writer.add_document(**self.spec.to_document(doc))
            count += 1
        writer.commit()
        return count

    # --- the interface shared with the PostgreSQL backend (``PgSearchIndex``) ------------------

    async def awrite(self, changes: Sequence[Change], *, using_db: Any = None) -> int:
        """Apply ``changes`` now, taking the write lock (``using_db`` is for PostgreSQL)."""

        def locked() -> int:
            with self.write_lock:
                return self.apply(changes)

        return await asyncio.to_thread(locked)

    async def aclear(self) -> None:
        """Remove every document, taking the write lock."""

        def locked() -> None:
            with self.write_lock:
                self.clear()

        await asyncio.to_thread(locked)

    async def adoc_count(self) -> int:
        """:meth:`doc_count` in a worker thread."""
        return await asyncio.to_thread(self.doc_count)

    async def aget(self, doc_id: str) -> dict[str, Any] | None:
        """:meth:`get` in a worker thread."""
        return await asyncio.to_thread(self.get, doc_id)

    def destroy(self) -> None:
        """Delete the index directory (tests and tooling)."""
        with self._read_lock:
            self._close_searcher()
        shutil.rmtree(self.directory, ignore_errors=True)
        self._storage = None

    def close(self) -> None:
        """Close the open searcher."""
        with self._read_lock:
            self._close_searcher()


def _same_schema(a: Any, b: Any) -> bool:
    """Whether two Whoosh schemas have the same field names and types."""
    if sorted(a.names()) != sorted(b.names()):
        return False
    return all(
        type(a[name]) is type(b[name]) and a[name].stored == b[name].stored for name in a.names()
    )
