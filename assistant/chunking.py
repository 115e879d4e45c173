"""Split a document by pages into chunks that fit a model's context window.

Pages are kept whole and in order where they fit; a page too long for one chunk is cut at
sentence boundaries into parts that keep citing that page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from assistant.providers.base import Confidentiality, Source
from assistant.sentences import split_sentences
from assistant.tokens import estimate_tokens

# Headroom for the estimate itself and the template's own tokens.
SAFETY = 0.9


class PageLike(Protocol):
    """Anything with a page number and its text (meetings' ``PageText``)."""

    number: int
    text: str


def chunk_budget(context_tokens: int, max_output_tokens: int, prompt_overhead: int) -> int:
    """Tokens of source text one call may carry."""
    budget = int(context_tokens * SAFETY) - max_output_tokens - prompt_overhead
    if budget < 128:
        raise ValueError("the context window is too small for the prompt and the answer")
    return budget


def _cost(source: Source) -> int:
    # "[label] heading\n" + text + the blank line between blocks.
    return estimate_tokens(f"[{source.label}] {source.heading}\n{source.text}\n\n")


def _split_long(text: str, budget: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        while estimate_tokens(sentence) > budget:
            # A "sentence" longer than a chunk is a table dump: cut it by size.
            cut = max(1, len(sentence) * budget // estimate_tokens(sentence) - 1)
            head, sentence = sentence[:cut], sentence[cut:]
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current} {sentence}".strip()
        if current and estimate_tokens(candidate) > budget:
            parts.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def page_sources(
    pages: Iterable[PageLike],
    *,
    label: Callable[[int], str],
    budget: int,
    confidentiality: Confidentiality,
    document_id: int | None = None,
    heading: str = "",
) -> list[Source]:
    """One source per page, or per part of a page longer than ``budget``; empty pages dropped."""
    sources: list[Source] = []
    for page in pages:
        text = (page.text or "").strip()
        if not text:
            continue
        whole = Source(text, label(page.number), heading, confidentiality, document_id, page.number)
        if _cost(whole) <= budget:
            sources.append(whole)
            continue
        overhead = _cost(Source("", whole.label, heading))
        for part in _split_long(text, budget - overhead):
            sources.append(
                Source(part, label(page.number), heading, confidentiality, document_id, page.number)
            )
    return sources


def pack(sources: Sequence[Source], budget: int) -> list[list[Source]]:
    """Pack sources, in order, into as few chunks as fit ``budget`` each."""
    chunks: list[list[Source]] = []
    current: list[Source] = []
    used = 0
    for source in sources:
        cost = _cost(source)
        if current and used + cost > budget:
            chunks.append(current)
            current, used = [], 0
        current.append(source)
        used += cost
    if current:
        chunks.append(current)
    return chunks


def pack_texts(texts: Sequence[str], budget: int) -> list[list[str]]:
    """Pack plain texts (partial summaries) into groups that fit ``budget``."""
    groups: list[list[str]] = []
    current: list[str] = []
    used = 0
    for text in texts:
        cost = estimate_tokens(text + "\n\n")
        if current and used + cost > budget:
            groups.append(current)
            current, used = [], 0
        current.append(text)
        used += cost
    if current:
        groups.append(current)
    return groups
