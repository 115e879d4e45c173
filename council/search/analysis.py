"""Vietnamese analysis for Whoosh: syllables, syllable pairs, an exact and an accent-folded field.

Every searched text is indexed twice:

- ``exact``: lowercased NFC syllables (tone marks placed one canonical way: "hoà" = "hòa"),
- ``fold``: the same syllables with diacritics stripped and đ→d ("đường" → "duong"),

and in both fields every two adjacent syllables of a run (a stretch of text without
punctuation) are also indexed as one term joined by "_" ("giao_thông", "giao_thong").
Vietnamese words are mostly one or two syllables, so a two-syllable word is found with one
posting-list lookup instead of a phrase query. No stop list: "đường" and "không" matter.

Indexing goes through :func:`field_terms` (a fast path that yields the same terms as the Whoosh
analyzer :class:`VietnameseTokenizer`, which exists for Whoosh's own callers).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from whoosh import fields as wfields
from whoosh import formats
from whoosh.analysis import Token, Tokenizer

from council.search.text import canonical_tone, fold, normalize

__all__ = [
    "EXACT",
    "FOLD",
    "FOLDED",
    "chunks",
    "PAIR_JOINER",
    "VietnameseTokenizer",
    "VietnameseText",
    "WeightFormat",
    "canonical",
    "folded",
    "field_terms",
    "runs",
    "TermCounts",
    "TextValue",
    "weighted_terms",
]

EXACT = "exact"
FOLD = "fold"
PAIR_JOINER = "_"

# A run ends at punctuation (or "_"); pairs never cross it: "phản ánh: Thời gian" has no
# "ánh_thời" pair.
_RUN_BREAK = re.compile(r"[^\w\s]+|_+")
_SYLLABLE = re.compile(r"[^\W_]+")
_CACHE_LIMIT = 200_000

# A text field value: one string, or (string, boost) parts, e.g. [(title, 2.0), (body, 1.0)].
TextValue = str | Sequence[tuple[str, float]]


class _Memo(dict[str, str]):
    """A syllable → form cache; Vietnamese has ~7,000 syllables, so hits dominate."""

    def __init__(self, fn: Callable[[str], str]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, key: str) -> str:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        value = self[key] = self._fn(key)
        return value


_CANONICAL = _Memo(canonical_tone)
_FOLDED = _Memo(fold)
# Any syllable (any case) → its folded form, memoized: FOLDED["Đường"] == "duong".
FOLDED: Mapping[str, str] = _FOLDED


def canonical(syllable: str) -> str:
    """The exact-field form of one lowercased syllable (tone mark placed canonically)."""
    return _CANONICAL[syllable]


def folded(syllable: str) -> str:
    """The folded-field form of one lowercased syllable ("đường" → "duong")."""
    return _FOLDED[syllable]


def runs(text: str) -> list[list[str]]:
    """Split ``text`` into runs of exact-form syllables, broken at punctuation."""
    canon = _CANONICAL.__getitem__
    out = []
    # Once punctuation and "_" are cut out, only letters, digits and spaces are left.
    for chunk in _RUN_BREAK.split(normalize(text).lower()):
        found = chunk.split()
        if found:
            out.append(list(map(canon, found)))
    return out


def _with_pairs(run: list[str], into: list[str]) -> None:
    into.extend(run)
    if len(run) > 1:
        into.extend(map(PAIR_JOINER.join, zip(run, run[1:], strict=False)))


def field_terms(text: str) -> tuple[list[str], list[str]]:
    """Return the (exact, fold) index terms of ``text``: syllables then in-run pairs."""
    exact: list[str] = []
    fold_terms: list[str] = []
    fold_of = _FOLDED.__getitem__
    for run in runs(text):
        _with_pairs(run, exact)
        _with_pairs(list(map(fold_of, run)), fold_terms)
    return exact, fold_terms


@dataclass
class TermCounts:
    """The terms of one field of one document: frequencies, boosted weights, total length."""

    freqs: Counter[str] = field(default_factory=Counter)
    # Boosted weight per term; None when every boost is 1 (weights equal frequencies).
    weights: dict[str, float] | None = None

    @property
    def length(self) -> int:
        """The field length Whoosh scores with: the number of terms indexed."""
        return self.freqs.total()

    def weight(self, term: str) -> float:
        return float(self.freqs[term] if self.weights is None else self.weights[term])


def weighted_terms(value: TextValue) -> tuple[TermCounts, TermCounts]:
    """Count the exact and folded terms of a text value.

    A plain string has boost 1; parts carry their own boost (a title at 2 counts twice).
    """
    parts = [(value, 1.0)] if isinstance(value, str) else [(t, b) for t, b in value if t]
    exact, fold_counts = TermCounts(), TermCounts()
    analysed = [(field_terms(text), boost) for text, boost in parts]
    for counts, side in ((exact, 0), (fold_counts, 1)):
        for terms, _boost in analysed:
            counts.freqs.update(terms[side])
        if all(boost == 1 for _, boost in analysed):
            continue
        if all(float(boost).is_integer() for _, boost in analysed):
            weights: Counter[str] = Counter()
            for terms, boost in analysed:
                for _ in range(int(boost)):
                    weights.update(terms[side])
            counts.weights = weights  # type: ignore[assignment]
        else:
            fractional: dict[str, float] = {}
            for terms, boost in analysed:
                for term, n in Counter(terms[side]).items():
                    fractional[term] = fractional.get(term, 0.0) + n * boost
            counts.weights = fractional
    return exact, fold_counts


class VietnameseTokenizer(Tokenizer):
    """Whoosh tokenizer: NFC, lowercase, syllables and in-run syllable pairs; folded if asked.

    Yields the same terms as :func:`field_terms` (singles and pairs per run), with
    positions and character offsets into the NFC-normalized text.
    """

    def __init__(self, folded: bool = False, pairs: bool = True) -> None:
        self.folded = folded
        self.pairs = pairs

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, VietnameseTokenizer)
            and other.folded == self.folded
            and other.pairs == self.pairs
        )

    def __hash__(self) -> int:
        return hash((type(self), self.folded, self.pairs))

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        text = normalize(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        form = _FOLDED if self.folded else None
        pos = start_pos
        for chunk_match in chunks(text):
            chunk_start, chunk = chunk_match
            singles: list[tuple[str, int, int]] = []
            for m in _SYLLABLE.finditer(chunk):
                word = canonical(m.group().lower())
                if form is not None:
                    word = form[word]
                singles.append((word, chunk_start + m.start(), chunk_start + m.end()))
            items = [(w, s, e, i) for i, (w, s, e) in enumerate(singles)]
            if self.pairs:
                items += [
                    (a[0] + PAIR_JOINER + b[0], a[1], b[2], i)
                    for i, (a, b) in enumerate(zip(singles, singles[1:], strict=False))
                ]
            for word, start, end, offset in items:
                token.text = word
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text[start:end]
                if positions:
                    token.pos = pos + offset
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token
            pos += len(singles)


def chunks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, chunk) for the punctuation-free stretches of ``text``."""
    start = 0
    for m in _RUN_BREAK.finditer(text):
        if m.start() > start:
            yield start, text[start : m.start()]
        start = m.end()
    if start < len(text):
        yield start, text[start:]


