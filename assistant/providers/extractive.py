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
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

from assistant.anatomy import figure_weight, is_caps
from assistant.config import AssistantConfig
from assistant.providers import phrases
from assistant.providers.base import Completion, Delta, ModelClient, Prompt
from assistant.providers.registry import register_provider
from assistant.sentences import Kind, split_sentences
from assistant.sentences import units as sentence_units
from assistant.textrank import (
    Vectors,
    matching_terms,
    pagerank,
    question_terms,
    select,
    terms,
)
from assistant.tokens import estimate_tokens
from council.search.text import syllables

MODEL = "textrank-vi-2"
# Sentences kept per task; the token budget of the call may cut this further.
LIMITS = {"summarize": 8, "reduce": 10, "answer": 3, "group": 2}
# A sentence answers nothing unless it covers this share of the question's weight.
MIN_COVERAGE = 0.2
MIN_WORDS = 0.5
_TAG = re.compile(r"\s*\[[^\[\]]{1,80}\]")
_BULLET = re.compile(r"^\s*[-–•*]\s+")
_SENTENCE_END = re.compile(r"[.!?…;]['\"”’)\]]*$")
_HEADING_LINE = re.compile(r"^\s*#{1,6}\s+")
_ENUMERATOR = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ][.)])\s+(?=\S)")
_LIST_INTRO = re.compile(r"[,;]?\s*(?:trong đó|bao gồm|gồm|cụ thể)?\s*:$")
# The first sentence under a heading states the section's news; it counts this much more.
LEAD_BOOST = 0.3
_PART = re.compile(r"^(?:[IVXLC]+[.)]|(?:Điều|Chương|Phần)\s+[\dIVXLC]+)", re.IGNORECASE)
# How much more a sentence with figures counts than one without (see ``figure_weight``).
FIGURE_BOOST = 1.0


@dataclass(frozen=True)
class _Unit:
    text: str  # as it will be quoted, without tags
    tag: str  # citation tags to append, e.g. "[tr. 3]"
    kind: Kind = "text"
    heading: str = ""  # the part it stands in ("II. DỰ TOÁN CHI NGÂN SÁCH")
    section: str = ""  # the nearest heading above it ("2. Y tế"): the subject it speaks of


def _level(heading: str) -> int:
    """1 for a part ("II. …", a title in capitals, "Điều 3"), 2 for a section within it."""
    if _PART.match(heading) or is_caps(heading):
        return 1
    return 2


def _units(prompt: Prompt) -> list[_Unit]:
    units: list[_Unit] = []
    sections = ["", ""]  # the current part and section, carried over from page to page

    def add(text: str, tag: str, kind: Kind) -> None:
        text = _BULLET.sub("", text).strip()
        if kind == "text":
            text = _ENUMERATOR.sub(
                "", text
            )  # "b) Thu tiền sử dụng đất …": the letter says nothing alone
        if not text:
            return
        if kind == "heading":
            level = _level(text)
            sections[level - 1] = text.rstrip(":").strip()
            if level == 1:
                sections[1] = ""
        units.append(_Unit(text, tag, kind, sections[0] or sections[1], sections[1] or sections[0]))

    for source in prompt.sources:
        if source.label:
            tag = f"[{source.label}]"
            for sentence, kind in sentence_units(source.text):
                add(sentence, tag, kind)
            continue
        # Reduce inputs are lines carrying their own tags (a tag belongs to its line), under
        # the headings the partial summaries kept.
        for line in source.text.splitlines():
            if _HEADING_LINE.match(line):
                add(_HEADING_LINE.sub("", line), "", "heading")
                continue
            if line.strip() == phrases.NO_CONTENT:
                continue
            tags = "".join(m.group().strip() for m in _TAG.finditer(line))
            body = _BULLET.sub("", _TAG.sub("", line)).strip()
            for sentence in split_sentences(body):
                add(sentence, tags, "text")
    return units


def _eligible(text: str) -> bool:
    sylls = syllables(text)
    # "Tổng chi … là 42.150 tỷ đồng, trong đó:" introduces a list, and states its total.
    ends = _SENTENCE_END.search(text) or (text.endswith(":") and figure_weight(text) > 0)
    if not 6 <= len(sylls) <= 90 or not ends:
        return False
    letters = sum(1 for s in sylls if not s.isdigit())
    return letters >= 0.6 * len(sylls)


