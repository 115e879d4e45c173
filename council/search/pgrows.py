"""Documents and queries in PostgreSQL's terms: tsvector rows, tsquery text, filter SQL.

The analysis is ours, not PostgreSQL's: :func:`council.search.analysis.field_terms` yields the
exact and folded syllables and pairs, exactly the terms the Whoosh backend indexes; they are
stored as tsvector lexemes, folded ones as they are ("duong", "giao_thong") and exact ones
behind ``=`` ("=đường", "=giao_thông"), so one GIN index answers both. A lexeme carries one
position per occurrence (at most ``MAX_POSITIONS``), weighted by the boost of its text field
(A for the highest boost of the spec, then B, C, D): ``ts_rank`` then counts frequencies and
boosts. Positions say nothing about word order: adjacency is what the pair lexemes are for.
"""

from __future__ import annotations

import json
import struct
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from council.search.analysis import EXACT, field_terms
from council.search.filters import Filter, KeywordFilter
from council.search.query import QueryWord
from council.search.schema import ID_FIELD, IndexSpec, SearchError, keyword_values, to_timestamp

__all__ = [
    "EXACT_PREFIX",
    "MAX_DATE_FIELDS",
    "Row",
    "copy_record",
    "copy_tuple",
    "encode_tsvector",
    "exact_lexeme",
    "filter_sql",
    "keyword_entry",
    "rank_weights",
    "to_row",
    "tsquery",
]

EXACT_PREFIX = "="
MAX_POSITIONS = 8
MAX_DATE_FIELDS = 3
_WEIGHT_CODES = (3, 2, 1, 0)  # A, B, C, D in the binary tsvector format
_WEIGHT_LETTERS = "ABCD"

# lexeme -> weight codes, one per occurrence
Lexemes = dict[str, tuple[int, ...]]
# weight code -> n -> (code,) * n
_REPEATS = {c: [(c,) * n for n in range(MAX_POSITIONS + 1)] for c in (0, 1, 2, 3)}


def exact_lexeme(term: str) -> str:
    """The lexeme of an exact-form term."""
    return EXACT_PREFIX + term


def keyword_entry(field: str, value: str) -> str:
    """The ``keywords`` array entry of one keyword value ("status=received")."""
    return f"{field}={value}"


def _boost_classes(spec: IndexSpec) -> dict[float, int]:
    boosts = sorted(set(spec.text_fields.values()), reverse=True)
    if len(boosts) > len(_WEIGHT_CODES):
        raise SearchError("the PostgreSQL backend allows at most 4 distinct text field boosts")
    return {boost: i for i, boost in enumerate(boosts)}


def rank_weights(spec: IndexSpec) -> list[float]:
    """``ts_rank``'s weights array {D, C, B, A}: each class's boost over the highest."""
    classes = _boost_classes(spec)
    top = max(classes)
    weights = [0.0, 0.0, 0.0, 0.0]
    for boost, i in classes.items():
        weights[3 - i] = boost / top
    return weights


@dataclass(frozen=True)
class Row:
    """One document as stored: lexemes, keyword entries, dates d0..d2, stored fields."""

    doc_id: str
    lexemes: Lexemes
    keywords: list[str]
    dates: tuple[int | None, ...]
    stored: dict[str, Any]

    def tsvector_text(self) -> str:
        """The tsvector input form (lexemes are letters, digits, "_" and "=": no quoting)."""
        return " ".join(
            f"'{lex}':"
            + ",".join(f"{n}{_WEIGHT_LETTERS[3 - code]}" for n, code in enumerate(codes, 1))
            for lex, codes in self.lexemes.items()
        )


def to_row(spec: IndexSpec, doc: Mapping[str, Any]) -> Row:
    """Check ``doc`` against ``spec`` (as the Whoosh backend does) and turn it into a row."""
    checked = spec.to_document(doc)  # raises SearchError on undeclared or bad fields
    lexemes: Lexemes = {}
    for code, counts in _field_counts(spec, checked):
        repeats = _REPEATS[code]
        for key, n in counts.items():
            old = lexemes.get(key)
            rep = repeats[n] if n < MAX_POSITIONS else repeats[MAX_POSITIONS]
            lexemes[key] = rep if old is None else (old + rep)[:MAX_POSITIONS]
    return Row(str(checked[ID_FIELD]), lexemes, *_other_columns(spec, doc, checked))


