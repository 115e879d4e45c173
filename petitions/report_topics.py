"""The petitions of a report grouped by topic within each field: one group per issue, with its
count, its communes and its agencies, instead of one row per petition.

Groups come from the shared clustering of similar titles (``petitions.clusters``) and are named
by the phrase their titles share (``council.topics.topic_name``); a petition the clustering left
alone joins a group whose name its title holds, or is a group of its own, named by its title.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from council.search.text import fold, syllables
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


def _syllables(text: str) -> tuple[str, ...]:
    return tuple(fold(s) for s in syllables(text))


def _holds(title: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Whether ``name``'s syllables appear in ``title``, in a row."""
    n = len(name)
    return any(title[i : i + n] == name for i in range(len(title) - n + 1))


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


MIN_SHARED = 3  # syllables two lone titles must share, as a phrase, to make a group


def _pair_up(alone: list[P]) -> list[Topic[P]]:
    """Petitions still alone, grouped when two of a field share a phrase of three syllables or
    more ("Xây dựng sai phép tại thôn Trung", "… tại khu tái định cư Đồng Tàu" share "xây dựng
    sai phép"); the others of that field whose titles hold the phrase join them."""
    out: list[Topic[P]] = []
    left = list(alone)
    while left:
        first = left.pop(0)
        shared = ""
        for other in left:
            if other.category != first.category:
                continue
            name = topic_name([first.title, other.title])
            if len(_syllables(name)) >= MIN_SHARED:
                shared = name
                break
        if not shared:
            out.append(Topic(first.category, first.title, [first]))
            continue
        phrase = _syllables(shared)
        members = [first] + [
            q for q in left if q.category == first.category and _holds(_syllables(q.title), phrase)
        ]
        left = [q for q in left if q not in members]
        members.sort(key=lambda q: (-q.weight, q.title, q.code))
        out.append(Topic(first.category, shared, members))
    return out


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
    # A petition the clustering left alone joins a group whose name its title holds ("Xây dựng
    # sai phép tại thôn Trung" joins "xây dựng sai phép"): the longest such name wins.
    named = sorted(
        (t for t in topics if len(_syllables(t.name)) >= 2),
        key=lambda t: (-len(_syllables(t.name)), -t.count),
    )
    alone: list[P] = []
    for p in petitions:
        if p.code in grouped:
            continue
        title = _syllables(p.title)
        home = next(
            (t for t in named if t.category == p.category and _holds(title, _syllables(t.name))),
            None,
        )
        if home is not None:
            home.petitions.append(p)
            home.petitions.sort(key=lambda q: (-q.weight, q.title, q.code))
        else:
            alone.append(p)
    topics += _pair_up(alone)
    order = {c.code: i for i, c in enumerate(CATEGORIES)}
    fields: dict[str, list[Topic[P]]] = {}
    same: dict[tuple[str, tuple[str, ...]], Topic[P]] = {}
    for t in topics:
        key = (t.category, _syllables(t.name))
        if key in same:  # two clusters the namer calls alike are one issue
            same[key].petitions += t.petitions
            same[key].petitions.sort(key=lambda q: (-q.weight, q.title, q.code))
            continue
        same[key] = t
        fields.setdefault(t.category, []).append(t)
    return [
        Field(
            cat,
            sorted(fields[cat], key=lambda t: (-t.count, -t.voters, t.name.casefold(), t.codes)),
        )
        for cat in sorted(fields, key=lambda c: (order.get(c, 999), c))
    ]
