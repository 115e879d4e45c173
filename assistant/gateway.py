"""The one door every prompt goes through on its way to a provider.

It enforces confidentiality: a prompt built from confidential text is never given to a
provider that is not trusted (``LLM_TRUSTED=false``); the offline extractive provider
answers it instead and the use is marked as downgraded so the output can say so. It also
counts calls, tokens and time for the usage log. Summaries, questions and petition grouping
all call ``Gateway.complete`` / ``Gateway.stream``; no other code calls a provider.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from assistant.config import AssistantConfig
from assistant.providers import ModelClient, Prompt, get_provider
from assistant.providers.base import Confidentiality


@dataclass
class Usage:
    """What one assistant use cost: filled in by the gateway, written to the usage log."""

    provider: str = ""
    model: str = ""
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_seconds: float = 0.0
    downgraded: bool = False
    # (document id, page) pairs whose text was sent, for the log's "what was sent".
    sent: set[tuple[int, int]] = field(default_factory=set)

    def charge(self, client: ModelClient, prompt: Prompt, downgraded: bool) -> None:
        self.provider, self.model = client.name, client.model
        self.downgraded = self.downgraded or downgraded
        self.calls += 1
        for source in prompt.sources:
            if source.document_id is not None and source.page is not None:
                self.sent.add((source.document_id, source.page))


class Gateway:
    """Chooses the provider for each prompt and meters its use."""

    def __init__(self, primary: ModelClient, offline: ModelClient) -> None:
        if not offline.trusted:
            raise ValueError("the offline provider must be trusted")
        self.primary = primary
        self.offline = offline

    @classmethod
    def from_config(cls, config: AssistantConfig) -> Gateway:
        """Build the configured provider and the offline fallback."""
        offline = get_provider(config, "extractive")
        primary = offline if config.provider == "extractive" else get_provider(config)
        return cls(primary, offline)

    def client_for(self, level: Confidentiality) -> tuple[ModelClient, bool]:
        """The provider allowed to read text of ``level``, and whether that is a downgrade."""
        if level == "confidential" and not self.primary.trusted:
            return self.offline, True
        return self.primary, False

    async def complete(self, prompt: Prompt, *, usage: Usage, max_tokens: int) -> str:
        """Answer ``prompt`` with the provider its confidentiality allows."""
        client, downgraded = self.client_for(prompt.confidentiality)
        usage.charge(client, prompt, downgraded)
        started = time.perf_counter()
        try:
            result = await client.complete(prompt, max_tokens=max_tokens)
        finally:
            usage.model_seconds += time.perf_counter() - started
        usage.prompt_tokens += result.prompt_tokens
        usage.completion_tokens += result.completion_tokens
        return result.text

    async def stream(self, prompt: Prompt, *, usage: Usage, max_tokens: int) -> AsyncIterator[str]:
        """Stream the answer to ``prompt`` with the provider its confidentiality allows."""
        client, downgraded = self.client_for(prompt.confidentiality)
        usage.charge(client, prompt, downgraded)
        started = time.perf_counter()
        try:
            async for delta in client.stream(prompt, max_tokens=max_tokens):
                usage.prompt_tokens += delta.prompt_tokens
                usage.completion_tokens += delta.completion_tokens
                if delta.text:
                    yield delta.text
        finally:
            usage.model_seconds += time.perf_counter() - started

    async def aclose(self) -> None:
        """Close the providers' connections."""
        await self.primary.aclose()
        if self.offline is not self.primary:
            await self.offline.aclose()
