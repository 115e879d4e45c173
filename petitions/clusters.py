"""Groups of petitions that raise the same issue, across communes (for the city's view).

Two petitions of the same field are similar when their titles share enough words: Jaccard
similarity of accent-folded syllables and syllable pairs, grouped by the core's clusterer
(``council.clusters``: single link, candidates from an inverted index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from council import clusters

THRESHOLD = 0.5
# Words so common in petitions that they say nothing about the issue.
_FILLER_WORDS = (
    "đề nghị kiến nghị cử tri phản ánh tại của cho và các về việc trên đoạn khu vực bị được sớm "
    "xem xét người dân"
)
_FILLER = clusters.filler(_FILLER_WORDS)


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
    return clusters.terms(title, _FILLER)


similarity = clusters.jaccard


def cluster(items: Sequence[Item], threshold: float = THRESHOLD) -> list[Cluster]:
    """Clusters of two or more similar petitions of one field, heaviest first."""
    groups = clusters.link(
        [i.category for i in items], [terms(i.title) for i in items], threshold, clusters.jaccard
    )
    found = [Cluster([items[n] for n in group]) for group in groups if len(group) > 1]
    return sorted(found, key=lambda c: (-len(c.councils), -c.weight, c.title))
