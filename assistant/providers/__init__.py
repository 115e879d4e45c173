"""Model providers behind one interface (see ``base.ModelClient``), chosen by ``LLM_PROVIDER``."""

from assistant.providers import extractive, openai_compat  # noqa: F401  (registers them)
from assistant.providers.base import (
    Completion,
    Delta,
    Message,
    ModelClient,
    Prompt,
    ProviderError,
    Source,
)
from assistant.providers.registry import get_provider, provider_names, register_provider

__all__ = [
    "Completion",
    "Delta",
    "Message",
    "ModelClient",
    "Prompt",
    "ProviderError",
    "Source",
    "get_provider",
    "provider_names",
    "register_provider",
]
