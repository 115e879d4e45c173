"""The assistant's view of the settings.

The variables themselves (``LLM_PROVIDER``, ``LLM_BASE_URL``, ``LLM_API_KEY``, ``LLM_MODEL``,
``LLM_TRUSTED``, ``LLM_CONTEXT_TOKENS``, ``LLM_TIMEOUT``, ``COUNCIL_ASSISTANT_RATE``) live in
the core settings table (council/settings.py); this module turns them into one typed,
validated value the assistant passes around.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AssistantConfig:
    """Typed, validated assistant settings."""

    provider: str = "extractive"
    base_url: str = ""
    api_key: str = ""
    model: str = ""
    trusted: bool = False
    context_tokens: int = 8192
    timeout: float = 60.0
    rate: str = "30/3600"

    def __post_init__(self) -> None:
        if self.context_tokens < 1024:
            raise ValueError("LLM_CONTEXT_TOKENS must be at least 1024")
        if self.timeout <= 0:
            raise ValueError("LLM_TIMEOUT must be positive")

    @property
    def max_output_tokens(self) -> int:
        """Tokens a model may write per call: an eighth of the context, at most 1,024."""
        return min(1024, self.context_tokens // 8)

    @classmethod
    def from_settings(cls, settings: Any) -> AssistantConfig:
        """Build the config from the core ``Settings`` object."""
        return cls(
            provider=(settings.llm_provider or "extractive").strip().lower(),
            base_url=settings.llm_base_url or "",
            api_key=settings.llm_api_key or "",
            model=settings.llm_model or "",
            trusted=bool(settings.llm_trusted),
            context_tokens=int(settings.llm_context_tokens),
            timeout=float(settings.llm_timeout),
            rate=settings.assistant_rate,
        )
