"""TextRank over Vietnamese syllables and syllable pairs.

Vietnamese writes each syllable apart and most words are two syllables, so a sentence is
represented by its content syllables plus its adjacent syllable pairs ("giao_thông"): pairs
stand in for words without needing a word segmenter. Sentences are weighted by TF-IDF, linked
by cosine similarity, and ranked by PageRank (optionally personalised towards a question).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from council.search.text import canonical_tone, fold, syllables

# Function words: they link every sentence to every other and say nothing about the topic.
STOPWORDS: frozenset[str] = frozenset(
    """
    và của là các có được cho trong với những này đã để không một theo về từ tại đến như khi
    thì cũng đó còn nhưng hoặc nếu vì do bị bởi sẽ đang rất hơn nhiều ra vào lên trên dưới sau
    trước nên mà ở đây kia ấy mỗi mọi cùng hay vẫn đều chỉ quá lắm nhất chưa chẳng xuống tới
    qua việc sự cái thế gì nào ai nhau rằng thêm lại đi vừa mới nữa thật cả số lần tuy bằng
    nhằm đối gồm tức như_vậy hết nay đồng_thời năm tháng ngày
    """.split()
)
FOLDED_STOPWORDS: frozenset[str] = frozenset(fold(w) for w in STOPWORDS)
# The words of asking ("bao nhiêu", "là gì", "cho biết"): a question's, never its subject's.
QUESTION_WORDS: frozenset[str] = (
    frozenset(
        """
    bao nhiêu gì nào sao đâu không chưa hãy cho biết xin hỏi tôi ạ là thế như vậy bạn nêu
    những các của có được em anh chị ơi nhé giúp
    """.split()
    )
    | STOPWORDS
)
PAIR_WEIGHT = 1.5


@lru_cache(maxsize=65536)
def _canonical(syllable: str) -> str:
    return canonical_tone(syllable)


@lru_cache(maxsize=65536)
def _folded(syllable: str) -> str:
    return fold(syllable)


def _is_year(syllable: str) -> bool:
    return len(syllable) == 4 and syllable.startswith(("19", "20"))


def terms(text: str, *, folded: bool = False, years: bool = False) -> Counter[str]:
    """Count the content syllables and syllable pairs of ``text``.

    ``folded=True`` strips accents so that a question typed without them ("ngan sach")
    matches the document ("ngân sách"). ``years=True`` counts years too: in a budget
    document "năm 2026" (the estimate) and "năm 2027" (the plan) are different answers.
    """
    norm = _folded if folded else _canonical
    stop = FOLDED_STOPWORDS if folded else STOPWORDS
    sylls = [norm(s) for s in syllables(text)]
    counts: Counter[str] = Counter()
    prev = ""
    prev_stop = True
    for syl in sylls:
        is_digit = syl.isdigit()
        is_stop = syl in stop or is_digit or len(syl) == 1
        if not is_stop or (years and is_digit and _is_year(syl)):
            counts[syl] += 1
        if prev and not is_digit and not (prev_stop and is_stop) and not prev.isdigit():
            counts[f"{prev}_{syl}"] += 1
        prev, prev_stop = syl, is_stop
    return counts


def spelled(text: str) -> str:
    """``text`` with its signs read out, the way a question names them ("25%": "25 phần trăm")."""
    return text.replace("%", " phần trăm ")


def matching_terms(text: str) -> Counter[str]:
    """Terms of a passage for matching questions: accented, plus folded ones marked "~"."""
    text = spelled(text)
    counts = terms(text, years=True)
    counts.update({f"~{t}": n for t, n in terms(text, folded=True, years=True).items()})
    return counts


# Phrases of asking, accents folded: "bao nhiêu", "là gì", "như thế nào" say what kind of
# answer is wanted, not what about; typed with or without accents they are dropped. (Single
# syllables only when typed with accents: bare "dau" may be "đâu" or the "đầu" of "đầu tư".)
_ASKING = (
    ("bao", "nhieu"),
    ("la", "gi"),
    ("the", "nao"),
    ("ra", "sao"),
    ("khi", "nao"),
    ("bao", "gio"),
    ("o", "dau"),
    ("cho", "biet"),
    ("xin", "hoi"),
    ("hay", "khong"),
    ("duoc", "khong"),
    ("co", "khong"),
    ("viec", "gi"),
    ("nhung", "gi"),
)
_ASKING_ACCENTED = frozenset("gì nào đâu sao chưa ạ nhé ơi hỏi là".split())


def asking_removed(text: str) -> list[str]:
    """The runs of ``text``'s syllables left once the phrases of asking are taken out."""
    sylls = syllables(text)
    folded = [_folded(s) for s in sylls]
    drop = [s in _ASKING_ACCENTED for s in sylls]
    for i in range(len(sylls) - 1):
        if (folded[i], folded[i + 1]) in _ASKING:
            drop[i] = drop[i + 1] = True
    runs: list[str] = []
    current: list[str] = []
    for syllable, dropped in zip(sylls, drop, strict=True):
        if dropped:
            if current:
                runs.append(" ".join(current))
            current = []
        else:
            current.append(syllable)
    if current:
        runs.append(" ".join(current))
    return runs


def question_terms(text: str) -> Counter[str]:
    """Terms of a question, each matched the way the delegate typed it.

    A syllable typed with its accents must match exactly ("giá" is not "gia" of "tham
    gia"); one typed without them matches any accents ("von" finds "vốn"). Documents are
    counted with ``matching_terms`` so both kinds find their counterpart. The phrases of
    asking ("bao nhiêu", "là gì") are left out.
    """
    counted: Counter[str] = Counter()
    for run in asking_removed(text):
        counted.update(terms(run, years=True))
    counts: Counter[str] = Counter()
    for term, n in counted.items():
        parts = term.split("_")
        if all(_folded(p) != p for p in parts):
            counts[term] += n
            continue
        folded = "_".join(_folded(p) for p in parts)
        if len(parts) == 1 and folded in FOLDED_STOPWORDS:
            continue
        counts[f"~{folded}"] += n
    return counts


