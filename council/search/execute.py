"""Query execution over Whoosh segments with array operations instead of matchers.

Whoosh's matchers advance one posting at a time in Python (a few microseconds each); a common
syllable such as "đường" is in a third of all petitions, so a ranked search with an exact
total would take hundreds of milliseconds. This executor reads each posting list a block at
a time (unpickle, then one NumPy conversion), counts and filters candidates with boolean
masks over the segment, and scores them with Whoosh's own BM25F formula through a lookup
table over the one-byte field lengths Whoosh stores.

Scores and order equal ``searcher.search()`` with ``BM25F()`` on the same query (ties go to
the earlier document; ``tests/council/search/test_execute.py`` checks it). :func:`supported`
tells whether the installed Whoosh has the codec internals read here; the index falls back
to Whoosh's searcher otherwise.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from council.compat import whoosh as compat_whoosh
from council.search.analysis import EXACT, FOLD
from council.search.arrays import open_arrays
from council.search.filters import Filter, KeywordFilter, RangeFilter
from council.search.query import EXACT_BOOST, QueryWord

__all__ = ["K1", "B", "Executor", "Ranked", "supported"]

# Whoosh's BM25F defaults.
K1 = 1.2
B = 0.75
# Whoosh fills a 64-bit numeric column with its maximum where a document has no value.
_MISSING = np.uint64(2**64 - 1)
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_NO_IDS = np.zeros(0, dtype=np.int64)


def supported() -> bool:
    """Whether the installed Whoosh exposes the W3 block internals this module reads."""
    return compat_whoosh.reader_supported()


@dataclass
class Ranked:
    """The outcome of one execution: total matches and the top (score, global docnum) pairs."""

    total: int
    top: list[tuple[float, int]] = field(default_factory=list)


@dataclass
class Postings:
    """A term's postings in one segment: sorted document numbers, weights (None: all 1)."""

    ids: np.ndarray
    weights: np.ndarray | None