def copy_record(spec: IndexSpec, doc: Mapping[str, Any]) -> tuple[Any, ...]:
    """The rebuild's COPY record of ``doc``: (doc_id, binary tsvector, keywords, dates...,
    stored JSON). The same lexemes as :func:`to_row`, encoded without building them one by
    one: the rebuild analyses a million documents of ~330 lexemes each."""
    checked = spec.to_document(doc)
    keywords, dates, stored = _other_columns(spec, doc, checked)
    fields = _field_terms(spec, checked)
    exact = _encode_fields([(code, Counter(e)) for code, e, _ in fields], _EXACT_ENTRIES)
    folded = _encode_fields([(code, Counter(f)) for code, _, f in fields], _FIELD_ENTRIES)
    terms = _COUNT.pack(exact[0] + folded[0]) + exact[1] + folded[1]
    return (str(checked[ID_FIELD]), terms, keywords, *dates, json.dumps(stored))


_INT = struct.Struct("!i")
_BIGINT = struct.Struct("!iq")  # a field's length (8) and a bigint
_NULL = _INT.pack(-1)
_TEXT_OID = 25
_EMPTY_ARRAY = struct.pack("!iiii", 12, 0, 0, _TEXT_OID)  # length, ndim 0, no nulls, text
_ARRAY_HEAD = struct.Struct("!iiiiii")  # length, ndim 1, no nulls, text, size, lower bound 1


def copy_tuple(spec: IndexSpec, doc: Mapping[str, Any]) -> bytes:
    """:func:`copy_record` as one tuple of PostgreSQL's binary COPY format (columns doc_id,
    terms, keywords, d0..., stored), so that worker processes hand the rebuild's connection
    bytes to send as they are, not values to encode one by one."""
    doc_id, terms, keywords, *dates, stored = copy_record(spec, doc)
    out = [struct.pack("!h", 4 + len(dates))]
    raw_id = doc_id.encode()
    out += [_INT.pack(len(raw_id)), raw_id, _INT.pack(len(terms)), terms]
    if keywords:
        items = [k.encode() for k in keywords]
        body = b"".join(_INT.pack(len(k)) + k for k in items)
        out.append(_ARRAY_HEAD.pack(20 + len(body), 1, 0, _TEXT_OID, len(items), 1) + body)
    else:
        out.append(_EMPTY_ARRAY)
    out += [_NULL if d is None else _BIGINT.pack(8, d) for d in dates]
    raw_stored = stored.encode()
    out += [_INT.pack(len(raw_stored) + 1), b"\x01", raw_stored]  # jsonb: version 1, text
    return b"".join(out)


def _field_terms(
    spec: IndexSpec, checked: Mapping[str, Any]
) -> list[tuple[int, list[str], list[str]]]:
    """Per non-empty text field (declaration order): its weight code, its exact terms (without
    the ``=`` of their lexemes) and its folded terms."""
    if len(spec.date_fields) > MAX_DATE_FIELDS:
        raise SearchError(f"the PostgreSQL backend allows at most {MAX_DATE_FIELDS} date fields")
    classes = _boost_classes(spec)
    # to_document's parts: the NFC text of each present text field with its boost, in order.
    return [
        (_WEIGHT_CODES[classes[boost]], *field_terms(text))
        for text, boost in checked[EXACT]
        if text
    ]


def _field_counts(spec: IndexSpec, checked: Mapping[str, Any]) -> list[tuple[int, Counter[str]]]:
    """Per text field (declaration order): its weight code and its lexemes' occurrences."""
    out = []
    for code, exact, folded in _field_terms(spec, checked):
        counts = Counter(folded)
        counts.update(map(_EXACT_ADD, exact))
        out.append((code, counts))
    return out


def _other_columns(
    spec: IndexSpec, doc: Mapping[str, Any], checked: Mapping[str, Any]
) -> tuple[list[str], tuple[int | None, ...], dict[str, Any]]:
    keywords = [
        keyword_entry(name, value)
        for name in spec.keyword_fields
        for value in keyword_values(doc.get(name))
    ]
    dates = tuple(
        to_timestamp(doc[name]) if doc.get(name) is not None else None for name in spec.date_fields
    )
    stored: dict[str, Any] = {}
    for name in spec.stored_fields:
        if name in spec.keyword_fields:
            if name in checked:
                given = doc[name]
                values = checked[name]
                stored[name] = values[0] if isinstance(given, str | int) else values
        elif name in spec.date_fields:
            if checked.get(name) is not None:
                stored[name] = checked[name]
        elif name in checked:
            stored[name] = checked[name]
    return keywords, dates, stored


