"""The operation registry: every operation declared once, by name (each package declares its
own in its `operations.py`: the core's in `council/operations.py`).

An operation (``poll.open``, ``ballot.cast``, ``user.create``) is its name, its permission (the
roles and the scope resolver), its input schema, the ids that name its target (path parameters
over HTTP, fields of the payload over Socket.IO) and the service it calls. The JSON API, the
pages and the Socket.IO events point at an operation (``perm=ops.POLL_OPEN``) instead of
declaring a permission and a schema of their own; audit entries carry the operation's name;
``docs/operations-list.md`` lists every operation and a test checks it against this registry.
A second declaration of a name is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import create_model

from council.i18n import LazyString
from council.permissions import EVERY_ROLE, Permission, Resolver
from council.validation import Schema

Scope = Literal["any", "council", "agency"]


class DuplicateOperation(ValueError):
    pass


@dataclass(frozen=True, eq=False)
class Operation:
    """One operation: who may do it, on what, with which input, through which service."""

    name: str
    permission: Permission
    body: type[Schema] | None = None  # the input schema (JSON body, or the event's payload)
    target: tuple[str, ...] = ()  # ids naming the target: HTTP path params, event payload fields
    service: Callable[..., Any] | None = None
    summary: str = ""
    # What people call it (the audit log shows it), translated; None: no label yet.
    label: LazyString | None = None
    _event_body: list[type[Schema]] = field(default_factory=list, repr=False)

    @property
    def roles(self) -> frozenset[str] | None:
        return self.permission.roles

    @property
    def scope(self) -> Scope:
        return self.permission.scope

    def event_body(self) -> type[Schema] | None:
        """The Socket.IO payload: the input schema plus the target's ids (which HTTP carries in
        the path)."""
        if not self.target:
            return self.body
        if not self._event_body:
            base = self.body or Schema
            fields: dict[str, Any] = {name: (int, ...) for name in self.target}
            model = create_model(  # type: ignore[call-overload]
                f"{base.__name__}Event" if self.body else "TargetRef", __base__=base, **fields
            )
            self._event_body.append(model)
        return self._event_body[0]

    def may(self, role: str) -> bool:
        """Whether ``role`` passes the role check (scope aside)."""
        roles = self.permission.roles
        return roles is None or role in roles


REGISTRY: dict[str, Operation] = {}


def operation(
    name: str,
    *roles: str,
    scope: Scope = "any",
    resolve: Resolver | None = None,
    body: type[Schema] | None = None,
    target: tuple[str, ...] = (),
    service: Callable[..., Any] | None = None,
    summary: str = "",
    label: LazyString | None = None,
    public: bool = False,
    logged_in: bool = False,
) -> Operation:
    """Declare an operation. ``roles`` may do it (``admin`` passes every scope); ``public``: anyone,
    logged in or not; ``logged_in``: any logged-in user (the service decides the rest)."""
    if name in REGISTRY:
        raise DuplicateOperation(f"operation {name!r} is declared twice")
    unknown = set(roles) - EVERY_ROLE
    if unknown:
        raise ValueError(f"operation {name!r}: unknown roles {sorted(unknown)}")
    if public or logged_in:
        if roles or scope != "any":
            raise ValueError(f"operation {name!r}: public or logged_in takes no roles nor scope")
        permission = Permission(name, roles=None, login=not public)
    else:
        if not roles:
            raise ValueError(f"operation {name!r} names no role")
        permission = Permission(name, frozenset(roles), scope, resolve)
    REGISTRY[name] = op = Operation(name, permission, body, target, service, summary, label)
    return op


def get(name: str) -> Operation:
    return REGISTRY[name]


def permission_of(perm: Permission | Operation) -> Permission:
    return perm.permission if isinstance(perm, Operation) else perm


def body_of(
    perm: Permission | Operation, body: type[Any] | None, *, event: bool = False
) -> type[Any] | None:
    """The input schema of a route or event: the operation's; a route may not declare another."""
    if not isinstance(perm, Operation):
        return body
    declared = perm.event_body() if event else perm.body
    if body is not None and declared is not None and body is not declared:
        raise DuplicateOperation(f"operation {perm.name!r} declares its input schema already")
    return body or declared
