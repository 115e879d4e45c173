"""Names of topics: the phrase most titles of a group share ("xây dựng sai phép"), cut between words.

Vietnamese writes words as syllables apart ("giấy chứng nhận" is one word of three syllables), so
a name built from syllables can cut a word ("công khai kết") or run across a phrase boundary
("giao thông tại nút giao"). Titles are segmented into words by a trained segmenter
(``underthesea``'s word tokenizer, offline), split into chunks at prepositions and at the
wording every petition uses ("đề nghị", "kiến nghị", "cử tri"), and the name is the run of words
inside a chunk that most titles share, longest first. Used by the assistant's petition groups;
meant for any grouping of titles (petition clusters, question groups).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

from council.search.text import fold, normalize

Words = list[list[str]]  # a text's words, each as its syllables
Segmenter = Callable[[str], Words]

MAX_WORDS = 5
MAX_SYLLABLES = 8
# Words that start another phrase: a name never runs across them. Compared as spelled:
# folded, "đèn" (lamp) would be "đến" (to) and "quá" (too) "qua" (through). Typed without
# accents, only those no other word folds to.
_BREAKS = frozenset(
    "tại ở qua trên dưới gần từ vào đến tới cho của với và hoặc bị được do vì để sau khi nhưng "
    "mà làm như theo về".split()
)
_BARE_BREAKS = frozenset("tai cho cua voi va tren duoi gan vao toi duoc khi nhung theo".split())
# The wording every petition uses, which names nothing ("đề nghị", "kiến nghị", "cử tri" …).
_FRAMING = frozenset(
    {
        "de nghi",
        "kien nghi",
        "cu tri",
        "yeu cau",
        "mong muon",
        "phan anh",
        "tinh trang",
        "nguoi dan",
        "xem xet",
    }
)
# Function words: a name neither starts nor ends on one.
_FUNCTION = frozenset(
    "cac nhung mot moi nhieu rat qua lai them con da dang se chua khong co la nay kia do ay nay "
    "truoc sau nam thang ngay".split()
)


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], list[str]]:
    from underthesea import word_tokenize  # imported on first use: it loads a model

    return word_tokenize  # type: ignore[no-any-return]


@lru_cache(maxsize=8192)
def _segmented(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(w.split()) for w in _tokenizer()(text) if w.strip())


def words(text: str) -> Words:
    """``text``'s words, each a list of syllables as spelled (underthesea's word tokenizer)."""
    return [list(w) for w in _segmented(normalize(text))]


def _is_word(word: list[str]) -> bool:
    return any(c.isalnum() for s in word for c in s)


def chunks(title: str, segment: Segmenter = words) -> list[list[list[str]]]:
    """``title``'s words cut into chunks at prepositions, conjunctions and framing words."""
    out: list[list[list[str]]] = []
    current: list[list[str]] = []
    for word in segment(title):
        spelled = " ".join(word).lower()
        key = fold(spelled)
        breaks = _BARE_BREAKS if key == spelled else _BREAKS
        if not _is_word(word) or spelled in breaks or key in _FRAMING:
            if current:
                out.append(current)
            current = []
            continue
        current.append(word)
    if current:
        out.append(current)
    return out


# Words a name does not end on: the place a petition names comes after them ("thôn Đông").
# As spelled: typed without accents, "xa" may be "xa" (far) as well as "xã".
_PLACE = frozenset("thôn xóm phố ngõ khu tổ số xã phường đường quận huyện ấp bản".split())


def _edge_ok(word: list[str], *, last: bool = False) -> bool:
    key = fold(" ".join(word))
    if last and " ".join(word).lower() in _PLACE:
        return False
    return key not in _FUNCTION and not all(s.isdigit() for s in word)


def _bare(title: str) -> bool:
    return fold(title) == normalize(title).lower()


def _runs(
    title: str, segment: Segmenter, *, by_syllable: bool
) -> list[tuple[list[str], bool, bool]]:
    """Candidate runs of ``title``: (syllables, at the title's start, ends its chunk). By
    syllable: every run of syllables in a chunk (what the title holds); else runs of whole
    words that may name a topic."""
    out = []
    for index, chunk in enumerate(chunks(title, segment)):
        if by_syllable:
            chunk = [[s] for w in chunk for s in w]
        longest = MAX_SYLLABLES if by_syllable else MAX_WORDS
        for start in range(len(chunk)):
            for end in range(start + 1, min(len(chunk), start + longest) + 1):
                run = chunk[start:end]
                sylls = [s for w in run for s in w]
                if 2 <= len(sylls) <= MAX_SYLLABLES and (
                    by_syllable or (_edge_ok(run[0]) and _edge_ok(run[-1], last=True))
                ):
                    out.append((sylls, index == 0 and start == 0, end == len(chunk)))
    return out


def topic_name(titles: Sequence[str], segment: Segmenter = words) -> str:
    """The phrase at least half of ``titles`` (two or more) share, as they spell it, or "".

    Among the runs of whole words inside a chunk, the one covering the most syllables over all
    titles wins (titles holding it × its syllables), a run that ends its chunk counting a
    little more (it is a complete phrase); then the most frequent spelling. The words are those
    of the titles typed with accents (without them, segmenting is guesswork); a title holds a
    run when it has its syllables in a chunk.
    """
    need = max(2, math.ceil(len(titles) / 2))
    accented = [t for t in titles if not _bare(t)] or list(titles)
    held: Counter[tuple[str, ...]] = Counter()
    score: dict[tuple[str, ...], float] = {}
    spelled: dict[tuple[str, ...], Counter[str]] = {}
    for title in titles:
        # A title holds any run of its syllables within a chunk: a segmenter may cut the same
        # words differently in two titles ("mặt đường phố Kim Mã", "mặt đường đường Láng").
        held.update(
            {tuple(fold(s) for s in r) for r, _f, _c in _runs(title, segment, by_syllable=True)}
        )
        if title not in accented:
            continue
        for sylls, first, complete in _runs(title, segment, by_syllable=False):
            key = tuple(fold(s) for s in sylls)
            score[key] = max(score.get(key, 0.0), len(sylls) + 1.5 * complete)
            text = " ".join(sylls)
            if first and sylls[0][1:].islower():
                text = text[:1].lower() + text[1:]  # the title's capital, not the name's
            spelled.setdefault(key, Counter())[text] += 1
    candidates = [(held[k] * score[k], held[k], k) for k in score if held[k] >= need]
    if not candidates:
        return ""
    _cover, _n, best = max(candidates)
    # The most frequent spelling; with its accents rather than typed without them.
    return max(spelled[best].items(), key=lambda kv: (kv[1], kv[0] != fold(kv[0]), kv[0]))[0]
