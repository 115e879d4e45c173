"""Vietnamese text helpers shared by the search engine, petitions and the assistant.

Everything here is pure and fast: no Whoosh, no database. Text is treated as NFC
(the composed form Vietnamese keyboards produce); every function accepts any form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

__all__ = [
    "normalize",
    "fold",
    "canonical_tone",
    "syllables",
    "iter_syllables",
    "syllable_pairs",
]

# A syllable is a run of letters or digits (underscore excluded: it joins pairs).
_WORD = re.compile(r"[^\W_]+")

# đ/Đ are letters in their own right, not d + a mark, so NFD does not strip them.
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})

# Two tone-mark conventions coexist: "hòa/hoà", "thủy/thuỷ", "khỏe/khoẻ". Only an open
# syllable ending in oa, oe or uy is ambiguous; we canonicalize to the mark on the
# first vowel ("hòa"), the more common spelling in place names (Khánh Hòa, Thanh Hóa).
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_AMBIGUOUS_NUCLEI = ("oa", "oe", "uy")


def normalize(text: str) -> str:
    """Return ``text`` in Unicode NFC, the form stored and indexed everywhere."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase ``text`` and strip Vietnamese diacritics (đ→d): "Đường" → "duong"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower().translate(_FOLD_TABLE)


def canonical_tone(syllable: str) -> str:
    """Put the tone mark of an open oa/oe/uy syllable on its first vowel.

    "hoà" → "hòa", "thuỷ" → "thủy", "khoẻ" → "khỏe"; other syllables are returned as is.
    Expects one lowercased NFC syllable.
    """
    if len(syllable) < 2:
        return syllable
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((ch for ch in decomposed if ch in _TONE_MARKS), None)
    if tone is None:
        return syllable
    bare = "".join(ch for ch in decomposed if ch != tone)
    base = unicodedata.normalize("NFC", bare)
    # Skip "qu" + y (quý): the u belongs to the consonant, the mark stays on y.
    for nucleus in _AMBIGUOUS_NUCLEI:
        if base.endswith(nucleus) and not (nucleus == "uy" and base.endswith("quy")):
            head = base[: -len(nucleus)]
            if head and head[-1] in "aăâeêioôơuưy":
                return syllable
            rebuilt = head + nucleus[0] + tone + nucleus[1]
            return unicodedata.normalize("NFC", rebuilt)
    return syllable


def iter_syllables(text: str) -> Iterator[str]:
    """Yield the lowercased NFC syllables (letter/digit runs) of ``text``."""
    for match in _WORD.finditer(normalize(text).lower()):
        yield match.group()


def syllables(text: str) -> list[str]:
    """Split ``text`` into lowercased NFC syllables: "Đường giao-thông 2025" → ["đường", "giao", "thông", "2025"]."""
    return list(iter_syllables(text))


def syllable_pairs(sylls: Iterable[str]) -> list[str]:
    """Join adjacent syllables with "_": ["giao", "thông", "xanh"] → ["giao_thông", "thông_xanh"]."""
    seq = list(sylls)
    return [f"{a}_{b}" for a, b in zip(seq, seq[1:], strict=False)]
