"""Live panels: another domain's part of a sitting's live pages.

``meetings`` draws a sitting's tablet, chair console and hall screen and refreshes their parts
(fragments) on Socket.IO events. A domain that runs something of its own during an agenda item
(``questioning``: the live questioning) registers a panel here instead of being imported by
meetings: meetings asks every panel for its markup when it draws a page and when the page asks
for the fragment again; the page refreshes the panel on the events it names.

A provider answers with the panel's markup, whose root carries ``data-fragment="<name>"`` (the
page swaps it whole), or ``None`` to show nothing. It decides what the user may see and do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from council.models import User

VIEWS = ("tablet", "chair", "hall")

# (request, user, session id, view, the current agenda item as meetings shows it or None)
Provider = Callable[[Request, User, int, str, dict[str, Any] | None], Awaitable[str | None]]


@dataclass(frozen=True)
class Panel:
    name: str
    provider: Provider
    # Socket.IO events after which the page fetches the panel again (besides reconnecting).
    events: tuple[str, ...] = ()


PANELS: dict[str, Panel] = {}


def register(name: str, provider: Provider, *, events: tuple[str, ...] = ()) -> Panel:
    """Declare a panel; a name is declared once."""
    if name in PANELS and PANELS[name].provider is not provider:
        raise ValueError(f"live panel {name!r} is declared twice")
    PANELS[name] = panel = Panel(name, provider, events)
    return panel


def placeholder(name: str, events: tuple[str, ...]) -> Markup:
    """An empty panel that the page still refreshes (it appears when its item becomes current)."""
    return Markup('<div data-fragment="{}" data-refresh-on="{}" hidden></div>').format(
        name, " ".join(events)
    )


async def render_one(
    name: str,
    request: Request,
    user: User,
    session_id: int,
    view: str,
    current: dict[str, Any] | None,
) -> Markup | None:
    """One panel's markup (a placeholder when it has nothing to show); None: no such panel."""
    panel = PANELS.get(name)
    if panel is None:
        return None
    html = await panel.provider(
        request, user, session_id, view if view in VIEWS else "tablet", current
    )
    return Markup(html) if html else placeholder(panel.name, panel.events)


async def render_all(
    request: Request,
    user: User,
    session_id: int,
    view: str,
    current: dict[str, Any] | None,
) -> list[Markup]:
    """Every panel's markup for a live page, in the order they were registered."""
    out = []
    for name in PANELS:
        found = await render_one(name, request, user, session_id, view, current)
        if found is not None:
            out.append(found)
    return out
