"""A proposed grouping of question forms: forms to the same agency on the same field whose texts
share enough words, named by the shared topic namer (council.topics) as the petitions' groups are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from council import clusters, topics
from council.search.text import fold

THRESHOLD = 0.2
_FILLER = clusters.filler(
    "đề nghị đồng chí cho biết giải pháp nguyên nhân trách nhiệm thời gian tới việc các của "
    "và tại trên được về những có không trong thực hiện"
)


@dataclass(frozen=True)
class Proposal:
    title: str
    form_ids: tuple[int, ...]


def propose(forms: Sequence[tuple[int, int, str, str]]) -> list[Proposal]:
    """Groups of (form id, agency id, field, text): one per set of similar forms of an agency and
    field (the core's clusterer, ``council.clusters``), largest first; a form like no other stands
    alone in its field's group."""
    by_key: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for form_id, agency_id, field, text in forms:
        by_key[(agency_id, fold(field))].append((form_id, text))
    out: list[Proposal] = []
    for items in by_key.values():
        terms = [clusters.terms(t, _FILLER) for _, t in items]
        groups = clusters.link([0] * len(items), terms, THRESHOLD, clusters.jaccard)
        field_name = next(f for fid, _a, f, _t in forms if fid == items[0][0])
        for group in groups:
            members = [items[i] for i in group]
            name = topics.topic_name([t for _, t in members]) if len(members) > 1 else ""
            title = f"{field_name}: {name}" if name else field_name
            out.append(Proposal(title[:300], tuple(fid for fid, _ in members)))
    return sorted(out, key=lambda p: (-len(p.form_ids), p.title))
