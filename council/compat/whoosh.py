"""Whoosh internals: its W3 codec's postings, written and read a block at a time.

The bulk builder (``council.search.bulk``) fills the postings writer's block buffer directly, and
the executor (``council.search.execute``) reads whole blocks of a leaf matcher and a segment's
length column in one piece: per-posting Python loops are what make Whoosh slow on our corpus.
Private: ``W3PostingsWriter`` (``_ids``, ``_weights``, ``_values``, ``_maxweight``,
``_minlength``, ``_maxlength``, ``_blocklimit``, ``_write_block``, ``_mini_ids``,
``_mini_weights``), ``W3FieldWriter`` (``_postfile``, ``_postwriter``), ``W3LeafMatcher``
(``_read_data``, ``_data``, ``_maxid``, ``_next_block``), a segment reader's ``_perdoc`` with its
``_cached_reader``, ``whoosh3._lenfield`` and a numeric column's ``_dbfile``, ``_fixedlen``,
``_count``, ``_basepos``, ``_default``. Where these are missing (``codec_supported``,
``reader_supported``), the search falls back to Whoosh's standard writer and searcher.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import chain
from operator import sub
from typing import Any

from whoosh.codec import whoosh3

SUPPORTED = ("2.7.5", "2.8")  # >= first, < second (Whoosh-Reloaded)


def codec_supported() -> bool:
    """Whether the installed Whoosh has the W3 codec internals the bulk path writes through."""
    writer = whoosh3.W3PostingsWriter
    needed = ("_write_block", "_new_block", "start_postings", "finish_postings")
    return (
        all(hasattr(writer, name) for name in needed)
        and hasattr(whoosh3.W3FieldWriter, "start_term")
        and "blocklimit" in whoosh3.W3Codec.__init__.__code__.co_varnames
    )


def reader_supported() -> bool:
    """Whether the installed Whoosh exposes the W3 block internals ``leaf_blocks`` reads."""
    matcher = whoosh3.W3LeafMatcher
    return all(hasattr(matcher, name) for name in ("_read_data", "_next_block", "is_active"))


class PostingsWriter(whoosh3.W3PostingsWriter):  # type: ignore[misc]
    """The W3 postings writer with its per-posting Python loops done by C builtins."""

    def _mini_ids(self) -> tuple[int, ...]:
        ids = self._ids
        return tuple(map(sub, ids, chain((0,), ids)))

    def _mini_weights(self) -> Any:
        weights = self._weights
        first = weights[0]
        if weights.count(first) == len(weights):
            return None if first == 1.0 else first
        return tuple(weights)


def start_postings(fieldwriter: Any, blocklimit: int, compression: int) -> PostingsWriter:
    """A ``PostingsWriter`` writing into ``fieldwriter``'s postings file, in place of its own."""
    postings = PostingsWriter(fieldwriter._postfile, blocklimit, compression=compression)
    fieldwriter._postwriter = postings
    return postings


def write_postings(writer: Any, ids: array, weights: array, lengths: array | None) -> None:
    """Fill the postings writer's block buffer a block at a time (what add_posting does)."""
    total = len(ids)
    blocklimit = writer._blocklimit
    for start in range(0, total, blocklimit):
        end = min(start + blocklimit, total)
        block_ids = ids[start:end]
        block_weights = weights[start:end]
        writer._ids = block_ids
        writer._weights = block_weights
        writer._values = []
        writer._maxweight = max(block_weights)
        if lengths is not None:
            block_lengths = list(map(lengths.__getitem__, block_ids))
            if min(block_lengths) == 0:  # Whoosh leaves empty fields out of the statistics
                block_lengths = [n for n in block_lengths if n] or [None]  # type: ignore[list-item]
            writer._minlength = min(block_lengths) if block_lengths != [None] else None
            writer._maxlength = max(block_lengths) if block_lengths != [None] else 0
        else:
            writer._minlength, writer._maxlength = None, 0
        if end < total:
            writer._write_block()


def lengths_column(reader: Any, fieldname: str) -> Any:
    """The column of a segment's one-byte encoded lengths of ``fieldname`` (None: none kept)."""
    return reader._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)


def fixed_column_bytes(column: Any, itemsize: int, count: int) -> tuple[bytes, Any] | None:
    """A fixed-width numeric column's stored values as raw bytes (at most ``count``) and the
    default of the documents past them; None when its layout is not that."""
    raw = getattr(column, "_dbfile", None)
    if raw is None or getattr(column, "_fixedlen", None) != itemsize:
        return None
    stored = min(column._count, count)
    return raw.get(column._basepos, stored * itemsize), column._default


def is_leaf(matcher: Any) -> bool:
    return isinstance(matcher, whoosh3.W3LeafMatcher)


def leaf_blocks(matcher: Any) -> Iterator[tuple[Any, Any, int]]:
    """Each block of a W3 leaf matcher: (id deltas, weights or one weight, its last id)."""
    while matcher.is_active():
        matcher._read_data()
        block_deltas, block_weights, _values = matcher._data
        yield block_deltas, block_weights, matcher._maxid
        matcher._next_block()
