"""From what a user typed to a Whoosh query: syllables, word segmentation by pairs, exact boost.

A query is split into syllable runs like indexed text. Adjacent syllables that form a word
("giao thông", "môi trường") become ONE pair term: a single posting list instead of a phrase
query. Which neighbours form a word is decided from the index itself: the pair is taken when
it occurs in a large share of the documents holding the rarer of its two syllables
(``PAIR_COHESION``). Each word then matches its exact form (boosted, so accented input ranks
exact spellings first) or its folded form ("duong" finds "đường").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from whoosh import query as wq

from council.search.analysis import EXACT, FOLD, PAIR_JOINER, folded, runs

__all__ = [
    "EXACT_BOOST",
    "MAX_QUERY_SYLLABLES",
    "PAIR_COHESION",
    "ParsedQuery",
    "QueryWord",
    "parse",
    "parse_query",
    "word_query",
    "words_query",
]

# BM25 saturates term frequency at (k1 + 1), so a boost of 8 keeps an exact match above a
# folded-only one unless the exact document is ~9x longer than average.
EXACT_BOOST = 8.0
PAIR_COHESION = 0.2
MAX_QUERY_SYLLABLES = 32


@dataclass(frozen=True)
class QueryWord:
    """One unit of a query: a syllable or a two-syllable pair, in exact and folded form."""

    exact: str
    fold: str

    @property
    def folded_syllables(self) -> tuple[str, ...]:
        """The folded syllables of this word, in order (for highlighting)."""
        return tuple(self.fold.split(PAIR_JOINER))


DocFreq = Callable[[str], int]


@dataclass(frozen=True)
class ParsedQuery:
    """Required words, and optional pair terms that rank adjacent matches first."""

    words: list[QueryWord]
    boosts: list[QueryWord]


def parse(
    text: str, fold_df: DocFreq | None = None, exact_df: DocFreq | None = None
) -> ParsedQuery:
    """Split ``text`` into query words, pairing adjacent syllables that form a word.

    ``fold_df(term)`` and ``exact_df(term)`` give a term's document frequency in the folded
    and exact fields. A pair typed with diacritics is judged on exact statistics ("phường
    Dương" is a place even though "duong" is mostly "đường"), one typed without on folded
    ones. Neighbours left as separate words still boost documents where they stand side by
    side. Without statistics (no index yet) every adjacent pair of a run is required, like a
    phrase. At most ``MAX_QUERY_SYLLABLES`` syllables are kept.
    """
    words: list[QueryWord] = []
    boosts: list[QueryWord] = []
    budget = MAX_QUERY_SYLLABLES
    # A syllable is at most 7 letters: this keeps every syllable we use and no more text.
    for run in runs(text[: MAX_QUERY_SYLLABLES * 40]):
        run = run[:budget]
        budget -= len(run)
        run_words, run_boosts = _segment(run, fold_df, exact_df or fold_df)
        words.extend(run_words)
        boosts.extend(run_boosts)
        if budget <= 0:
            break
    # The same word typed twice adds nothing but cost.
    unique = list(dict.fromkeys(words))
    return ParsedQuery(unique, [b for b in dict.fromkeys(boosts) if b not in unique])


def parse_query(
    text: str, fold_df: DocFreq | None = None, exact_df: DocFreq | None = None
) -> list[QueryWord]:
    """The required words of :func:`parse`."""
    return parse(text, fold_df, exact_df).words


def _pair(run: list[str], folds: list[str], i: int) -> QueryWord:
    return QueryWord(run[i] + PAIR_JOINER + run[i + 1], folds[i] + PAIR_JOINER + folds[i + 1])


def _best_pairs(n: int, cohesion: dict[int, float]) -> set[int]:
    """Non-overlapping pairs (by first position) with the largest total cohesion."""
    best: list[tuple[float, tuple[int, ...]]] = [(0.0, ())] * (n + 2)
    for i in range(n - 1, -1, -1):
        best[i] = best[i + 1]
        if i in cohesion:
            total, chosen = best[i + 2]
            if total + cohesion[i] > best[i][0]:
                best[i] = (total + cohesion[i], (i, *chosen))
    return set(best[0][1])


def _segment(
    run: list[str], fold_df: DocFreq | None, exact_df: DocFreq | None
) -> tuple[list[QueryWord], list[QueryWord]]:
    folds = [folded(s) for s in run]
    n = len(run)
    if n == 1:
        return [QueryWord(run[0], folds[0])], []
    if fold_df is None or exact_df is None:
        return [_pair(run, folds, i) for i in range(n - 1)], []
    scored: list[tuple[float, int]] = []
    present = set()
    for i in range(n - 1):
        pair = _pair(run, folds, i)
        if pair.exact != pair.fold:
            df, terms = exact_df, (run[i], run[i + 1], pair.exact)
        else:
            df, terms = fold_df, (folds[i], folds[i + 1], pair.fold)
        rarer = min(df(terms[0]), df(terms[1]))
        pair_df = df(terms[2])
        if pair_df and rarer:
            scored.append((pair_df / rarer, i))
        if fold_df(pair.fold):
            present.add(i)
    starts = _best_pairs(n, {i: c for c, i in scored if c >= PAIR_COHESION})
    words = []
    i = 0
    while i < n:
        if i in starts:
            words.append(_pair(run, folds, i))
            i += 2
        else:
            words.append(QueryWord(run[i], folds[i]))
            i += 1
    boosts = [_pair(run, folds, i) for i in sorted(present - starts)]
    return words, boosts


def word_query(word: QueryWord) -> wq.Query:
    """Match one word by its exact form (boosted) or its folded form."""
    return wq.Or([wq.Term(EXACT, word.exact, boost=EXACT_BOOST), wq.Term(FOLD, word.fold)])


def words_query(
    words: list[QueryWord], match_all: bool = True, boosts: list[QueryWord] | None = None
) -> wq.Query:
    """Combine words: all must match (default) or any may; ``boosts`` only add to scores."""
    clauses = [word_query(w) for w in words]
    if not clauses:
        return wq.NullQuery
    core = clauses[0] if len(clauses) == 1 else (wq.And if match_all else wq.Or)(clauses)
    if not boosts:
        return core
    extra = [word_query(b) for b in boosts]
    return wq.AndMaybe(core, extra[0] if len(extra) == 1 else wq.Or(extra))
