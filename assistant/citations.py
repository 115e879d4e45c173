"""Turn the page tags in a written answer into verified citations.

Models are asked to tag each point with the label of the passage it used ("[tr. 12]",
"[TL 4, tr. 3]"). Only tags naming a page that was actually given to the model become
citations; anything else is counted as unverified so the interface can say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.sentences import split_sentences
from assistant.textrank import terms
from council.search.text import fold

_TAG = re.compile(r"\[([^\[\]]{1,80})\]")
_DOC = re.compile(r"\btl\s*(\d{1,9})")
_PAGES = re.compile(r"\btr(?:ang)?\.?\s*(\d{1,5}(?:\s*(?:[,–-]|va)\s*\d{1,5})*)")
_RANGE = re.compile(r"(\d{1,5})\s*[–-]\s*(\d{1,5})")
_MAX_RANGE = 30
EXCERPT_CHARS = 280


@dataclass(frozen=True)
class Citation:
    """A page an output drew from, with the passage that supports it."""

    document_id: int
    page: int
    excerpt: str

    def as_dict(self) -> dict[str, object]:
        """JSON form, as in CONTRACT.md."""
        return {"document_id": self.document_id, "page": self.page, "excerpt": self.excerpt}


@dataclass(frozen=True)
class Cited:
    """Citations found in a text, plus how many tags could not be matched to a given page."""

    citations: list[Citation]
    unverified: int


def _pages(spec: str) -> list[int]:
    pages: list[int] = []
    for match in _RANGE.finditer(spec):
        low, high = int(match.group(1)), int(match.group(2))
        if low <= high <= low + _MAX_RANGE:
            pages.extend(range(low, high + 1))
    spec = _RANGE.sub(" ", spec)
    pages.extend(int(n) for n in re.findall(r"\d{1,5}", spec))
    return pages


def tag_targets(tag: str, default_document: int | None) -> list[tuple[int, int]]:
    """The (document, page) pairs one bracketed tag names."""
    targets: list[tuple[int, int]] = []
    for part in fold(tag).split(";"):
        doc_match = _DOC.search(part)
        document = int(doc_match.group(1)) if doc_match else default_document
        page_match = _PAGES.search(part)
        if document is None or not page_match:
            continue
        targets.extend((document, page) for page in _pages(page_match.group(1)))
    return targets


def best_excerpt(page_text: str, claim: str) -> str:
    """The sentence of ``page_text`` that shares the most terms with ``claim``."""
    wanted = terms(claim, folded=True)
    best, best_score = "", -1.0
    for sentence in split_sentences(page_text):
        have = terms(sentence, folded=True)
        score = sum(min(c, have[t]) for t, c in wanted.items() if t in have)
        if score > best_score:
            best, best_score = sentence, score
    best = best or page_text.strip()
    return best if len(best) <= EXCERPT_CHARS else best[: EXCERPT_CHARS - 1].rstrip() + "…"


def cite(
    text: str,
    pages: Mapping[tuple[int, int], str],
    *,
    default_document: int | None = None,
    context: str = "",
) -> Cited:
    """Find the tags in ``text`` and keep those naming one of ``pages``.

    ``pages`` maps (document id, page number) to the page text that was given to the model;
    each citation's excerpt is the sentence of that page closest to the line citing it
    (and to ``context``, e.g. the question being answered).
    """
    found: dict[tuple[int, int], Citation] = {}
    unverified = 0
    for line in text.splitlines():
        claim = f"{_TAG.sub(' ', line)} {context}"
        for match in _TAG.finditer(line):
            targets = tag_targets(match.group(1), default_document)
            valid = [t for t in targets if t in pages]
            if not valid:
                unverified += 1
            for key in valid:
                if key not in found:
                    found[key] = Citation(key[0], key[1], best_excerpt(pages[key], claim))
    return Cited(list(found.values()), unverified)


def sources_index(items: Sequence[tuple[int, int, str]]) -> dict[tuple[int, int], str]:
    """Map (document, page) to text, joining the parts of a page that was split."""
    index: dict[tuple[int, int], str] = {}
    for document, page, text in items:
        index[(document, page)] = (
            f"{index[(document, page)]} {text}" if (document, page) in index else text
        )
    return index