class WeightFormat(formats.Existence):
    """Postings carry only a weight (boosted term frequency): no positions, no payload.

    Phrases are answered by syllable-pair terms, so positions would only cost space and time.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        counts: dict[str, list[float]] = {}
        for token in formats.tokens(value, analyzer, kwargs):
            slot = counts.setdefault(token.text, [0, 0.0])
            slot[0] += 1
            slot[1] += token.boost
        fb = self.field_boost
        return ((w, int(c[0]), c[1] * fb, b"") for w, c in counts.items())


class VietnameseText(wfields.FieldType):
    """A searched, scored, unstored Whoosh field holding the exact or the folded terms.

    Its value is a string or a sequence of (string, boost) parts; see :func:`weighted_terms`.
    """

    def __init__(self, folded: bool = False) -> None:
        self.folded = folded
        self.format = WeightFormat()
        self.analyzer = VietnameseTokenizer(folded=folded)
        self.scorable = True
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        exact, fold_counts = weighted_terms(value)
        counts = fold_counts if self.folded else exact
        for term, freq in counts.freqs.items():
            yield term.encode("utf-8"), freq, counts.weight(term), b""

    def process_text(self, qstring: str, mode: str = "", **kwargs: Any) -> Iterator[str]:
        for token in self.analyzer(qstring, mode=mode, **kwargs):
            yield token.text

    def self_parsing(self) -> bool:
        return False