def extract(prompt: Prompt, *, max_tokens: int) -> str:
    """Answer ``prompt`` with tagged sentences from its sources (pure, deterministic)."""
    units = _units(prompt)
    if prompt.task == "answer":
        eligible = [u.kind != "heading" and _eligible(u.text) for u in units]
        return _answer(prompt, units, eligible, max_tokens)
    # A summary never quotes the document's frame (header, legal bases, salutation, closing
    # formula, distribution list, signature) nor a heading as if it were a sentence.
    eligible = [u.kind == "text" and _eligible(u.text) for u in units]
    # A sentence repeated word for word on several pages is the template's, not the news.
    pages_of: dict[str, set[str]] = {}
    for u in units:
        pages_of.setdefault(u.text, set()).add(u.tag)
    eligible = [ok and len(pages_of[u.text]) == 1 for ok, u in zip(eligible, units, strict=True)]
    if not any(eligible):
        eligible = [u.kind == "text" and bool(u.text) for u in units]
    vectors = Vectors([terms(u.text) for u in units])
    ranks = pagerank(vectors.graph())
    # Figures (money, percentages, dates, deadlines) are what a delegate looks for.
    leads = [
        u.kind == "text" and (i == 0 or units[i - 1].kind == "heading") for i, u in enumerate(units)
    ]
    scores = [
        r * (1.0 + FIGURE_BOOST * figure_weight(u.text)) * (1.0 + LEAD_BOOST * lead)
        for r, u, lead in zip(ranks, units, leads, strict=True)
    ]
    picked = select(
        scores,
        vectors,
        limit=LIMITS.get(prompt.task, 8),
        eligible=eligible,
        groups=[u.tag for u in units],
    )
    lines = _fit(units, sorted(picked), max_tokens)
    if not lines and prompt.task == "summarize":
        return phrases.NO_CONTENT
    if prompt.task == "group":
        return " ".join(f"{u.text} {u.tag}".strip() for u in lines)
    out: list[str] = []
    shown = ""
    for unit in lines:
        if unit.heading and unit.heading != shown:
            out.append(f"## {unit.heading}")  # kept as structure, never as a point
            shown = unit.heading
        # "… là 42.150 tỷ đồng, trong đó:" stands alone here: its list is not quoted.
        text = _LIST_INTRO.sub(".", unit.text)
        out.append(f"- {text} {unit.tag}".rstrip())
    return "\n".join(out)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _answer_terms(unit: _Unit) -> Counter[str]:
    """A sentence's terms for matching a question. A sentence without a year speaks of its
    section's ("a) Thu nội địa 40.300 tỷ đồng" under "II. DỰ TOÁN THU … NĂM 2027")."""
    counts = matching_terms(unit.text)
    if not _YEAR.search(unit.text):
        for year in _YEAR.findall(f"{unit.heading} {unit.section}"):
            counts[year] = counts[f"~{year}"] = 1
    return counts


def _held(question: Counter[str], unit: _Unit) -> float:
    """Share of the question's words (syllables) a sentence holds, in itself or in the
    headings it stands under ("Bệnh viện … 500 giường" under "2. Y tế")."""
    words = [t for t in question if "_" not in t]
    if not words:
        return 0.0
    have = _answer_terms(unit) | matching_terms(f"{unit.section} {unit.heading}")
    return sum(1 for t in words if t in have) / len(words)


def _answer(prompt: Prompt, units: list[_Unit], eligible: list[bool], max_tokens: int) -> str:
    asked = question_terms(prompt.question or "")
    vectors = Vectors([_answer_terms(u) for u in units], max_df=1.0)
    question = vectors.vector(asked)
    relevance = vectors.similarities(question)
    coverage = vectors.coverage(question)
    # A sentence answers only if it holds a good share of the question's weight and at least
    # half of its words: "lương tối thiểu vùng" is not answered by "mức tối thiểu".
    candidates = [
        eligible[i]
        and relevance[i] > 0
        and coverage[i] >= MIN_COVERAGE
        and _held(asked, units[i]) >= MIN_WORDS
        for i in range(len(units))
    ]
    if not any(candidates):
        return phrases.NOT_FOUND
    # The sentence covering most of what was asked comes first; similarity breaks ties.
    combined = [coverage[i] + 0.01 * relevance[i] for i in range(len(units))]
    picked = select(combined, vectors, limit=LIMITS["answer"], eligible=candidates)
    lines = _fit(units, picked, max_tokens)
    body = "\n".join(f"- {u.text} {u.tag}".rstrip() for u in lines)
    return f"{phrases.EXTRACTIVE_ANSWER_LEAD}\n{body}"


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
