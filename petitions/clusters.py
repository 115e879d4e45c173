"""Groups of petitions that raise the same issue, across communes (for the city's view).

Two petitions of the same field are similar when their titles share enough words: Jaccard
similarity of accent-folded syllables and syllable pairs. Candidates come from an inverted index
on pairs, so the work grows with the overlaps, not with the square of the number of petitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from council.search.text import fold, syllable_pairs, syllables

THRESHOLD = 0.5
# Words so common in petitions that they say nothing about the issue.
_FILLER_WORDS = (
    "đề nghị kiến nghị cử tri phản ánh tại của cho và các về việc trên đoạn khu vực bị được sớm "
    "xem xét người dân"
)
_FILLER = frozenset(fold(s) for s in syllables(_FILLER_WORDS))


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    category: str
    council: str
    weight: int = 1


@dataclass
class Cluster:
    items: list[Item] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return sum(i.weight for i in self.items)

    @property
    def councils(self) -> list[str]:
        return sorted({i.council for i in self.items})

    @property
    def title(self) -> str:
        return max(self.items, key=lambda i: (i.weight, -len(i.title))).title


def terms(title: str) -> frozenset[str]:
    sylls = [fold(s) for s in syllables(title)]
    kept = [s for s in sylls if s not in _FILLER]
    return frozenset(kept) | frozenset(syllable_pairs(kept))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def cluster(items: Sequence[Item], threshold: float = THRESHOLD) -> list[Cluster]:
    """Clusters of two or more similar petitions, heaviest first."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    term_sets = [terms(i.title) for i in items]
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, (item, ts) in enumerate(zip(items, term_sets, strict=True)):
        candidates: set[int] = set()
        for t in ts:
            candidates.update(index[(item.category, t)])
        for m in candidates:
            if similarity(ts, term_sets[m]) >= threshold:
                parent[find(n)] = find(m)
        for t in ts:
            index[(item.category, t)].append(n)
    groups: dict[int, Cluster] = defaultdict(Cluster)
    for n, item in enumerate(items):
        groups[find(n)].items.append(item)
    found = [c for c in groups.values() if len(c.items) > 1]
    return sorted(found, key=lambda c: (-len(c.councils), -c.weight, c.title))
