"""The model-client interface every provider implements, and the values it exchanges.

A provider receives a :class:`Prompt`: instructions plus labelled source passages (and the
question, for answers). Chat providers send ``prompt.messages()``; providers that are not
chat models (the offline extractive one) work on the structured sources directly. Keeping
the sources structured is also what lets the gateway check confidentiality before anything
leaves the process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict, runtime_checkable

Confidentiality = Literal["public", "internal", "confidential"]
Task = Literal["summarize", "reduce", "answer", "group"]

_RANK: dict[str, int] = {"public": 0, "internal": 1, "confidential": 2}


def strictest(levels: Sequence[str]) -> Confidentiality:
    """Return the most restrictive confidentiality level among ``levels`` (public if none)."""
    best: Confidentiality = "public"
    for level in levels:
        if _RANK.get(level, 2) > _RANK[best]:
            best = level if level in _RANK else "confidential"  # type: ignore[assignment]
    return best


class Message(TypedDict):
    """One chat message as the OpenAI chat-completions API expects it."""

    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Source:
    """A passage a prompt is built from.

    ``label`` is the citation tag the output must use for it ("tr. 3", "TL 12, tr. 3",
    "KN 2025-0001"); ``None`` means the text already carries its own tags (the partial
    summaries of a reduce step). ``confidentiality`` travels with derived text, so a
    partial summary of a confidential page stays confidential.
    """

    text: str
    label: str | None = None
    heading: str = ""
    confidentiality: Confidentiality = "public"
    document_id: int | None = None
    page: int | None = None


@dataclass(frozen=True)
class Prompt:
    """What the assistant asks of a provider: instructions, sources and an optional question."""

    task: Task
    system: str
    intro: str
    sources: tuple[Source, ...]
    question: str | None = None
    closing: str = ""
    version: str = ""

    @property
    def confidentiality(self) -> Confidentiality:
        """The strictest level among the prompt's sources."""
        return strictest([s.confidentiality for s in self.sources])

    def material(self) -> str:
        """The sources rendered as labelled blocks, the way chat models read them."""
        blocks = []
        for source in self.sources:
            head = f"[{source.label}]" if source.label else ""
            if source.heading:
                head = f"{head} {source.heading}".strip()
            blocks.append(f"{head}\n{source.text.strip()}" if head else source.text.strip())
        return "\n\n".join(blocks)

    def messages(self) -> list[Message]:
        """Render the prompt as chat messages (system instructions, one user message)."""
        parts = [self.intro.strip(), self.material()]
        if self.question is not None:
            parts.append(f"Câu hỏi: {self.question.strip()}")
        if self.closing:
            parts.append(self.closing.strip())
        user = "\n\n".join(p for p in parts if p)
        return [
            {"role": "system", "content": self.system.strip()},
            {"role": "user", "content": user},
        ]


@dataclass(frozen=True)
class Delta:
    """A piece of a streamed answer; the last one may carry only the token counts."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    """A provider's answer and the tokens it cost (0 when no model was involved)."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ProviderError(Exception):
    """The model server failed, timed out or answered something unusable.

    ``code`` is stable (``model_timeout``, ``model_unavailable``, ``model_error``); the
    services turn it into a domain error with a human message, never a 500.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@runtime_checkable
class ModelClient(Protocol):
    """A model provider. Implementations register themselves in the provider registry."""

    name: str
    model: str
    context_tokens: int
    # True when text may be sent to it whatever its confidentiality (no data leaves the
    # premises): the offline provider, or a server the operator declared trusted.
    trusted: bool

    async def complete(self, prompt: Prompt, *, max_tokens: int) -> Completion:
        """Return the whole answer to ``prompt``."""
        ...

    def stream(self, prompt: Prompt, *, max_tokens: int) -> AsyncIterator[Delta]:
        """Yield the answer to ``prompt`` piece by piece as it is produced."""
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...
