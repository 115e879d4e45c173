"""Highlighted snippets: HTML-escaped text where only our own ``<mark>`` tags are markup.

Matching follows the index: a query word marks the syllables of the text whose folded forms
equal it, within one punctuation-free run ("duong" marks "Đường"; "giao thông" marks the two
syllables together, not a lone "giao").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from council.search.analysis import FOLDED, chunks
from council.search.text import normalize

__all__ = ["highlight", "SNIPPET_CHARS"]

SNIPPET_CHARS = 240
_SYLLABLE = re.compile(r"[^\W_]+")
_ELLIPSIS = "…"


def _spans(text: str, words: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Character spans of ``text`` matched by the folded syllable sequences ``words``."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for w in words:
        by_first.setdefault(w[0], []).append(w)
    spans = []
    fold_of = FOLDED
    for offset, chunk in chunks(text):
        folds = [fold_of[s] for s in _SYLLABLE.findall(chunk)]
        if by_first.keys().isdisjoint(folds):
            continue
        places = [(m.start(), m.end()) for m in _SYLLABLE.finditer(chunk)]
        for i, f in enumerate(folds):
            for w in by_first.get(f, ()):
                last = i + len(w) - 1
                if last < len(folds) and tuple(folds[i : last + 1]) == w:
                    spans.append((offset + places[i][0], offset + places[last][1]))
    return _merge(text, sorted(spans))


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join overlapping spans and spans separated only by whitespace."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start].isspace()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width``-character window holding the most spans, widened to word boundaries."""
    if len(text) <= width:
        return 0, len(text)
    best_start, best_count = spans[0][0], 0
    for i, (start, _end) in enumerate(spans):
        count = sum(1 for s, e in spans[i:] if e <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    # Lead in with some context before the first mark.
    start = max(0, best_start - width // 5)
    end = min(len(text), start + width)
    start = max(0, end - width)
    if start > 0:
        space = text.find(" ", start, best_start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", max(start, spans[0][1]), end)
        end = space if space > start else end
    return start, end


def highlight(text: str, words: Iterable[tuple[str, ...]], width: int = SNIPPET_CHARS) -> str:
    """Return an escaped snippet of ``text`` with matches in ``<mark>``, or "" without a match.

    ``words`` are folded syllable sequences (``QueryWord.folded_syllables``).
    """
    if not text:
        return ""
    text = normalize(text)
    spans = _spans(text, [tuple(w) for w in words if w])
    if not spans:
        return ""
    start, end = _window(text, spans, width)
    out = [_ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(_ELLIPSIS)
    return "".join(out)
