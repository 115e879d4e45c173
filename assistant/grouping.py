"""Group a cycle's petitions by topic for the summary report of voters' petitions.

Petitions are clustered within their field (category) by the terms they share: accent-folded
syllables and syllable pairs, TF-IDF weighted, the title counting double (citizens often type
without accents, so folding matters here). Clustering is a single deterministic pass: each
petition joins the group whose centroid it is most similar to, or starts a new one. A group
is named by the phrase its titles share (``council.topics.topic_name``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.textrank import Vectors, terms
from council.topics import topic_name

# Cosine with a group's centroid above which a petition joins it.
JOIN_SIMILARITY = 0.15


class PetitionLike(Protocol):
    """The fields of petitions' ``PetitionBrief`` the grouping reads."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def commune_name(self) -> str: ...


@dataclass
class Group:
    """Petitions about one topic."""

    category: str
    topic: str
    codes: list[str]
    communes: list[str]
    titles: list[str]
    summary: str = ""
    # Most representative petition first.
    members: list[PetitionLike] = field(default_factory=list, repr=False)

    @property
    def count(self) -> int:
        """How many petitions the group holds."""
        return len(self.codes)


def _petition_terms(p: PetitionLike) -> Counter[str]:
    counts = terms(p.body or "", folded=True)
    for term, n in terms(p.title or "", folded=True).items():
        counts[term] += 2 * n
    return counts


def cluster(petitions: Sequence[PetitionLike]) -> list[Group]:
    """Group ``petitions`` by category and shared terms; largest groups first."""
    ordered = sorted(petitions, key=lambda p: (p.category or "", p.code))
    vectors = Vectors([_petition_terms(p) for p in ordered], max_df=0.3)
    groups: list[tuple[str, dict[str, float], list[int]]] = []
    by_term: dict[tuple[str, str], set[int]] = {}
    for i, p in enumerate(ordered):
        row = vectors.rows[i]
        candidates: set[int] = set()
        for term in row:
            candidates |= by_term.get((p.category, term), set())
        best, best_sim = -1, 0.0
        for g in sorted(candidates):
            _cat, centroid, _members = groups[g]
            norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
            sim = sum(w * centroid.get(t, 0.0) for t, w in row.items()) / norm
            if sim > best_sim:
                best, best_sim = g, sim
        if best < 0 or best_sim < JOIN_SIMILARITY:
            groups.append((p.category, {}, []))
            best = len(groups) - 1
        _cat, centroid, members = groups[best]
        members.append(i)
        for term, w in row.items():
            centroid[term] = centroid.get(term, 0.0) + w
            by_term.setdefault((p.category, term), set()).add(best)
    result = []
    for category, centroid, members in groups:
        norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0

        def closeness(i: int, centroid: dict[str, float] = centroid, norm: float = norm) -> float:
            return sum(w * centroid.get(t, 0.0) for t, w in vectors.rows[i].items()) / norm

        # Most representative first: these are the ones a summary reads when a group is large.
        items = [ordered[i] for i in sorted(members, key=lambda i: (-closeness(i), i))]
        communes = Counter(p.commune_name for p in items if p.commune_name)
        result.append(
            Group(
                category=category,
                # The phrase most titles share, cut between words (council.topics); else the
                # most representative petition's own title.
                topic=(topic_name([p.title for p in items]) if len(items) > 1 else "")
                or items[0].title,
                codes=sorted(p.code for p in items),
                communes=[c for c, _n in sorted(communes.items(), key=lambda kv: (-kv[1], kv[0]))],
                titles=[p.title for p in items],
                members=items,
            )
        )
    result.sort(key=lambda g: (-g.count, g.category, g.codes[0]))
    return result