_COUNT = struct.Struct("!i")
_CACHE_LIMIT = 500_000
_EXACT_ADD = EXACT_PREFIX.__add__


def _positions(codes: tuple[int, ...]) -> bytes:
    found = _POSITIONS.get(codes)
    if found is None:
        packed = ((c << 14) | n for n, c in enumerate(codes, 1))
        found = _POSITIONS[codes] = struct.pack(f"!H{len(codes)}H", len(codes), *packed)
    return found


_POSITIONS: dict[tuple[int, ...], bytes] = {}


class _Entries(dict[tuple[str, tuple[int, ...]], bytes]):
    """(lexeme, weight codes) -> its encoded entry: most lexemes recur with the same codes."""

    def __missing__(self, key: tuple[str, tuple[int, ...]]) -> bytes:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        value = self[key] = key[0].encode() + b"\0" + _positions(key[1])
        return value


class _FieldEntries(dict[tuple[str, int], bytes]):
    """(lexeme, occurrences) -> its encoded entry, for a lexeme of one field of weight ``code``."""

    def __init__(self, code: int, prefix: bytes = b"") -> None:
        super().__init__()
        self.repeats = _REPEATS[code]
        self.prefix = prefix

    def __missing__(self, key: tuple[str, int]) -> bytes:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        lexeme, n = key
        codes = self.repeats[n if n < MAX_POSITIONS else MAX_POSITIONS]
        value = self[key] = self.prefix + lexeme.encode() + b"\0" + _positions(codes)
        return value


_ENTRIES = _Entries()
_FIELD_ENTRIES = {code: _FieldEntries(code) for code in _WEIGHT_CODES}
# The same for exact terms, counted without their "=": their entries carry it.
_EXACT_ENTRIES = {code: _FieldEntries(code, EXACT_PREFIX.encode()) for code in _WEIGHT_CODES}


def encode_tsvector(lexemes: Lexemes) -> bytes:
    """PostgreSQL's binary tsvector form (for COPY): count, then lexeme\\0, npos, positions."""
    return _COUNT.pack(len(lexemes)) + b"".join(map(_ENTRIES.__getitem__, lexemes.items()))


def _encode_fields(
    fields: list[tuple[int, Counter[str]]], entries: Mapping[int, _FieldEntries]
) -> tuple[int, bytes]:
    """The number and the binary entries of the lexemes of per-field term counts (consumes
    the counters); ``entries`` encodes a term of a field of weight code ``code``.

    Terms of a single field are looked up by (term, count) in one C-level pass; only those in
    several fields (a title's words repeated in the body) are merged one by one.
    """
    shared: set[str] = set()
    for i, (_, counts) in enumerate(fields):
        for _, later in fields[i + 1 :]:
            shared |= counts.keys() & later.keys()
    merged: Lexemes = {}
    parts = []
    total = 0
    for code, counts in fields:
        if shared:
            repeats = _REPEATS[code]
            for term in shared & counts.keys():
                n = counts.pop(term)
                rep = repeats[n] if n < MAX_POSITIONS else repeats[MAX_POSITIONS]
                old = merged.get(term)
                merged[term] = rep if old is None else (old + rep)[:MAX_POSITIONS]
        total += len(counts)
        parts.append(b"".join(map(entries[code].__getitem__, counts.items())))
    if merged:
        prefix = entries[_WEIGHT_CODES[0]].prefix.decode()
        total += len(merged)
        parts.append(b"".join(_ENTRIES[prefix + term, codes] for term, codes in merged.items()))
    return total, b"".join(parts)


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def tsquery(words: Sequence[QueryWord], *, exact: bool, match_all: bool) -> str:
    """The tsquery text matching every word (``match_all``) or any, in exact or folded form."""
    joiner = " & " if match_all else " | "
    return joiner.join(_quoted(exact_lexeme(w.exact) if exact else w.fold) for w in words)


def filter_sql(spec: IndexSpec, filters: Sequence[Filter], params: list[Any]) -> list[str]:
    """SQL conditions for ``filters``, appending their values to ``params`` ($n placeholders)."""
    out = []
    for f in filters:
        if isinstance(f, KeywordFilter):
            params.append([keyword_entry(f.field, v) for v in f.values])
            out.append(f"keywords && ${len(params)}::text[]")
        else:
            column = f"d{spec.date_fields.index(f.field)}"
            if f.start is not None:
                params.append(f.start)
                out.append(f"{column} >= ${len(params)}::bigint")
            if f.end is not None:
                params.append(f.end)
                out.append(f"{column} <= ${len(params)}::bigint")
    return out
