"""Dashboard widgets: each domain registers a coroutine that returns the panels it shows a user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from council.web import Ctx


@dataclass
class Widget:
    template: str  # a fragment, e.g. "meetings/_dashboard.html"
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


WidgetProvider = Callable[["Ctx"], Awaitable[list[Widget]]]
PROVIDERS: list[WidgetProvider] = []


def register_widget(provider: WidgetProvider) -> WidgetProvider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


async def widgets_for(ctx: Ctx) -> list[Widget]:
    found: list[Widget] = []
    for provider in PROVIDERS:
        found.extend(await provider(ctx))
    return sorted(found, key=lambda w: w.order)
