"""Provider registry: ``LLM_PROVIDER`` names a factory; callers only ever see ``ModelClient``.

A new provider is one module that decorates its factory with ``@register_provider("name")``
and is imported by ``assistant/providers/__init__.py``; no caller changes.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.config import AssistantConfig
from assistant.providers.base import ModelClient

ProviderFactory = Callable[[AssistantConfig], ModelClient]

_FACTORIES: dict[str, ProviderFactory] = {}


def register_provider(name: str) -> Callable[[ProviderFactory], ProviderFactory]:
    """Register ``factory`` under ``name`` (the value of ``LLM_PROVIDER``)."""

    def decorate(factory: ProviderFactory) -> ProviderFactory:
        if name in _FACTORIES and _FACTORIES[name] is not factory:
            raise ValueError(f"provider {name!r} is already registered")
        _FACTORIES[name] = factory
        return factory

    return decorate


def provider_names() -> list[str]:
    """The registered provider names, sorted."""
    return sorted(_FACTORIES)


def get_provider(config: AssistantConfig, name: str | None = None) -> ModelClient:
    """Build the provider ``name`` (default: the configured one).

    Raises ``ValueError`` for an unknown name or an incomplete configuration.
    """
    key = (name or config.provider).strip().lower()
    try:
        factory = _FACTORIES[key]
    except KeyError:
        known = ", ".join(provider_names())
        raise ValueError(f"unknown LLM_PROVIDER {key!r} (known: {known})") from None
    return factory(config)
