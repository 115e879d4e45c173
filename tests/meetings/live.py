"""A live client for tests: a real python-socketio client that records the server's events."""

import asyncio
from collections import defaultdict
from typing import Any

import socketio

from council.auth import issue_token
from council.models import User

EVENTS = (
    "agenda:current",
    "attendance:update",
    "poll:opened",
    "poll:progress",
    "poll:closed",
    "speakers:update",
    "session:update",
    "session:changed",
    "hand_votes:update",
)


class Tablet:
    """A python-socketio client that records every server event it receives."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.queues: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        for name in EVENTS:
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Any:
        async def record(data: Any) -> None:
            await self.queues[name].put(data)

        return record

    async def connect(self) -> None:
        await self.sio.connect(
            self.base,
            auth={"token": self.token},
            transports=["websocket"],
            socketio_path="/socket.io",
        )

    async def call(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        return await self.sio.call(event, data, timeout=15)

    async def next(self, name: str) -> Any:
        return await asyncio.wait_for(self.queues[name].get(), timeout=15)


async def connect_tablet(base: str, user: User) -> Tablet:
    tablet = Tablet(base, await issue_token(user, "api", 1))
    await tablet.connect()
    return tablet
