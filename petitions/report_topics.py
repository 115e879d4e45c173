"""The petitions of a report grouped by topic within each field: one group per issue, with its
count, its communes and its agencies, instead of one row per petition.

Groups come from the shared clustering of similar titles (``petitions.clusters``) and are named
by the phrase their titles share (``council.topics.topic_name``); a petition like no other is a
group of its own, named by its title.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from council.topics import topic_name
from petitions import labels
from petitions.categories import CATEGORIES
from petitions.clusters import Item, cluster

UNASSIGNED = "Chưa giao cơ quan giải quyết"


class Reported(Protocol):
    """What the grouping reads of a report's petition."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def commune(self) -> str: ...
    @property
    def weight(self) -> int: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def central_body(self) -> str | None: ...


def handler_of(p: Reported) -> str:
    return p.agency or p.central_body or UNASSIGNED


def commune_words(name: str) -> str:
    """A commune as a sentence names it: "phường Ba Đình", not "Hội đồng nhân dân phường Ba
    Đình" or "Phường Ba Đình" mid-sentence."""
    place = labels.place_name(name)
    first, _, rest = place.partition(" ")
    if first.lower() in ("phường", "xã", "thị", "đặc", "thành", "tỉnh") and rest:
        return f"{first.lower()} {rest}"
    return place


P = TypeVar("P", bound=Reported)


@dataclass
class Topic(Generic[P]):
    """Petitions about one issue in one field, heaviest first."""

    category: str
    name: str
    petitions: list[P] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.petitions)

    @property
    def voters(self) -> int:
        return sum(p.weight for p in self.petitions)

    @property
    def communes(self) -> list[str]:
        """The communes, most petitions first, as a sentence names them."""
        counts = Counter(commune_words(p.commune) for p in self.petitions)
        return [c for c, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    @property
    def handlers(self) -> list[str]:
        """The agencies (or central bodies) that answer it, most petitions first."""
        counts = Counter(handler_of(p) for p in self.petitions)
        return [
            h
            for h, _n in sorted(counts.items(), key=lambda kv: (kv[0] == UNASSIGNED, -kv[1], kv[0]))
        ]

    @property
    def codes(self) -> list[str]:
        return sorted(p.code for p in self.petitions)


@dataclass
class Field(Generic[P]):
    category: str
    topics: list[Topic[P]]

    @property
    def count(self) -> int:
        return sum(t.count for t in self.topics)

    @property
    def voters(self) -> int:
        return sum(t.voters for t in self.topics)


def group_by_topic(items: Iterable[P]) -> list[Field[P]]:
    """Fields in the standard order; in each, topics with the most petitions (then voters)
    first; in each topic, the heaviest petition first."""
    petitions: Sequence[P] = list(items)
    by_code = {p.code: p for p in petitions}
    clusters = cluster([Item(p.code, p.title, p.category, p.commune, p.weight) for p in petitions])
    grouped: set[str] = set()
    topics: list[Topic[P]] = []
    for c in clusters:
        members = sorted(
            (by_code[i.code] for i in c.items), key=lambda p: (-p.weight, p.title, p.code)
        )
        grouped.update(p.code for p in members)
        name = topic_name([p.title for p in members]) or members[0].title
        topics.append(Topic(members[0].category, name, members))
    for p in petitions:
        if p.code not in grouped:
            topics.append(Topic(p.category, p.title, [p]))
    order = {c.code: i for i, c in enumerate(CATEGORIES)}
    fields: dict[str, list[Topic[P]]] = {}
    for t in topics:
        fields.setdefault(t.category, []).append(t)
    return [
        Field(
            cat,
            sorted(fields[cat], key=lambda t: (-t.count, -t.voters, t.name.casefold(), t.codes)),
        )
        for cat in sorted(fields, key=lambda c: (order.get(c, 999), c))
    ]
