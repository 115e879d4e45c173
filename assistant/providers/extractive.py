"""``extractive`` provider: the offline default. No model, deterministic, Vietnamese-aware.

It reads the structured sources of a prompt (it ignores the instructions, which are for chat
models) and answers with whole sentences taken from them, each tagged with the source it came
from, in the same citation format chat models are asked to use. Sentences are chosen by
TextRank over syllables and syllable pairs; for a question, the ranking is personalised
towards the sentences that share terms with it (accents folded).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from assistant import prompts
from assistant.config import AssistantConfig
from assistant.providers.base import Completion, Delta, ModelClient, Prompt
from assistant.providers.registry import register_provider
from assistant.sentences import split_sentences
from assistant.textrank import Vectors, matching_terms, pagerank, question_terms, select, terms
from assistant.tokens import estimate_tokens
from council.search.text import syllables

MODEL = "textrank-vi-1"
# Sentences kept per task; the token budget of the call may cut this further.
LIMITS = {"summarize": 8, "reduce": 10, "answer": 3, "group": 2}
# A sentence answers nothing unless it covers this share of the question's weight.
MIN_COVERAGE = 0.2
_TAG = re.compile(r"\s*\[[^\[\]]{1,80}\]")
_BULLET = re.compile(r"^\s*[-–•*]\s+")
_SENTENCE_END = re.compile(r"[.!?…;]['\"”’)\]]*$")


@dataclass(frozen=True)
class _Unit:
    text: str  # as it will be quoted, without tags
    tag: str  # citation tags to append, e.g. "[tr. 3]"


def _units(prompt: Prompt) -> list[_Unit]:
    units: list[_Unit] = []
    for source in prompt.sources:
        if source.label:
            tag = f"[{source.label}]"
            units.extend(
                _Unit(_BULLET.sub("", s).strip(), tag) for s in split_sentences(source.text)
            )
            continue
        # Reduce inputs are bullet lines carrying their own tags: a tag belongs to its line.
        for line in source.text.splitlines():
            tags = "".join(m.group().strip() for m in _TAG.finditer(line))
            body = _BULLET.sub("", _TAG.sub("", line)).strip()
            units.extend(_Unit(s.strip(), tags) for s in split_sentences(body))
    return [u for u in units if u.text]


def _eligible(text: str) -> bool:
    sylls = syllables(text)
    if not 6 <= len(sylls) <= 90 or not _SENTENCE_END.search(text):
        return False
    letters = sum(1 for s in sylls if not s.isdigit())
    return letters >= 0.6 * len(sylls)


def extract(prompt: Prompt, *, max_tokens: int) -> str:
    """Answer ``prompt`` with tagged sentences from its sources (pure, deterministic)."""
    units = _units(prompt)
    eligible = [_eligible(u.text) for u in units]
    if not any(eligible):
        eligible = [bool(u.text) for u in units]
    if prompt.task == "answer":
        return _answer(prompt, units, eligible, max_tokens)
    vectors = Vectors([terms(u.text) for u in units])
    scores = pagerank(vectors.graph())
    picked = select(
        scores,
        vectors,
        limit=LIMITS.get(prompt.task, 8),
        eligible=eligible,
        groups=[u.tag for u in units],
    )
    lines = _fit(units, sorted(picked), max_tokens)
    if prompt.task == "group":
        return " ".join(f"{u.text} {u.tag}".strip() for u in lines)
    return "\n".join(f"- {u.text} {u.tag}".rstrip() for u in lines)


def _answer(prompt: Prompt, units: list[_Unit], eligible: list[bool], max_tokens: int) -> str:
    vectors = Vectors([matching_terms(u.text) for u in units], max_df=1.0)
    question = vectors.vector(question_terms(prompt.question or ""))
    relevance = vectors.similarities(question)
    coverage = vectors.coverage(question)
    candidates = [
        eligible[i] and relevance[i] > 0 and coverage[i] >= MIN_COVERAGE for i in range(len(units))
    ]
    if not any(candidates):
        return prompts.NOT_FOUND
    scores = pagerank(vectors.graph(), personalization=[max(r, 0.0) for r in relevance])
    combined = [relevance[i] * (1.0 + len(units) * scores[i]) for i in range(len(units))]
    picked = select(combined, vectors, limit=LIMITS["answer"], eligible=candidates)
    lines = _fit(units, picked, max_tokens)
    body = "\n".join(f"- {u.text} {u.tag}".rstrip() for u in lines)
    return f"{prompts.EXTRACTIVE_ANSWER_LEAD}\n{body}"


def _fit(units: list[_Unit], indexes: list[int], max_tokens: int) -> list[_Unit]:
    kept: list[_Unit] = []
    used = 0
    for i in indexes:
        cost = estimate_tokens(units[i].text) + 6
        if kept and used + cost > max_tokens:
            break
        kept.append(units[i])
        used += cost
    return kept


class ExtractiveClient:
    """``ModelClient`` that needs no model. Nothing leaves the process, so it is trusted."""

    name = "extractive"
    model = MODEL
    trusted = True

    def __init__(self, config: AssistantConfig | None = None) -> None:
        # Not a model limit: the window TextRank ranks at once. Larger windows rank better
        # but cost quadratically; map-reduce over 16k-token chunks keeps 100 pages fast.
        self.context_tokens = 16384

    async def complete(self, prompt: Prompt, *, max_tokens: int) -> Completion:
        """Rank and extract (in a worker thread: it is CPU work)."""
        text = await asyncio.to_thread(extract, prompt, max_tokens=max_tokens)
        return Completion(text=text)

    async def stream(self, prompt: Prompt, *, max_tokens: int) -> AsyncIterator[Delta]:
        """Yield the extract line by line."""
        text = await asyncio.to_thread(extract, prompt, max_tokens=max_tokens)
        lines = text.split("\n")
        for index, line in enumerate(lines):
            yield Delta(line + ("\n" if index < len(lines) - 1 else ""))

    async def aclose(self) -> None:
        """Nothing to release."""


@register_provider("extractive")
def _factory(config: AssistantConfig) -> ModelClient:
    return ExtractiveClient(config)
