"""What every assistant operation shares: the gateway, the rate limit, labels, errors, the log."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any

from assistant.citations import Citation
from assistant.config import AssistantConfig
from assistant.gateway import Gateway, Usage
from assistant.layout import Ref
from assistant.models import UsageEntry
from assistant.providers import ProviderError
from council.errors import DomainError
from council.i18n import N_, LazyString
from council.models import User
from council.ratelimit import Rate, limiter
from council.search.engine import configure, get_engine
from council.search.schema import SearchError

log = logging.getLogger("assistant")

_GATEWAYS: dict[tuple[AssistantConfig, int], Gateway] = {}

# How a model-server failure is told to the user: never a 500.
_PROVIDER_ERRORS: dict[str, tuple[int, LazyString]] = {
    "model_timeout": (
        504,
        N_("The model server did not answer in time. Please try again in a moment."),
    ),
    "model_unavailable": (
        503,
        N_("The model server cannot be reached or is busy. Please try again later."),
    ),
    "model_error": (
        502,
        N_("The model server answered with an error. Please try again later."),
    ),
}


def config_for(settings: Any) -> AssistantConfig:
    """The assistant's typed settings (a misconfiguration is a clear 503, not a crash)."""
    try:
        return AssistantConfig.from_settings(settings)
    except ValueError as exc:
        log.error("assistant settings are invalid: %s", exc)
        raise DomainError(
            "assistant_misconfigured",
            N_("The assistant is not configured correctly. Please tell the administrator."),
            status=503,
        ) from None


def gateway_for(settings: Any) -> Gateway:
    """The gateway for these settings, built once per event loop (its HTTP pool is loop-bound)."""
    config = config_for(settings)
    key = (config, id(asyncio.get_running_loop()))
    gateway = _GATEWAYS.get(key)
    if gateway is None:
        try:
            gateway = Gateway.from_config(config)
        except ValueError as exc:
            log.error("assistant provider cannot be built: %s", exc)
            raise DomainError(
                "assistant_misconfigured",
                N_("The assistant is not configured correctly. Please tell the administrator."),
                status=503,
            ) from None
        _GATEWAYS[key] = gateway
    return gateway


async def close_gateways() -> None:
    """Close every provider connection pool (at shutdown)."""
    gateways = list(_GATEWAYS.values())
    _GATEWAYS.clear()
    for gateway in gateways:
        await gateway.aclose()


def ensure_search(settings: Any) -> None:
    """Point the search engine at the data directory if the app has not done it yet."""

    try:
        get_engine()
    except SearchError:
        configure(settings.index_dir)


async def consume_rate(user: User, settings: Any) -> None:
    """Count one assistant request for ``user``; 429 once over ``COUNCIL_ASSISTANT_RATE``."""
    await limiter().consume(f"assistant:user:{user.id}", Rate.parse(config_for(settings).rate))


def provider_failure(exc: ProviderError) -> DomainError:
    """The domain error a user sees for a model-server failure."""
    status, message = _PROVIDER_ERRORS.get(exc.code, _PROVIDER_ERRORS["model_error"])
    return DomainError(exc.code, message, status=status)


MACHINE_WRITTEN = N_("Machine-written — check before use")


def label(provider: str, model: str) -> str:
    """The machine-written label every output carries, naming the provider and model."""
    return f"{MACHINE_WRITTEN} ({provider} · {model})"


def cited(citation: Citation, title: str) -> dict[str, Any]:
    """A citation as JSON: the page, its excerpt, and the document by its title."""
    return {**citation.as_dict(), **Ref(citation.document_id, citation.page, title).as_dict()}


DOWNGRADE_NOTICE = N_(
    "Confidential material was not sent to the model server: the offline extractive "
    "summarizer answered instead."
)


class Meter:
    """Times one use and writes it to the usage log, whatever its outcome."""

    def __init__(self, user: User | None, action: str, council_id: int | None) -> None:
        self.user = user
        self.action = action
        self.council_id = council_id
        self.usage = Usage()
        self.started = time.perf_counter()
        self.documents: list[int] = []
        self.detail: dict[str, Any] = {}
        self.cached = False
        self.outcome = "ok"

    def set_documents(self, ids: Iterable[int]) -> None:
        self.documents = sorted(set(ids))

    async def write(self) -> UsageEntry:
        """Record the use (called once, after the answer or the failure)."""
        usage = self.usage
        return await UsageEntry.create(
            user_id=self.user.id if self.user else None,
            council_id=self.council_id,
            action=self.action,
            documents=self.documents,
            pages_sent=[list(p) for p in sorted(usage.sent)],
            detail=self.detail,
            provider=usage.provider,
            model=usage.model,
            downgraded=usage.downgraded,
            cached=self.cached,
            calls=usage.calls,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            latency_ms=int((time.perf_counter() - self.started) * 1000),
            outcome=self.outcome[:32],
        )
