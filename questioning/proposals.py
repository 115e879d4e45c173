"""A proposed grouping of question forms: forms to the same agency on the same field whose texts
share enough words, named by the shared topic namer (council.topics) as the petitions' groups are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from council import topics
from council.search.text import fold, syllable_pairs, syllables

THRESHOLD = 0.2
_FILLER = frozenset(
    fold(s)
    for s in syllables(
        "đề nghị đồng chí cho biết giải pháp nguyên nhân trách nhiệm thời gian tới việc các của "
        "và tại trên được về những có không trong thực hiện"
    )
)


@dataclass(frozen=True)
class Proposal:
    title: str
    form_ids: tuple[int, ...]


def _terms(text: str) -> frozenset[str]:
    kept = [fold(s) for s in syllables(text) if fold(s) not in _FILLER]
    return frozenset(kept) | frozenset(syllable_pairs(kept))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= THRESHOLD


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def propose(forms: Sequence[tuple[int, int, str, str]]) -> list[Proposal]:
    """Groups of (form id, agency id, field, text): one per set of similar forms of an agency and
    field, largest first; a form like no other stands alone in its field's group."""
    by_key: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for form_id, agency_id, field, text in forms:
        by_key[(agency_id, fold(field))].append((form_id, text))
    out: list[Proposal] = []
    for (_agency, _field), items in by_key.items():
        parent = list(range(len(items)))
        terms = [_terms(t) for _, t in items]
        for i in range(len(items)):
            for j in range(i):
                if _similar(terms[i], terms[j]):
                    parent[_find(parent, i)] = _find(parent, j)
        clusters: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for i, item in enumerate(items):
            clusters[_find(parent, i)].append(item)
        field_name = next(f for fid, _a, f, _t in forms if fid == items[0][0])
        for members in clusters.values():
            name = topics.topic_name([t for _, t in members]) if len(members) > 1 else ""
            title = f"{field_name}: {name}" if name else field_name
            out.append(Proposal(title[:300], tuple(fid for fid, _ in members)))
    return sorted(out, key=lambda p: (-len(p.form_ids), p.title))