class _SegmentData:
    """Per-segment arrays, cached while the segment lives (segments never change content)."""

    def __init__(self, reader: Any) -> None:
        self.lengths: dict[str, np.ndarray] = {}
        self.columns: dict[str, np.ndarray] = {}
        # The bulk rebuild's raw posting arrays of common terms, if the segment has them.
        self.arrays = open_arrays(reader)


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
            data = self._segments[segid] = _SegmentData(reader)
        return data

    def _lengths(self, reader: Any, fieldname: str) -> np.ndarray:
        """The one-byte encoded field length of every document of a segment."""
        data = self._data(reader)
        found = data.lengths.get(fieldname)
        if found is None:
            count = reader.doc_count_all()
            column = compat_whoosh.lengths_column(reader, fieldname)
            if column is None:
                found = np.zeros(count, dtype=np.uint8)
            else:
                found = _numeric_column(column, count, np.dtype(np.uint8))
            data.lengths[fieldname] = found
        return found

    def _column(self, reader: Any, fieldname: str) -> np.ndarray:
        """A sortable numeric field's column (Whoosh's sortable uint64 form) for a segment."""
        data = self._data(reader)
        found = data.columns.get(fieldname)
        if found is None:
            column = reader.column_reader(fieldname, translate=False)
            found = _numeric_column(column, reader.doc_count_all(), np.dtype(">u8"))
            data.columns[fieldname] = found.astype(np.uint64)
        return found

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
        boosts: list[QueryWord] | None = None,
    ) -> Ranked:
        """Count the matches of ``words`` passing ``filters`` and rank the best ``k``.

        Without words every document passing the filters matches (score 0). With
        ``sort_field`` the top ``k`` are by that column instead of by score. ``boosts`` add
        their scores where they occur but match nothing by themselves.
        """
        stats = _Stats(searcher)
        total = 0
        tops: list[list[tuple[float, int]]] = []
        for reader, offset in searcher.reader().leaf_readers():
            if not reader.doc_count_all():
                continue
            count, top = self._run_segment(
                reader,
                offset,
                words,
                boosts or [],
                match_all,
                filters,
                k,
                stats,
                sort_field,
                reverse,
            )
            total += count
            tops.append(top)
        # Per-segment keys are (primary, -global docnum): larger is better.
        merged = heapq.nlargest(k, (item for top in tops for item in top))
        if sort_field is not None:
            return Ranked(total, [(0.0, -key) for _value, key in merged])
        return Ranked(total, [(score, -key) for score, key in merged])

    def _run_segment(
        self,
        reader: Any,
        offset: int,
        words: list[QueryWord],
        boosts: list[QueryWord],
        match_all: bool,
        filters: list[Filter],
        k: int,
        stats: _Stats,
        sort_field: str | None,
        reverse: bool,
    ) -> tuple[int, list[tuple[Any, int]]]:
        size = reader.doc_count_all()
        mask = self._allowed(reader, filters, size) if filters else None
        if reader.has_deletions():
            if mask is None:
                mask = np.ones(size, dtype=bool)
            mask[np.fromiter(reader.deleted_docs_set, np.int64)] = False

        fold_postings = [self._postings(reader, FOLD, w.fold) for w in words]
        if len(words) == 1 and mask is None:
            docs = fold_postings[0].ids
        elif words:
            hits = np.zeros(size, dtype=np.uint8)
            for postings in fold_postings:
                hits[postings.ids] += 1
            matched = hits == len(words) if match_all else hits > 0
            docs = np.flatnonzero(matched & mask if mask is not None else matched)
        else:
            docs = np.flatnonzero(mask) if mask is not None else np.arange(size)
        if not len(docs):
            return 0, []

        if sort_field is not None:
            values = self._column(reader, sort_field)[docs]
            # Smallest key first; for newest first, invert the unsigned values.
            keys = ~values if reverse else values
            chosen = _smallest(keys, docs, k)
            return len(docs), [(-int(keys[i]), -(offset + int(docs[i]))) for i in chosen]
        if not words:
            return len(docs), [(0.0, -(offset + int(d))) for d in docs[:k]]

        totals = np.zeros(size, dtype=np.float64)
        for word, fold in zip(words, fold_postings, strict=True):
            self._add_word(totals, reader, word, fold, stats)
        for word in boosts:
            self._add_word(totals, reader, word, self._postings(reader, FOLD, word.fold), stats)
        scores = totals[docs]
        chosen = _smallest(-scores, docs, k)
        return len(docs), [(float(scores[i]), -(offset + int(docs[i]))) for i in chosen]

    def _postings(self, reader: Any, fieldname: str, text: str) -> Postings:
        """A text term's postings: from the segment's posting arrays when kept there."""
        kept = self._data(reader).arrays
        found = kept.get(fieldname, text) if kept is not None else None
        if found is None:
            return _postings(reader, fieldname, text)
        return Postings(*found)

    def _add_word(
        self, totals: np.ndarray, reader: Any, word: QueryWord, fold: Postings, stats: _Stats
    ) -> None:
        """Add a word's score: its folded form, plus its exact form boosted."""
        if not len(fold.ids):
            return
        self._add_scores(totals, reader, FOLD, fold, stats.scale(FOLD, word.fold))
        exact = self._postings(reader, EXACT, word.exact)
        if len(exact.ids):
            scale = stats.scale(EXACT, word.exact, EXACT_BOOST)
            self._add_scores(totals, reader, EXACT, exact, scale)

    def _add_scores(
        self, totals: np.ndarray, reader: Any, fieldname: str, postings: Postings, scale: Any
    ) -> None:
        """Add one term's BM25 score to ``totals`` at each of its documents."""
        idf, avg = scale
        norm = K1 * ((1 - B) + B * _LENGTHS / avg)
        lengths = norm[self._lengths(reader, fieldname)[postings.ids]]
        weights = postings.weights
        if weights is None:
            totals[postings.ids] += idf * (K1 + 1) / (1.0 + lengths)
        else:
            totals[postings.ids] += idf * weights * (K1 + 1) / (weights + lengths)

    def _allowed(self, reader: Any, filters: list[Filter], size: int) -> np.ndarray:
        """A mask of the documents of a segment passing every filter."""
        mask = np.ones(size, dtype=bool)
        for f in filters:
            if isinstance(f, KeywordFilter):
                hit = np.zeros(size, dtype=bool)
                for value in f.values:
                    hit[_postings(reader, f.field, value).ids] = True
                mask &= hit
            elif isinstance(f, RangeFilter):
                mask &= self._in_range(reader, f)
        return mask

    def _in_range(self, reader: Any, f: RangeFilter) -> np.ndarray:
        field_type = reader.schema[f.field]
        values = self._column(reader, f.field)
        inside = values != _MISSING
        if f.start is not None:
            inside &= values >= np.uint64(field_type.to_column_value(f.start))
        if f.end is not None:
            inside &= values <= np.uint64(field_type.to_column_value(f.end))
        return inside


