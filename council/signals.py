"""Core hooks: named moments one package announces and others subscribe to.

A package that must learn of another's change subscribes to a hook of the core instead of being
imported by that other package (by name or by string): the meetings documents announce
``document.changed`` and the assistant, which indexes their pages, listens. The hooks are
declared here, once; a second declaration of a name is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("council.signals")

Handler = Callable[..., Awaitable[None]]


@dataclass(eq=False)
class Hook:
    """One named moment. ``best_effort``: a failing subscriber is logged and the others still
    run (the change has committed; the sender must not fail for it); otherwise its error reaches
    the sender."""

    name: str
    help: str
    best_effort: bool = False
    handlers: list[Handler] = field(default_factory=list)

    def connect(self, handler: Handler) -> Handler:
        """Subscribe ``handler`` (called with the hook's keyword arguments); once only."""
        if handler not in self.handlers:
            self.handlers.append(handler)
        return handler

    def disconnect(self, handler: Handler) -> None:
        if handler in self.handlers:
            self.handlers.remove(handler)

    async def send(self, **payload: Any) -> None:
        """Call every subscriber in turn, after the change has committed."""
        for handler in list(self.handlers):
            if not self.best_effort:
                await handler(**payload)
                continue
            try:
                await handler(**payload)
            except Exception:  # noqa: BLE001 — best effort, as documented on the hook
                log.warning("a subscriber of %s failed", self.name, exc_info=True)


HOOKS: dict[str, Hook] = {}


def hook(name: str, help: str, *, best_effort: bool = False) -> Hook:
    """Declare a hook; a name is declared once."""
    if name in HOOKS:
        raise ValueError(f"hook {name!r} is declared twice")
    HOOKS[name] = found = Hook(name, help, best_effort)
    return found


DOCUMENT_CHANGED = hook(
    "document.changed",
    "A session document was uploaded, replaced or reclassified (committed): `document_id`.",
    best_effort=True,
)
PAGES_COMMITTED = hook(
    "document.pages_committed",
    "Inside the transaction that saves a document version's page text (not yet committed): "
    "`view`, the document as its readers see it. A subscriber's error rolls the save back.",
)
ITEM_CHANGED = hook(
    "sitting.item_changed",
    "A sitting moved to another agenda item (committed: by the chair, or by a vote's opening): "
    "`session_id`, `item_id`, `at` (when it moved).",
    best_effort=True,
)
TOKENS_ENDED = hook(
    "user.tokens_ended",
    "Tokens of a user ended (logout, revocation, password reset; committed): `user_id`.",
)