class Vectors:
    """TF-IDF vectors of a set of sentences, with very common terms dropped."""

    def __init__(self, counts: Sequence[Counter[str]], *, max_df: float = 0.25) -> None:
        n = len(counts)
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        # Terms in a quarter of all sentences carry no topic and cost O(df²) links.
        ceiling = max(3, int(max_df * n)) if n >= 12 else n
        self.idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items() if d <= ceiling}
        self.rows: list[dict[str, float]] = []
        for c in counts:
            row: dict[str, float] = {}
            for term, tf in c.items():
                idf = self.idf.get(term)
                if idf is not None:
                    weight = (1.0 + math.log(tf)) * idf
                    row[term] = weight * PAIR_WEIGHT if "_" in term else weight
            norm = math.sqrt(sum(w * w for w in row.values())) or 1.0
            self.rows.append({t: w / norm for t, w in row.items()})

    def __len__(self) -> int:
        return len(self.rows)

    def vector(self, count: Counter[str]) -> dict[str, float]:
        """Project a new text's counts (a question) into this space, normalised."""
        # A term no sentence contains weighs as much as the rarest one present, so a question
        # about something absent is not mistaken for one about what little matches.
        unseen = max(self.idf.values(), default=1.0)
        row = {t: (1.0 + math.log(tf)) * self.idf.get(t, unseen) for t, tf in count.items()}
        row = {t: w * PAIR_WEIGHT if "_" in t else w for t, w in row.items()}
        norm = math.sqrt(sum(w * w for w in row.values())) or 1.0
        return {t: w / norm for t, w in row.items()}

    def similarities(self, vector: dict[str, float]) -> list[float]:
        """Cosine of ``vector`` with every row."""
        return [sum(w * row.get(t, 0.0) for t, w in vector.items()) for row in self.rows]

    def coverage(self, vector: dict[str, float]) -> list[float]:
        """Share of ``vector``'s (squared, normalised) weight that each row contains."""
        return [sum(w * w for t, w in vector.items() if t in row) for row in self.rows]

    def graph(self, min_similarity: float = 0.03) -> list[dict[int, float]]:
        """Symmetric sparse cosine-similarity graph, built through an inverted index."""
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, row in enumerate(self.rows):
            for term, w in row.items():
                postings.setdefault(term, []).append((i, w))
        dots: list[dict[int, float]] = [{} for _ in self.rows]
        for plist in postings.values():
            if len(plist) < 2:
                continue
            for a in range(len(plist)):
                i, wi = plist[a]
                acc = dots[i]
                for j, wj in plist[a + 1 :]:
                    acc[j] = acc.get(j, 0.0) + wi * wj
        edges: list[dict[int, float]] = [{} for _ in self.rows]
        for i, acc in enumerate(dots):
            for j, sim in acc.items():
                if sim >= min_similarity:
                    edges[i][j] = sim
                    edges[j][i] = sim
        return edges


def pagerank(
    edges: list[dict[int, float]],
    *,
    personalization: Sequence[float] | None = None,
    damping: float = 0.85,
    iterations: int = 60,
    tolerance: float = 1e-7,
) -> list[float]:
    """Weighted PageRank; ``personalization`` biases the random jumps (query-focused ranking)."""
    n = len(edges)
    if n == 0:
        return []
    if personalization is not None and sum(personalization) > 0:
        total = sum(personalization)
        jump = [p / total for p in personalization]
    else:
        jump = [1.0 / n] * n
    out_weight = [sum(e.values()) for e in edges]
    rank = list(jump)
    for _ in range(iterations):
        dangling = sum(rank[i] for i in range(n) if out_weight[i] == 0.0)
        new = [(1.0 - damping) * jump[i] + damping * dangling * jump[i] for i in range(n)]
        for i, e in enumerate(edges):
            if out_weight[i]:
                share = damping * rank[i] / out_weight[i]
                for j, w in e.items():
                    new[j] += share * w
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < tolerance:
            break
    return rank


def select(
    scores: Sequence[float],
    vectors: Vectors,
    *,
    limit: int,
    eligible: Sequence[bool] | None = None,
    groups: Sequence[object] | None = None,
    redundancy: float = 0.5,
    spread: float = 0.6,
) -> list[int]:
    """Pick up to ``limit`` best-scored sentences, skipping near-duplicates of those picked.

    With ``groups`` (the page of each sentence), every sentence already taken from a group
    multiplies the others' scores by ``spread``, so a summary covers the whole document
    rather than its most central page. Ties are broken by position: deterministic.
    """
    taken: dict[object, int] = {}
    picked: list[int] = []
    remaining = [i for i in range(len(scores)) if eligible is None or eligible[i]]
    while remaining and len(picked) < limit:

        def adjusted(i: int) -> float:
            return (
                scores[i] * spread ** taken.get(groups[i], 0) if groups is not None else scores[i]
            )

        best = max(remaining, key=lambda i: (adjusted(i), -i))
        remaining.remove(best)
        row = vectors.rows[best]
        if any(
            sum(w * vectors.rows[j].get(t, 0.0) for t, w in row.items()) > redundancy
            for j in picked
        ):
            continue
        picked.append(best)
        if groups is not None:
            taken[groups[best]] = taken.get(groups[best], 0) + 1
    return picked
