"""Keeping each connection's user fresh: which users were saved, deleted or lost tokens in this
process (Tortoise's signals, the ``user.tokens_ended`` hook), told to the other workers by the
hub over ``USER_CHANNEL``."""

from __future__ import annotations

import time
from typing import Any

from tortoise.signals import post_delete, post_save

from council import signals
from council.models import User
from council.realtime import rooms

# user id → when it was last saved or deleted in this process (monotonic seconds).
_user_changed: dict[int, float] = {}


# Redis channel on which workers tell each other which user was saved (with the default
# REDIS_CHANNEL; ``user_channel`` gives it for another).
USER_CHANNEL = "council:user-changed"


def user_channel(channel: str) -> str:
    """The users' channel beside the Socket.IO channel ``channel`` (``REDIS_CHANNEL``)."""
    return USER_CHANNEL if channel == "socketio" else f"{channel}:user-changed"


@post_save(User)
async def _user_saved(sender: type[User], instance: User, *args: Any) -> None:
    _note_user_change(instance.id)
    hub = rooms.hub()
    if hub is not None and instance.id is not None:
        await hub.publish_user_change(instance.id)


@post_delete(User)
async def _user_deleted(sender: type[User], instance: User, *args: Any) -> None:
    _note_user_change(instance.id)
    hub = rooms.hub()
    if hub is not None and instance.id is not None:
        await hub.publish_user_change(instance.id)


async def user_changed(user_id: int) -> None:
    """Tokens of ``user_id`` have ended (committed): every worker re-checks that user's
    connections now, closing those whose token ended, and at their next event."""
    _note_user_change(user_id)
    hub = rooms.hub()
    if hub is not None:
        await hub.publish_user_change(user_id)
        hub.recheck(user_id)


signals.TOKENS_ENDED.connect(user_changed)


def _note_user_change(user_id: int | None) -> None:
    if user_id is None:
        return
    now = time.monotonic()
    if len(_user_changed) > 10_000:  # forget changes older than any TTL in use
        for uid, at in list(_user_changed.items()):
            if now - at > 3600:
                del _user_changed[uid]
    _user_changed[user_id] = now
