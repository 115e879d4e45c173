"""Group a cycle's petitions by topic for the summary report of voters' petitions.

Petitions are clustered within their field (category) by the terms they share: accent-folded
syllables and syllable pairs, TF-IDF weighted, the title counting double (citizens often type
without accents, so folding matters here). Clustering is a single deterministic pass: each
petition joins the group whose centroid it is most similar to, or starts a new one. The
terms are then used to name the group and its petitions to summarize it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.textrank import FOLDED_STOPWORDS, Vectors, terms
from council.search.text import fold, syllables

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


def _surface_forms(petitions: Sequence[PetitionLike]) -> dict[str, str]:
    """Most frequent accented spelling of each folded syllable (to name groups readably);
    a spelling with its accents wins over the same syllable typed without them."""
    seen: dict[str, Counter[str]] = {}
    for p in petitions:
        for syl in syllables(f"{p.title} {p.body}"):
            seen.setdefault(fold(syl), Counter())[syl] += 1
    forms = {}
    for key, counts in seen.items():
        accented = Counter({s: n for s, n in counts.items() if s != key})
        forms[key] = (accented or counts).most_common(1)[0][0]
    return forms


def _topic(
    centroid: dict[str, float], surface: dict[str, str], support: Counter[str], size: int
) -> str:
    """Name a group by its strongest syllable pair, extended by overlapping strong pairs
    ("đường_liên" + "liên_xã" → "đường liên xã")."""
    pairs = sorted(
        (
            (t, w)
            for t, w in centroid.items()
            if "_" in t and not set(t.split("_")) & FOLDED_STOPWORDS
        ),
        key=lambda kv: (-kv[1], kv[0]),
    )
    if not pairs:
        singles = sorted(centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        return " ".join(surface.get(t, t) for t, _w in singles)
    top_weight = pairs[0][1]
    # Extend only with pairs most of the group shares, not one petition's wording.
    strong = {
        t: w for t, w in pairs[:12] if w >= 0.6 * top_weight and support[t] >= max(2, -(-size // 2))
    }
    words = pairs[0][0].split("_")
    while len(words) < 3:
        right = [t for t in strong if t.split("_")[0] == words[-1] and t.split("_")[1] not in words]
        left = [t for t in strong if t.split("_")[1] == words[0] and t.split("_")[0] not in words]
        if not right and not left:
            break
        best = max(right + left, key=lambda t: (strong[t], t))
        if best in right:
            words.append(best.split("_")[1])
        else:
            words.insert(0, best.split("_")[0])
    return " ".join(surface.get(w, w) for w in words)


# A group's name from its titles: a run of 2 to 5 syllables most of its petitions' titles share,
# neither starting nor ending on a function word or on the wording every petition uses ("đề nghị",
# "kiến nghị", "cử tri", "tại", "người dân"…): folded forms.
PHRASE_LENGTHS = range(5, 1, -1)
_FRAMING = frozenset(
    "de nghi kien cu tri yeu cau mong muon tai o cho cua va voi ve nguoi dan xa thon phuong "
    "to khu duoc bi can da dang rat nhieu".split()
)


class _Compounds:
    """Which adjacent syllables are one word: Vietnamese writes words as syllables with spaces
    ("bổ sung", "chế độ"), so a name must not start or end between two syllables that the
    petitions mostly write together: a pair (a, b) is one word when most occurrences of a are
    followed by b, or most of b preceded by a, over every title and body. With their accents:
    folded, "độ" and "do" would be one syllable and "chế độ" no longer a word."""

    SHARE = 0.5

    def __init__(self, texts: Sequence[str]) -> None:
        self.ones: Counter[str] = Counter()
        self.pairs: Counter[tuple[str, str]] = Counter()
        for text in texts:
            sylls = syllables(text)
            self.ones.update(sylls)
            self.pairs.update(zip(sylls, sylls[1:], strict=False))

    def joined(self, a: str, b: str) -> bool:
        n = self.pairs.get((a, b), 0)
        return n >= 3 and n >= self.SHARE * min(self.ones[a], self.ones[b])


def _title_phrase(items: Sequence[PetitionLike], compounds: _Compounds) -> str:
    """The phrase most of the group's titles share, as they spell it ("xây dựng sai phép"), or "".

    A name built from the strongest syllable pairs could start or end inside a word ("dựng sai
    phép"); a run the titles share, cut only between words, is the citizens' own wording. Among
    the runs at least half the titles hold (accents folded), the one covering the most syllables
    over all titles wins (frequency × length), then the most frequent.
    """
    need = max(2, -(-len(items) // 2))
    df: Counter[tuple[str, ...]] = Counter()
    spelled: dict[tuple[str, ...], Counter[str]] = {}
    for p in items:
        sylls = syllables(p.title or "")
        folded = [fold(s) for s in sylls]
        seen: set[tuple[str, ...]] = set()
        for n in PHRASE_LENGTHS:
            for i in range(len(sylls) - n + 1):
                key = tuple(folded[i : i + n])
                j = i + n - 1
                if (
                    key in seen
                    or {key[0], key[-1]} & _FRAMING
                    # A function word at an edge, unless it is half of a word there ("chế độ":
                    # "do" is a function word folded).
                    or (key[0] in FOLDED_STOPWORDS and not compounds.joined(sylls[i], sylls[i + 1]))
                    or (
                        key[-1] in FOLDED_STOPWORDS and not compounds.joined(sylls[j - 1], sylls[j])
                    )
                    or (i > 0 and compounds.joined(sylls[i - 1], sylls[i]))
                    or (j + 1 < len(sylls) and compounds.joined(sylls[j], sylls[j + 1]))
                ):
                    continue
                seen.add(key)
                spelled.setdefault(key, Counter())[" ".join(sylls[i : i + n])] += 1
        df.update(seen)
    candidates = [(df[k] * len(k), df[k], k) for k in df if df[k] >= need]
    if not candidates:
        return ""
    _cover, _n, best = max(candidates)
    # The most frequent spelling; with its accents rather than typed without them.
    return max(spelled[best].items(), key=lambda kv: (kv[1], kv[0] != fold(kv[0]), kv[0]))[0]


def cluster(petitions: Sequence[PetitionLike]) -> list[Group]:
    """Group ``petitions`` by category and shared terms; largest groups first."""
    ordered = sorted(petitions, key=lambda p: (p.category or "", p.code))
    vectors = Vectors([_petition_terms(p) for p in ordered], max_df=0.3)
    surface = _surface_forms(ordered)
    compounds = _Compounds([f"{p.title}. {p.body}" for p in ordered])
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
        support: Counter[str] = Counter(t for i in members for t in vectors.rows[i])
        communes = Counter(p.commune_name for p in items if p.commune_name)
        result.append(
            Group(
                category=category,
                topic=(
                    (
                        _title_phrase(items, compounds)
                        or _topic(centroid, surface, support, len(items))
                    )
                    if len(items) > 1
                    else ""
                )
                or items[0].title,
                codes=sorted(p.code for p in items),
                communes=[c for c, _n in sorted(communes.items(), key=lambda kv: (-kv[1], kv[0]))],
                titles=[p.title for p in items],
                members=items,
            )
        )
    result.sort(key=lambda g: (-g.count, g.category, g.codes[0]))
    return result
