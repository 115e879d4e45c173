"""Sections of the minutes that other domains write.

``meetings`` drafts a sitting's minutes (biên bản); an agenda item run by another domain (the
live questioning of ``questioning``) has its own record to put in them. That domain registers a
section provider here instead of being imported by meetings: for each agenda item, meetings asks
every provider for its lines and prints them under the item, after its speakers.

A provider is called with the session's id, the item's id and kind, and answers with lines as
``(style, text)`` pairs, in Vietnamese (minutes are always drafted in Vietnamese); ``style`` is
one of ``STYLES``. An empty list adds nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

STYLES = ("subheading", "text", "bullet", "note")

Provider = Callable[[int, int, str], Awaitable[list[tuple[str, str]]]]

PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> Provider:
    """Declare a provider; a name is declared once."""
    if name in PROVIDERS and PROVIDERS[name] is not provider:
        raise ValueError(f"minutes section {name!r} is declared twice")
    PROVIDERS[name] = provider
    return provider


async def lines_for(session_id: int, item_id: int, kind: str) -> list[tuple[str, str]]:
    """Every provider's lines for one agenda item, in the order the providers were registered."""
    out: list[tuple[str, str]] = []
    for provider in PROVIDERS.values():
        for style, text in await provider(session_id, item_id, kind):
            out.append((style if style in STYLES else "text", text))
    return out
