"""Rooms' names, the installed hub and ``emit`` (after the commit)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the hub installs itself here; the hub's module imports this one
    from council.realtime.hub import Hub


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def user_room(user_id: int) -> str:
    """Every connection of one user (in this process): closed when their tokens end."""
    return f"user:{user_id}"


_hub: Hub | None = None


def install(hub: Hub) -> None:
    global _hub
    _hub = hub


def hub() -> Hub | None:
    return _hub


async def emit(event_name: str, data: Any, room: str | None = None) -> None:
    """Send an event to a room (or everyone). Call only after the change has committed."""
    if _hub is not None:
        await _hub.emit(event_name, data, room)
