"""Query execution over Whoosh segments with set and table operations instead of matchers.

Whoosh's matchers advance one posting at a time in Python (a few microseconds each); a common
syllable such as "đường" is in a third of all petitions, so a ranked search with an exact
total count would take hundreds of milliseconds. This executor reads each posting list a block
at a time (decompress, unpickle, ``itertools.accumulate``), intersects candidates as sets, and
scores them with Whoosh's own BM25F formula through per-query lookup tables over the one-byte
field lengths Whoosh stores, so nearly all work runs inside CPython's C builtins.

Scores equal ``searcher.search()`` with ``BM25F()`` on the same query
(``tests/council/search/test_execute.py`` checks it); :func:`supported` tells whether the
installed Whoosh has the codec internals read here, and the index falls back to Whoosh's
searcher otherwise.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import add, and_, neg
from typing import Any

from whoosh.codec import whoosh3
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from council.search.analysis import EXACT, FOLD
from council.search.filters import Filter, KeywordFilter, RangeFilter
from council.search.query import EXACT_BOOST, QueryWord

__all__ = ["K1", "B", "Executor", "Ranked", "supported"]

# Whoosh's BM25F defaults.
K1 = 1.2
B = 0.75

Postings = tuple[list[int], list[float] | None]
# Whoosh fills a 64-bit numeric column with its maximum where a document has no value.
_MISSING = 2**64 - 1


def supported() -> bool:
    """Whether the installed Whoosh exposes the W3 block internals this module reads."""
    matcher = whoosh3.W3LeafMatcher
    return all(hasattr(matcher, name) for name in ("_read_data", "_next_block", "is_active"))


@dataclass
class Ranked:
    """The outcome of one execution: total matches and the top (score, global docnum) pairs."""

    total: int
    top: list[tuple[float, int]] = field(default_factory=list)


class _SegmentData:
    """Per-segment arrays, cached while the segment lives (segments never change content)."""

    def __init__(self) -> None:
        self.lengths: dict[str, bytes] = {}
        self.columns: dict[str, Any] = {}


class Executor:
    """Runs text queries and filters over a Whoosh searcher's segments, with per-segment caches."""

    def __init__(self) -> None:
        self._segments: dict[str, _SegmentData] = {}

    def forget_except(self, segment_ids: Iterable[str]) -> None:
        """Drop caches of segments no longer in the index."""
        keep = set(segment_ids)
        for segid in list(self._segments):
            if segid not in keep:
                del self._segments[segid]

    def _data(self, reader: Any) -> _SegmentData:
        segid = reader.segment().segment_id()
        data = self._segments.get(segid)
        if data is None:
            data = self._segments[segid] = _SegmentData()
        return data

    def _lengths(self, reader: Any, fieldname: str) -> bytes:
        """The one-byte encoded field length of every document of a segment."""
        data = self._data(reader)
        found = data.lengths.get(fieldname)
        if found is None:
            count = reader.doc_count_all()
            column = reader._perdoc._cached_reader(
                whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
            )
            if column is None:
                found = bytes(count)
            else:
                found = bytes(column[d] for d in range(count))
            data.lengths[fieldname] = found
        return found

    def _column(self, reader: Any, fieldname: str) -> Any:
        """A sortable field's column values for a segment, loaded into memory."""
        data = self._data(reader)
        found = data.columns.get(fieldname)
        if found is None:
            column = reader.column_reader(fieldname, translate=False)
            found = column.load() if hasattr(column, "load") else list(column)
            data.columns[fieldname] = found
        return found

    def _allowed(self, reader: Any, filters: list[Filter], deleted: frozenset[int]) -> set[int]:
        """The live documents of a segment passing every filter."""
        result: set[int] | None = None
        for f in sorted(filters, key=lambda f: isinstance(f, RangeFilter)):
            if isinstance(f, KeywordFilter):
                ids: set[int] = set()
                for value in f.values:
                    ids.update(_postings(reader, f.field, value)[0])
                result = ids if result is None else result & ids
            else:
                result = self._in_range(reader, f, result)
            if not result:
                return set()
        assert result is not None
        return result - deleted if deleted else result

    def _in_range(self, reader: Any, f: RangeFilter, among: set[int] | None) -> set[int]:
        field = reader.schema[f.field]
        values = self._column(reader, f.field)
        # Column values are Whoosh's sortable form; the type's maximum marks "no value".
        low = field.to_column_value(f.start) if f.start is not None else 0
        high = field.to_column_value(f.end) if f.end is not None else _MISSING - 1
        high = min(high, _MISSING - 1)
        docs = sorted(among) if among is not None else range(len(values))
        picked = list(map(values.__getitem__, docs)) if among is not None else values
        inside = map(and_, map(low.__le__, picked), map(high.__ge__, picked))
        return set(compress(docs, inside))

    # --- running ------------------------------------------------------------------------------

    def run(
        self,
        searcher: Searcher,
        words: list[QueryWord],
        match_all: bool,
        filters: list[Filter],
        k: int,
        sort_field: str | None = None,
        reverse: bool = False,
    ) -> Ranked:
        """Count the matches of ``words`` passing ``filters`` and rank the best ``k``.

        Without words every document passing the filter matches (score 0). With
        ``sort_field`` the top ``k`` are by that column instead of by score.
        """
        stats = _Stats(searcher, words)
        total = 0
        tops: list[list[tuple[float, int]]] = []
        for reader, offset in searcher.reader().leaf_readers():
            count, top = self._run_segment(
                reader, offset, words, match_all, filters, k, stats, sort_field, reverse
            )
            total += count
            tops.append(top)
        merged = heapq.nlargest(k, (item for top in tops for item in top))
        if sort_field is not None:
            return Ranked(total, [(0.0, -key) for _value, key in merged])
        return Ranked(total, [(score, -key) for score, key in merged])

    def _run_segment(
        self,
        reader: Any,
        offset: int,
        words: list[QueryWord],
        match_all: bool,
        filters: list[Filter],
        k: int,
        stats: _Stats,
        sort_field: str | None,
        reverse: bool,
    ) -> tuple[int, list[tuple[float, int]]]:
        if not reader.doc_count_all():
            return 0, []
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        allowed = self._allowed(reader, filters, deleted) if filters else None

        fold_postings = [_postings(reader, FOLD, w.fold) for w in words]
        if len(words) == 1 and allowed is None and not deleted:
            docs = fold_postings[0][0]  # already sorted and unique
        else:
            if words:
                candidates = _combine([p[0] for p in fold_postings], match_all)
                if allowed is not None:
                    candidates &= allowed
                elif deleted:
                    candidates -= deleted
            elif allowed is not None:
                candidates = allowed
            else:
                candidates = set(range(reader.doc_count_all())) - deleted
            docs = sorted(candidates)
        if not docs:
            return 0, []

        if sort_field is not None:
            values = self._column(reader, sort_field)
            sign = 1 if reverse else -1
            # Ties keep index order (earlier document first), like Whoosh's sorter.
            keyed = zip(
                map(sign.__mul__, map(values.__getitem__, docs)),
                map(neg, map(offset.__add__, docs)),
                strict=True,
            )
            return len(docs), heapq.nlargest(k, keyed)

        if not words:
            top_docs = docs[:k]
            return len(docs), [(0.0, -(offset + d)) for d in top_docs]

        totals: list[float] = [0.0] * len(docs)
        fold_lengths = self._lengths(reader, FOLD)
        exact_lengths = self._lengths(reader, EXACT)
        for word, fold in zip(words, fold_postings, strict=True):
            totals = list(
                map(add, totals, _scores(fold, docs, fold_lengths, stats.table(FOLD, word.fold)))
            )
            exact = _postings(reader, EXACT, word.exact)
            if exact[0]:
                table = stats.table(EXACT, word.exact, EXACT_BOOST)
                totals = list(map(add, totals, _scores(exact, docs, exact_lengths, table)))
        return len(docs), _top(totals, docs, offset, k)


