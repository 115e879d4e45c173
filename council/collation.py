"""Vietnamese alphabetical order, for lists of people and of words.

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y: the letters with a
breve, circumflex or horn, and đ, are letters of their own after their base letter; tones
(huyền, sắc, hỏi, ngã, nặng) only break ties, in that order after the unmarked one. Code point
order puts "Đặng" after "Vũ" and "Ân" after "Yến". Lists of people follow the administrative
custom: by given name (the last word), then by the rest of the full name.
"""

from __future__ import annotations

import unicodedata

# Letters as Vietnamese orders them; each is (base, modifiers) after NFD without the tone.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Combining marks of the tones, in dictionary order (no tone first).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letters, tones) of ``word``: letters by their rank in the alphabet (other characters
    after every letter, by code point), tones as a tie-break."""
    letters: list[int] = []
    tones: list[int] = []
    for ch in word.lower():
        decomposed = unicodedata.normalize("NFD", ch)
        tone = next((_TONES[m] for m in decomposed if m in _TONES), 0)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
        letters.append(_RANK.get(base, len(_RANK) + ord(base[0]) if base else 0))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def sort_key(text: str) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """A key that orders text as a Vietnamese dictionary does, word by word."""
    keys = [_letters(word) for word in text.split()]
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys)


def name_key(full_name: str) -> tuple[object, ...]:
    """A key that orders people as Vietnamese lists do: by given name, then family and middle
    names ("Nguyễn Văn An" before "Đặng Thị Bình", "Lê An" before "Nguyễn Văn An")."""
    words = full_name.split()
    if not words:
        return (sort_key(""), sort_key(""))
    return (sort_key(words[-1]), sort_key(" ".join(words[:-1])))
