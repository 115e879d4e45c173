"""Grouping similar texts: the one clusterer of the platform.

Petitions' same-issue groups (``petitions.clusters``), questioning's proposed groupings of
question forms (``questioning.proposals``) and the assistant's topic groups
(``assistant.services.grouping``) group with it. Each item has a key (its field, or its agency
and field: only items of one key are compared) and a vector of terms: a set of terms compared by
Jaccard similarity (:func:`terms`, :func:`jaccard`), or TF-IDF weights compared by cosine
(:func:`cosine`). Candidates come from an inverted index on (key, term), so the work grows with
the overlaps, not with the square of the number of items; items that share no term are never
compared (their similarity is 0). Two ways of joining:

- :func:`link` (petitions, questioning): two items at least ``threshold`` alike are in one
  group, and so, step by step, are the items alike to either (single link; the order of the
  items does not matter);
- :func:`nearest` (the assistant, on long texts where single link would chain topics
  together): each item in turn joins the group whose centroid it is most alike, when at least
  ``threshold``, or starts one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import TypeVar

from council.search.text import fold, syllable_pairs, syllables

V = TypeVar("V", bound=Collection[str])


def filler(words: str) -> frozenset[str]:
    """The accent-folded syllables of ``words``: terms that say nothing about the issue."""
    return frozenset(fold(s) for s in syllables(words))


def terms(text: str, stop: frozenset[str] = frozenset()) -> frozenset[str]:
    """The accent-folded syllables of ``text`` and its pairs of neighbouring ones, ``stop`` left
    out (so that "duong lien xa" and "Đường liên xã" are alike)."""
    kept = [f for f in (fold(s) for s in syllables(text)) if f not in stop]
    return frozenset(kept) | frozenset(syllable_pairs(kept))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared terms over all terms of the two; 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two vectors already normalised (``assistant.textrank.Vectors`` rows)."""
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def link(
    keys: Sequence[Hashable],
    vectors: Sequence[V],
    threshold: float,
    similarity: Callable[[V, V], float],
) -> list[list[int]]:
    """Groups of the indexes of alike items (single link within a key), every item in one
    group: each group's indexes ascending, the groups in the order of their first item."""
    if len(keys) != len(vectors):
        raise ValueError("one key per vector")
    parent = list(range(len(vectors)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[tuple[Hashable, str], list[int]] = defaultdict(list)
    for n, (key, vector) in enumerate(zip(keys, vectors, strict=True)):
        candidates: set[int] = set()
        for term in vector:
            candidates.update(index[(key, term)])
        for m in sorted(candidates):
            if find(n) != find(m) and similarity(vector, vectors[m]) >= threshold:
                parent[find(n)] = find(m)
        for term in vector:
            index[(key, term)].append(n)
    groups: dict[int, list[int]] = {}
    for n in range(len(vectors)):
        groups.setdefault(find(n), []).append(n)
    return list(groups.values())


def nearest(
    keys: Sequence[Hashable], vectors: Sequence[Mapping[str, float]], threshold: float
) -> list[list[int]]:
    """Groups of the indexes of alike items: each item, in order, joins the group of its key
    whose centroid (the sum of its members' vectors) has the greatest cosine with it, when at
    least ``threshold``, else starts a group. Each group's indexes ascending, the groups in the
    order they were started."""
    if len(keys) != len(vectors):
        raise ValueError("one key per vector")
    groups: list[tuple[dict[str, float], list[int]]] = []
    index: dict[tuple[Hashable, str], set[int]] = {}
    for n, (key, row) in enumerate(zip(keys, vectors, strict=True)):
        candidates: set[int] = set()
        for term in row:
            candidates |= index.get((key, term), set())
        best, best_sim = -1, 0.0
        for g in sorted(candidates):
            centroid = groups[g][0]
            norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
            sim = sum(w * centroid.get(t, 0.0) for t, w in row.items()) / norm
            if sim > best_sim:
                best, best_sim = g, sim
        if best < 0 or best_sim < threshold:
            groups.append(({}, []))
            best = len(groups) - 1
        centroid, members = groups[best]
        members.append(n)
        for term, w in row.items():
            centroid[term] = centroid.get(term, 0.0) + w
            index.setdefault((key, term), set()).add(best)
    return [members for _centroid, members in groups]