class _Stats:
    """Collection statistics (idf, average lengths) and the per-term BM25 lookup tables."""

    def __init__(self, searcher: Searcher, words: list[QueryWord]) -> None:
        self.searcher = searcher
        self.doc_count = searcher.doc_count_all()
        self._avg: dict[str, float] = {}
        self._tables: dict[tuple[str, str, float], _Table] = {}

    def table(self, fieldname: str, text: str, boost: float = 1.0) -> _Table:
        key = (fieldname, text, boost)
        found = self._tables.get(key)
        if found is None:
            avg = self._avg.get(fieldname)
            if avg is None:
                avg = self._avg[fieldname] = self.searcher.avg_field_length(fieldname) or 1
            idf = self.searcher.idf(fieldname, text)
            found = self._tables[key] = _Table(idf * boost, avg)
        return found


class _Table:
    """BM25 by length byte: ``bm25(idf, w, L, avg) = idf * w * (K1 + 1) / (w + norm[L])``.

    One row of 256 scores per distinct posting weight, so scoring a posting is two lookups.
    """

    def __init__(self, scale: float, avg: float) -> None:
        self.scale = scale * (K1 + 1)
        self.norm = [K1 * ((1 - B) + B * byte_to_length(b) / avg) for b in range(256)]
        self._rows: dict[float, list[float]] = {}
        # Scores of weight-1 postings, the vast majority.
        self.unit = self.row(1.0)

    def row(self, weight: float) -> list[float]:
        found = self._rows.get(weight)
        if found is None:
            scale = self.scale * weight
            found = self._rows[weight] = [scale / (weight + n) for n in self.norm]
        return found

    def flat(self, weights: Iterable[float]) -> tuple[list[float], dict[float, int]]:
        """The rows of ``weights`` end to end, and each weight's row offset."""
        flat: list[float] = []
        offsets = {}
        for weight in weights:
            offsets[weight] = len(flat)
            flat.extend(self.row(weight))
        return flat, offsets


