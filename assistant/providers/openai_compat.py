"""``openai`` provider: any server speaking the OpenAI chat-completions API.

Works with a government-hosted model, Ollama, vLLM, llama.cpp or OpenAI itself. Timeouts are
finite, the client retries once, and every failure becomes a ``ProviderError`` with a stable
code so the caller can answer a clear message instead of a 500.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai

from assistant.config import AssistantConfig
from assistant.providers.base import Completion, Delta, ModelClient, Prompt, ProviderError
from assistant.providers.registry import register_provider

# Low temperature: summaries and answers must stick to the sources.
TEMPERATURE = 0.2


def _provider_error(exc: Exception) -> ProviderError:
    # Errors raised while reading a stream come straight from the HTTP layer (httpx2), not
    # wrapped by openai; classify them by their type name rather than importing httpx2.
    names = {cls.__name__ for cls in type(exc).__mro__}
    if isinstance(exc, openai.APITimeoutError | TimeoutError) or "TimeoutException" in names:
        return ProviderError("model_timeout", "the model server did not answer in time")
    if isinstance(exc, openai.APIConnectionError | ConnectionError) or "TransportError" in names:
        return ProviderError("model_unavailable", "the model server cannot be reached")
    if isinstance(exc, openai.RateLimitError):
        return ProviderError("model_unavailable", "the model server is overloaded (429)")
    if isinstance(exc, openai.APIStatusError):
        return ProviderError("model_error", f"the model server answered HTTP {exc.status_code}")
    return ProviderError(
        "model_error", f"unusable answer from the model server ({type(exc).__name__})"
    )


class OpenAICompatibleClient:
    """``ModelClient`` over ``openai.AsyncOpenAI``."""

    name = "openai"

    def __init__(self, config: AssistantConfig) -> None:
        if not config.base_url or not config.model:
            raise ValueError("LLM_PROVIDER=openai needs LLM_BASE_URL and LLM_MODEL")
        self.model = config.model
        self.context_tokens = config.context_tokens
        self.trusted = config.trusted
        self._client = openai.AsyncOpenAI(
            base_url=config.base_url,
            # Local servers (Ollama, llama.cpp) need no key, but the client insists on one.
            api_key=config.api_key or "unused",
            timeout=openai.Timeout(config.timeout, connect=min(10.0, config.timeout)),
            max_retries=1,
        )

    async def complete(self, prompt: Prompt, *, max_tokens: int) -> Completion:
        """Send ``prompt`` and return the whole answer."""
        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                messages=prompt.messages(),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=TEMPERATURE,
            )
            text = response.choices[0].message.content if response.choices else None
        except Exception as exc:  # the network boundary: anything here is the server's fault
            raise _provider_error(exc) from exc
        if not text or not text.strip():
            raise ProviderError("model_error", "the model server returned an empty answer")
        usage = response.usage
        return Completion(
            text=text.strip(),
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )

    async def stream(self, prompt: Prompt, *, max_tokens: int) -> AsyncIterator[Delta]:
        """Send ``prompt`` with ``stream=True`` and yield the text as it arrives."""
        try:
            chunks = await self._client.chat.completions.create(  # type: ignore[call-overload]
                model=self.model,
                messages=prompt.messages(),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=TEMPERATURE,
                stream=True,
                stream_options={"include_usage": True},
            )
            produced = False
            async for chunk in chunks:
                if chunk.choices:
                    piece = chunk.choices[0].delta.content
                    if piece:
                        produced = True
                        yield Delta(piece)
                if chunk.usage:
                    yield Delta("", chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        except ProviderError:
            raise
        except Exception as exc:  # the network boundary: anything here is the server's fault
            raise _provider_error(exc) from exc
        if not produced:
            raise ProviderError("model_error", "the model server returned an empty answer")

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


@register_provider("openai")
def _factory(config: AssistantConfig) -> ModelClient:
    return OpenAICompatibleClient(config)