class _Stats:
    """Collection statistics (idf, average field lengths) for the whole index."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._avg: dict[str, float] = {}

    def scale(self, fieldname: str, text: str, boost: float = 1.0) -> tuple[float, float]:
        """(idf × boost, average field length) of a term."""
        avg = self._avg.get(fieldname)
        if avg is None:
            avg = self._avg[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return self.searcher.idf(fieldname, text) * boost, avg


def _numeric_column(column: Any, count: int, dtype: np.dtype) -> np.ndarray:
    """A Whoosh numeric column as an array, read in one piece when its layout allows."""
    found = compat_whoosh.fixed_column_bytes(column, dtype.itemsize, count)
    if found is not None:
        data, default = found
        values = np.full(count, default, dtype=dtype)
        values[: len(data) // dtype.itemsize] = np.frombuffer(data, dtype=dtype)
        return values
    return np.fromiter((column[d] for d in range(count)), dtype, count)


def _smallest(keys: np.ndarray, docs: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest keys, ties to the earlier document, in order."""
    if len(keys) > k:
        cut = np.partition(keys, k - 1)[k - 1]
        below = np.flatnonzero(keys < cut)
        ties = np.flatnonzero(keys == cut)[: k - len(below)]
        positions = np.concatenate([below, ties])
    else:
        positions = np.arange(len(keys))
    order = np.lexsort((docs[positions], keys[positions]))
    return positions[order]


def _postings(reader: Any, fieldname: str, text: str | bytes) -> Postings:
    """All postings of a term in one segment (deleted documents included)."""
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return Postings(_NO_IDS, None)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not compat_whoosh.is_leaf(matcher):
        found: list[tuple[int, float]] = []
        while matcher.is_active():
            found.append((matcher.id(), matcher.weight()))
            matcher.next()
        doc_ids = np.array([d for d, _ in found], dtype=np.int64)
        doc_weights = np.array([w for _, w in found], dtype=np.float64)
        unit = bool(np.all(doc_weights == 1.0))
        return Postings(doc_ids, None if unit else doc_weights)
    deltas: list[int] = []
    starts: list[int] = []
    last_ids: list[int] = []
    weighted: list[tuple[int, int, Any]] = []
    for block_deltas, block_weights, last_id in compat_whoosh.leaf_blocks(matcher):
        start = len(deltas)
        starts.append(start)
        deltas.extend(block_deltas)
        if block_weights is not None and block_weights != 1.0:
            weighted.append((start, len(deltas), block_weights))
        last_ids.append(last_id)
    ids = np.array(deltas, dtype=np.int64)
    # Each block's first delta is absolute: make it relative to the previous block's last id.
    if len(starts) > 1:
        ids[starts[1:]] -= np.array(last_ids[:-1], dtype=np.int64)
    np.cumsum(ids, out=ids)
    weights = None
    if weighted:
        weights = np.ones(len(ids), dtype=np.float64)
        for start, end, block_weights in weighted:
            weights[start:end] = block_weights
    return Postings(ids, weights)