def _top(scores: list[float], docs: list[int], offset: int, k: int) -> list[tuple[float, int]]:
    """The ``k`` best (score, -global docnum) pairs; ties go to the earlier document."""
    if len(scores) > 8 * k:
        # Cut to the documents scoring at least the k-th best before building tuples.
        threshold = heapq.nlargest(k, scores)[-1]
        keep = list(map(threshold.__le__, scores))
        docs = list(compress(docs, keep))
        scores = list(compress(scores, keep))
    keyed = zip(scores, map(neg, map(offset.__add__, docs)), strict=True)
    return heapq.nlargest(k, keyed)


def _scores(postings: Postings, docs: list[int], lengths: bytes, table: _Table) -> list[float]:
    """Scores of ``docs`` (sorted) for one term; 0.0 where the term is absent."""
    ids, weights = postings
    if ids == docs or len(ids) <= 2 * len(docs):
        # Score the whole posting list; cheaper than selecting the candidates first.
        present, present_weights = ids, weights
    elif weights is None:
        present, present_weights = list(filter(set(ids).__contains__, docs)), None
    else:
        by_doc = dict(zip(ids, weights, strict=True))
        present = list(filter(by_doc.__contains__, docs))
        present_weights = list(map(by_doc.__getitem__, present))
    length_bytes = map(lengths.__getitem__, present)
    if present_weights is None:
        scores = list(map(table.unit.__getitem__, length_bytes))
    else:
        flat, offsets = table.flat(set(present_weights))
        cells = map(add, map(offsets.__getitem__, present_weights), length_bytes)
        scores = list(map(flat.__getitem__, cells))
    if present is docs or present == docs:
        return scores
    by_doc_score = dict(zip(present, scores, strict=True))
    return list(map(by_doc_score.get, docs, repeat(0.0)))


def _combine(id_lists: list[list[int]], match_all: bool) -> set[int]:
    """Intersect (all words) or unite (any word) posting lists, smallest first."""
    ordered = sorted(id_lists, key=len)
    result = set(ordered[0])
    for ids in ordered[1:]:
        if match_all:
            if not result:
                break
            result = result.intersection(ids)
        else:
            result.update(ids)
    return result


def _postings(reader: Any, fieldname: str, text: str | bytes) -> Postings:
    """All (docnum, weight) postings of a term in one segment; weights None when all 1.0.

    Deleted documents are included: callers remove them from candidate sets.
    """
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return [], None
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids: list[int] = []
    weights: list[float] = []
    unit = True
    if isinstance(matcher, whoosh3.W3LeafMatcher):
        while matcher.is_active():
            matcher._read_data()
            deltas, block_weights, _values = matcher._data
            start = len(ids)
            ids.extend(accumulate(deltas))
            if block_weights is None:
                weights.extend(repeat(1.0, len(ids) - start))
            elif isinstance(block_weights, float):
                unit = unit and block_weights == 1.0
                weights.extend(repeat(block_weights, len(ids) - start))
            else:
                unit = False
                weights.extend(block_weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weight = matcher.weight()
            unit = unit and weight == 1.0
            weights.append(weight)
            matcher.next()
    return ids, (None if unit else weights)
